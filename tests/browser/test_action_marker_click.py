"""A manager clicks a recorded action's marker on the Overview trend and gets its impact card."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from appdb import actions
from appdb.store import open_app_db
from tests.browser.conftest import _serve, screenshot
from tests.browser.test_vendors_click import click_centre

pytestmark = pytest.mark.browser

TITLE = "Retrained Northwind in Indonesia"
TREND = "[class*=st-key-overview-trend]"


@pytest.fixture(scope="module")
def app_with_action(duckdb_url, tmp_path_factory):
    """Return the address of the app whose app database holds one recorded action."""
    folder = tmp_path_factory.mktemp("streamlit-actions")
    engine = open_app_db(f"sqlite:///{folder / 'app.sqlite'}")
    actions.create_action(
        engine,
        actions.Action(
            title=TITLE,
            kind="training",
            start=dt.date(2026, 10, 12),
            markets=("ID",),
            vendors=("northwind",),
        ),
    )
    engine.dispose()
    yield from _serve(duckdb_url, folder)


def test_clicking_an_action_marker_opens_the_action_and_its_impact_card(page, app_with_action):
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(app_with_action + "/?start=2026-08-31&end=2026-11-22&grain=week")
    page.wait_for_function(
        f"document.querySelectorAll('{TREND} .scatterlayer .point').length > 20", timeout=90_000
    )
    page.wait_for_function("!document.querySelector('[data-testid=stSpinner]')", timeout=60_000)
    screenshot(page, "overview-action-marker")
    trace = page.locator(f"{TREND} .js-plotly-plot").evaluate(
        """plot => plot.data.findIndex(t => (t.meta || {}).role === 'action')"""
    )
    assert trace >= 0, "the action is not on the Overview trend"
    marker = page.locator(f"{TREND} .scatterlayer .trace").nth(trace).locator(".point").first
    click_centre(page, marker)

    page.get_by_role("heading", name=TITLE).wait_for(timeout=60_000)
    page.get_by_role("heading", name="Impact on accuracy").wait_for(timeout=60_000)
    page.wait_for_function("!document.querySelector('[data-testid=stSpinner]')", timeout=60_000)
    query = parse_qs(urlsplit(page.evaluate("location.href")).query)
    assert query["action"] == ["1"]
    assert query["start"] == ["2026-08-31"], "the view's dates travel with the click"
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.get_by_text("could not be used").count() == 0, "no warning about the link"
    screenshot(page, "actions-impact-card")
