"""With no warehouse configured, the first start creates the demo warehouse and shows it."""

from __future__ import annotations

import streamlit as st
from streamlit.testing.v1 import AppTest

from appdb import actions
from appdb.demo_actions import EFFECTIVE_TITLE, NO_EFFECT_TITLE
from appdb.store import open_app_db
from charts.text import html_text
from data_access import config
from tests.pages.conftest import APP
from tests.pages.elements import action_titles, figure, traces
from ui import warehouse


def test_first_start_builds_the_demo_warehouse_with_progress_then_shows_it(tmp_path, monkeypatch):
    demo_path = tmp_path / "data" / "demo.duckdb"
    monkeypatch.delenv("MODQA_WAREHOUSE_URL", raising=False)
    app_db = f"sqlite:///{tmp_path / 'data' / 'app.sqlite'}"
    monkeypatch.setenv("MODQA_APP_DB_URL", app_db)
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
    # The demo's two recorded actions are in the app database and on the Overview trend
    # (the tool's evaluation window reaches into the Overview's 12 weeks).
    recorded = actions.list_actions(open_app_db(app_db))
    assert sorted(a.title for a in recorded) == sorted([EFFECTIVE_TITLE, NO_EFFECT_TITLE])
    (mark,) = traces(figure(app, "overview-trend"), "action")
    titles = action_titles(figure(app, "overview-trend"))
    assert len(mark["x"]) == len(titles) == 2
    assert any(html_text(EFFECTIVE_TITLE) in hover for hover in mark["hovertext"])
