"""Hostile shared links opened on the real pages: no exception, no markup from the link.

CI opens a fixed sample (every page and every class at least once); ``MODQA_HOSTILE_FULL=1``
opens all 1,200 generated links.
"""

from __future__ import annotations

import os

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.hostile import page_markup
from tests.hostile_links import PAGE_FILES, hostile_links
from tests.pages.conftest import APP

FULL = os.environ.get("MODQA_HOSTILE_FULL") == "1"
LINKS = hostile_links()
# 16 links: indexes chosen so that each of the 6 pages and 8 classes comes up.
SAMPLE = LINKS if FULL else [LINKS[index] for index in range(0, 48, 3)]


@pytest.fixture(scope="module")
def on_warehouse(duckdb_url):
    previous = os.environ.get("MODQA_WAREHOUSE_URL")
    os.environ["MODQA_WAREHOUSE_URL"] = duckdb_url
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
    if previous is None:
        os.environ.pop("MODQA_WAREHOUSE_URL", None)
    else:
        os.environ["MODQA_WAREHOUSE_URL"] = previous


@pytest.mark.parametrize(("page", "params"), SAMPLE, ids=[str(i) for i in range(len(SAMPLE))])
def test_a_hostile_link_shows_the_page_with_plain_warnings(on_warehouse, page, params):
    # Caches stay warm across links, as on a server, so the sample stays fast.
    app = AppTest.from_file(APP, default_timeout=120)
    app.switch_page(PAGE_FILES[page])
    for key, values in params.items():
        app.query_params[key] = values
    app.run()
    assert not app.exception, app.exception
    assert page_markup(app) == []
    assert not any("Something went wrong" in str(error.value) for error in app.error)
