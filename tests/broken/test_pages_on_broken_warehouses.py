"""Every page on a broken warehouse renders with a plain message: no exception, no traceback,
and no "something went wrong" for a problem the dashboard knows how to name.

CI opens six broken DuckDB warehouses, each on one page; with
``MODQA_HOSTILE_FULL=1`` every page opens every broken warehouse on DuckDB and PostgreSQL.
"""

from __future__ import annotations

import os

import pytest
import streamlit as st

from tests.broken.conftest import BREAKS, SCHEMA_BREAKS
from tests.pages.conftest import APP, texts

PAGES = (
    "pages/overview.py",
    "pages/labels.py",
    "pages/appeals.py",
    "pages/penalties.py",
    "pages/vendors.py",
    "pages/weekly_review.py",
)
FULL = os.environ.get("MODQA_HOSTILE_FULL") == "1"
# The CI sample: each page once, on the problem that crashed it before.
SAMPLE = (
    ("null_market_code_in_markets", "pages/overview.py"),
    ("duplicate_labels", "pages/labels.py"),
    ("unparseable_decided_at", "pages/appeals.py"),
    ("missing_table", "pages/penalties.py"),
    ("null_fact_keys", "pages/vendors.py"),
    ("future_dates", "pages/weekly_review.py"),
)
# What the page says about each data problem, in the warning that lists them.
PAGE_WORDS = {
    "null_market_code_in_markets": "1 market in the warehouse has no code; it is left out.",
    "duplicate_labels": "1 rejection label code appears more than once",
    "null_fact_keys": "have no vendor; they are left out.",
    "future_dates": "Some decisions are dated in the future (the latest 9999-12-31)",
}
CASES = (
    [
        (name, page, engine)
        for name in sorted(BREAKS)
        for page in PAGES
        for engine in ("duckdb", "postgresql")
    ]
    if FULL
    else [(name, page, "duckdb") for name, page in SAMPLE]
)


@pytest.mark.parametrize(("name", "page", "engine"), CASES)
def test_a_page_on_a_broken_warehouse_shows_a_plain_message(
    name, page, engine, request, monkeypatch
):
    from streamlit.testing.v1 import AppTest

    url_of = request.getfixturevalue("broken_duckdb" if engine == "duckdb" else "broken_postgres")
    monkeypatch.setenv("MODQA_WAREHOUSE_URL", url_of(name))
    st.cache_data.clear()
    st.cache_resource.clear()
    app = AppTest.from_file(APP, default_timeout=120)
    app.switch_page(page)
    app.run()
    try:
        assert not app.exception, app.exception
        errors = texts(app.error)
        assert not any("Something went wrong" in text for text in errors), errors
        if name in SCHEMA_BREAKS:
            assert errors and all("validate" in text for text in errors), errors
        else:
            assert app.title, "the page drew its content"
        if name in PAGE_WORDS and (page, engine) in ((p, "duckdb") for n, p in SAMPLE if n == name):
            assert any(PAGE_WORDS[name] in text for text in texts(app.warning)), texts(app.warning)
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
