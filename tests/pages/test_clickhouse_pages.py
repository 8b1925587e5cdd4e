"""The app unchanged on the two-shard ClickHouse cluster: the same pages, the same numbers."""

from __future__ import annotations

import streamlit as st

from tests.pages.conftest import _app_factory
from tests.pages.test_overview import GOOD_LINK

# The key of the Overview's "The grid as a table" expander (pages/overview.py, which runs
# its page when imported): it is built only when opened.
GRID_TABLE_KEY = "overview-grid-table"


def _overview(url: str, monkeypatch) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Return the Overview's tiles (label, value, delta) and its tables' text for a link."""
    app = _app_factory(url, monkeypatch)(**GOOD_LINK)
    app.session_state[GRID_TABLE_KEY] = True  # open "The grid as a table"
    app.run()
    assert not app.exception
    assert not app.error, [element.value for element in app.error]
    tiles = [(metric.label, metric.value, str(metric.delta)) for metric in app.metric]
    tables = [frame.value.to_csv(index=False) for frame in app.dataframe]
    assert tables, "the grid's table is compared too"
    st.cache_data.clear()
    st.cache_resource.clear()
    return tiles, tables


def test_the_overview_shows_the_same_numbers_on_clickhouse_as_on_duckdb(
    duckdb_url, clickhouse_url, monkeypatch
):
    on_duckdb = _overview(duckdb_url, monkeypatch)
    on_clickhouse = _overview(clickhouse_url, monkeypatch)
    assert len(on_duckdb[0]) == 4 and all(value.endswith("%") for _, value, _ in on_duckdb[0])
    assert on_clickhouse == on_duckdb
