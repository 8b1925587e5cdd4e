"""`streamlit run app.py` serves the dashboard through st.App, which preloads while starting."""

from __future__ import annotations

import json
import os
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


OPEN_PROBE = """
import json, sys
from pathlib import Path
import data_access.config
data_access.config.DEMO_WAREHOUSE_PATH = Path(sys.argv[1])
from ui.startup import open_warehouse
from ui import warehouse
opened = open_warehouse()
pooled = opened and warehouse.engine().pool.checkedin()
print(json.dumps({"opened": opened, "pooled": pooled, "demo": Path(sys.argv[1]).exists()}))
"""


def _open_warehouse(url: str | None, demo_path: Path) -> dict:
    """Return what ``open_warehouse`` did in a fresh interpreter with this warehouse URL."""
    env = {key: value for key, value in os.environ.items() if key != "MODQA_WAREHOUSE_URL"}
    if url is not None:
        env["MODQA_WAREHOUSE_URL"] = url
    result = subprocess.run(
        [sys.executable, "-c", OPEN_PROBE, str(demo_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_server_opens_its_warehouse_while_starting_and_the_pages_reuse_it(duckdb_url, tmp_path):
    # One connection is waiting in the pool of the engine the pages will get.
    assert _open_warehouse(duckdb_url, tmp_path / "demo.duckdb") == {
        "opened": True,
        "pooled": 1,
        "demo": False,
    }


def test_opening_leaves_an_unbuilt_demo_and_an_unreachable_warehouse_to_the_first_page(
    tmp_path,
):
    # The demo is built by the first page, with its progress bar, never while starting.
    unbuilt = _open_warehouse(None, tmp_path / "demo.duckdb")
    assert unbuilt == {"opened": False, "pooled": False, "demo": False}
    # Nothing listens on port 1: the start goes on and the first page reports the problem.
    down = _open_warehouse("postgresql+psycopg://postgres@127.0.0.1:1/test", tmp_path / "d")
    assert down == {"opened": False, "pooled": False, "demo": False}
