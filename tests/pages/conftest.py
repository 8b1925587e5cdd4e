"""AppTest fixtures: the real app, on the DuckDB test warehouse, driven like a user."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def app_on_warehouse(duckdb_url, monkeypatch) -> Callable[..., AppTest]:
    """Return a factory: AppTest of app.py with the given link parameters, already run."""
    monkeypatch.setenv("MODQA_WAREHOUSE_URL", duckdb_url)
    st.cache_data.clear()
    st.cache_resource.clear()

    def open_link(page: str | None = None, **params: str | list[str]) -> AppTest:
        app = AppTest.from_file(APP, default_timeout=120)
        for key, value in params.items():
            app.query_params[key] = value
        app.run()
        if page:
            app.switch_page(page)
            app.run()
        return app

    yield open_link
    st.cache_data.clear()
    st.cache_resource.clear()


def texts(elements) -> list[str]:
    """Return the text of a list of Streamlit elements."""
    return [element.value for element in elements]
