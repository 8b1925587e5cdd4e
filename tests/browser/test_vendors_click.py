"""A QA lead clicks the planted low moderator on the funnel plot in Chromium and gets their
detail, with the moderator held in the URL so the view can be shared."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

SHARED = "/vendors?start=2026-08-31&end=2026-11-22&grain=week"
MODERATOR = "M0042"
FUNNEL = "[class*=st-key-vendors-funnel]"


def wait_for_funnel(page) -> None:
    """Wait until the moderator funnel's points are drawn and no query runs."""
    page.wait_for_function(
        f"document.querySelectorAll('{FUNNEL} .scatterlayer .point').length > 100",
        timeout=90_000,
    )
    page.wait_for_function("!document.querySelector('[data-testid=stSpinner]')", timeout=60_000)


def point_of(page, unit: str):
    """Return the locator of a unit's point: its trace and index found in the plot's data."""
    trace, index = page.locator(f"{FUNNEL} .js-plotly-plot").evaluate(
        """(plot, unit) => {
            for (const [t, trace] of plot.data.entries()) {
                const i = (trace.customdata || []).findIndex(row => row && row[0] === unit);
                if (i >= 0) return [t, i];
            }
            return [-1, -1];
        }""",
        unit,
    )
    assert trace >= 0, f"{unit} is not on the funnel plot"
    # Every trace of the funnel plot is a scatter, so its layer lists them in data order.
    return page.locator(f"{FUNNEL} .scatterlayer .trace").nth(trace).locator(".point").nth(index)


def click_centre(page, locator) -> None:
    """Click the middle of an element by position: Plotly's drag layer sits above its points."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def url_moderator(page) -> list[str]:
    return parse_qs(urlsplit(page.evaluate("location.href")).query).get("moderator", [])


def test_clicking_a_moderator_on_the_funnel_shows_their_detail_and_puts_them_in_the_url(
    page, planted_app_url
):
    page.goto(planted_app_url + SHARED)
    wait_for_funnel(page)
    assert url_moderator(page) == []
    assert page.get_by_role("heading", name=f"Moderator {MODERATOR}").count() == 0

    click_centre(page, point_of(page, MODERATOR))

    page.get_by_role("heading", name=f"Moderator {MODERATOR}").wait_for(timeout=60_000)
    page.wait_for_function(f"location.search.includes('moderator={MODERATOR}')", timeout=30_000)
    assert url_moderator(page) == [MODERATOR]
    page.get_by_text(f"inspected decisions for moderator {MODERATOR}, newest first").wait_for(
        timeout=60_000
    )
    page.wait_for_function("!document.querySelector('[data-testid=stSpinner]')", timeout=60_000)
    assert page.get_by_text("below the 99.8% funnel limits").count() >= 1
    assert page.locator("[data-testid=stException]").count() == 0
    screenshot(page, "vendors-moderator-click")

    shared = page.context.new_page()
    shared.goto(page.evaluate("location.href"))
    shared.get_by_role("heading", name=f"Moderator {MODERATOR}").wait_for(timeout=90_000)
    assert url_moderator(shared) == [MODERATOR], "the link reopens the same moderator"
