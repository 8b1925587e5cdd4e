"""With no warehouse configured, the first start creates the demo warehouse and shows it."""

from __future__ import annotations

import streamlit as st
from streamlit.testing.v1 import AppTest

from data_access import config
from tests.pages.conftest import APP
from ui import warehouse


def test_first_start_builds_the_demo_warehouse_with_progress_then_shows_it(tmp_path, monkeypatch):
    demo_path = tmp_path / "data" / "demo.duckdb"
    monkeypatch.delenv("MODQA_WAREHOUSE_URL", raising=False)
    monkeypatch.setattr(config, "DEMO_WAREHOUSE_PATH", demo_path)
    monkeypatch.setattr(warehouse, "DEMO_WAREHOUSE_PATH", demo_path)
    progress_messages = []
    real_progress = st.progress

    def recording_progress(value, text=None, **kwargs):
        progress_messages.append(text)
        return real_progress(value, text=text, **kwargs)

    monkeypatch.setattr(warehouse.st, "progress", recording_progress)
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        app = AppTest.from_file(APP, default_timeout=180).run()
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()

    assert not app.exception
    assert demo_path.exists() and not demo_path.with_suffix(".tmp").exists()
    assert progress_messages[0].startswith("First start: creating the demo warehouse")
    assert len(app.metric) == 4
