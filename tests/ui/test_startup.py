"""`streamlit run app.py` serves the dashboard through st.App, which preloads while starting."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.web.server.app_discovery import discover_asgi_app

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter: this test process has imported most of it already.
PROBE = """
import gc, json, sys
before = set(sys.modules)
from ui.startup import preload
preload()
print(json.dumps({"modules": sorted(set(sys.modules) - before), "frozen": gc.get_freeze_count()}))
"""


@pytest.fixture(scope="module")
def preloaded() -> dict:
    """Return what a fresh interpreter's preload imported, and how many objects it froze."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_streamlit_run_finds_the_app_that_serves_the_dashboard():
    found = discover_asgi_app(ROOT / "app.py")
    assert found.is_asgi_app
    assert found.app_name == "app"


def test_preloading_imports_every_page_library_but_not_the_clickhouse_driver(preloaded):
    loaded = set(preloaded["modules"])
    libraries = ("pandas", "plotly.graph_objects", "statsmodels.api", "scipy.stats", "duckdb")
    dashboard = ("metrics.impact", "charts.change", "review.weekly", "ui.filters", "appdb.store")
    # What a first run imported before the preload knew of them (drivers, the Styler,
    # Arrow conversion, narwhals' pandas backend that Plotly reads frames through).
    first_run = ("duckdb_engine", "jinja2", "pyarrow.pandas_compat", "narwhals._pandas_like")
    for module in (*libraries, *dashboard, *first_run):
        assert module in loaded, module
    # Plotly's property validators are loaded by the warm-up figure, not by the first page.
    assert "_plotly_utils.basevalidators" in loaded
    assert "clickhouse_sqlalchemy" not in loaded


def test_the_heap_is_frozen_and_no_collection_or_source_walk_follows_a_run(preloaded):
    # A full collection after every run walked the whole preloaded heap while the page's
    # "script finished" message waited (0.5 s of a warm load on a busy 2-core machine).
    assert (
        preloaded["frozen"] > 100_000
    )  # modules, classes and Plotly's validators: ~240,000 objects
    option = subprocess.run(
        [
            sys.executable,
            "-c",
            "from streamlit import config; print(config.get_option('runner.postScriptGC'),"
            " config.get_option('server.fileWatcherType'))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    # Nor does each new session walk every loaded module for files to watch (1-2 s per load).
    assert option.stdout.strip().splitlines()[-1] == "False none"
