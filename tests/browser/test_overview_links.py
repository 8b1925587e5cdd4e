"""A stakeholder opens a shared Overview link in Chromium, copies it, and opens it again."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

SHARED = (
    "/?start=2026-09-14&end=2026-11-08&grain=week&market=ID&market=US"
    "&policy=listing&policy=ipr&metric=overturn_rate"
)


def wait_for_view(page) -> None:
    """Wait until the tiles and both charts are drawn."""
    page.wait_for_selector("[data-testid=stMetric]", timeout=90_000)
    page.wait_for_function(
        "document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2", timeout=60_000
    )
    page.wait_for_function("!document.querySelector('[data-testid=stSpinner]')", timeout=60_000)


def sidebar_view(page) -> dict:
    """Return what the sidebar widgets show."""
    sidebar = page.locator("[data-testid=stSidebar]")
    return {
        "chips": [
            chip.get_attribute("aria-label")
            for chip in sidebar.locator(".react-aria-ComboBox span[data-tag]").all()
        ],
        "metric": sidebar.locator("[data-testid=stSelectbox] input").first.input_value()
        or sidebar.locator("[data-testid=stSelectbox] [role=combobox]").first.inner_text(),
        "dates": [
            date.input_value()
            for date in sidebar.locator("[data-testid=stDateInput] input[type=date]").all()
        ],
    }


def test_shared_link_reproduces_the_view_and_its_share_link_does_too(page, app_url):
    page.goto(app_url + SHARED)
    wait_for_view(page)
    shown = sidebar_view(page)
    assert [chip.strip() for chip in shown["chips"]] == [
        "Indonesia",
        "United States",
        "Listings",
        "Intellectual property",
    ]
    assert "Appeal overturn rate" in shown["metric"]
    assert shown["dates"] == ["2026-09-14", "2026-11-08"]
    assert page.locator(".js-plotly-plot .scatterlayer .trace").count() >= 2, "trend drawn"
    assert page.locator(".js-plotly-plot .heatmaplayer, .js-plotly-plot .hm").count() >= 1
    screenshot(page, "overview-shared-link")

    page.locator("[data-testid=stSidebar]").get_by_role("button", name="Share this view").click()
    code = page.locator("[data-testid=stPopoverBody] [data-testid=stCode]")
    code.hover()
    code.get_by_role("button", name="Copy to clipboard").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    # The share link carries every value of the opened link, plus the view's defaults made
    # explicit (judged period, comparison, as-of), so it reproduces the view later too.
    carried = parse_qs(urlsplit(copied).query)
    assert {key: carried.get(key) for key in parse_qs(urlsplit(SHARED).query)} == parse_qs(
        urlsplit(SHARED).query
    )
    assert "asof" in carried

    second = page.context.new_page()
    second.goto(copied)
    wait_for_view(second)
    assert sidebar_view(second) == shown
    assert parse_qs(urlsplit(second.url).query) == carried


def test_a_bad_link_shows_a_warning_and_the_view(page, app_url):
    page.goto(app_url + "/?market=ZZ&market=ID&start=not-a-date")
    wait_for_view(page)
    warning = page.locator("[data-testid=stAlertContentWarning]").inner_text()
    assert "“ZZ” is not a market" in warning
    assert "is not a date" in warning
    assert page.locator("[data-testid=stException]").count() == 0
    screenshot(page, "overview-bad-link")
