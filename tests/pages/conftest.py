"""AppTest fixtures: the real app, on the DuckDB test warehouse, driven like a user."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard.py")


@pytest.fixture(autouse=True)
def throwaway_app_db(tmp_path, monkeypatch) -> str:
    """Send every page test's audit trail to its own app database, never the checkout's."""
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    monkeypatch.setenv("MODQA_APP_DB_URL", url)
    return url


def _app_factory(url: str, monkeypatch) -> Callable[..., AppTest]:
    monkeypatch.setenv("MODQA_WAREHOUSE_URL", url)
    # Each test writes its recorded actions to its own app database, never data/app.sqlite.
    app_db = Path(tempfile.mkdtemp(prefix="modqa-appdb-")) / "app.sqlite"
    monkeypatch.setenv("MODQA_APP_DB_URL", f"sqlite:///{app_db}")
    st.cache_data.clear()
    st.cache_resource.clear()

    def open_link(page: str | None = None, **params: str | list[str]) -> AppTest:
        app = AppTest.from_file(APP, default_timeout=120)
        if page:
            # Before the first run a page is found by its file name, as a deep link finds it.
            app.switch_page(page)
        for key, value in params.items():
            app.query_params[key] = value
        app.run()
        return app

    return open_link


@pytest.fixture
def app_on_warehouse(duckdb_url, monkeypatch) -> Callable[..., AppTest]:
    """Return a factory: AppTest of dashboard.py on the small test warehouse, with link params.

    ``open_link(page="pages/labels.py", market=["ID"], ...)`` runs the app, switches to the
    page when one is given, and returns the AppTest after the run.
    """
    yield _app_factory(duckdb_url, monkeypatch)
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def app_on_planted(planted_url, monkeypatch) -> Callable[..., AppTest]:
    """Return the same factory on the default-size demo warehouse with planted signals."""
    yield _app_factory(planted_url, monkeypatch)
    st.cache_data.clear()
    st.cache_resource.clear()


def texts(elements) -> list[str]:
    """Return the text of a list of Streamlit elements as a reader sees it.

    Values from the warehouse are Markdown-escaped (``ui.text.md``): ``listing\\_duplicate``
    renders as ``listing_duplicate``, so the backslashes are dropped here.
    """
    return [re.sub(r"\\(.)", r"\1", str(element.value)) for element in elements]
