"""A QA lead clicks a bar, then a matrix cell, in Chromium and gets that label's decisions."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from data_access.demo import LABELS
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

SHARED = "/labels?start=2026-08-31&end=2026-11-22&grain=week&label_sort=overturn_rate"
# The page shows label names; the link carries codes.
LABEL_CODES = {name: code for area in LABELS.values() for code, name, *_ in area}
# The two labels the demo plants with high overturn rates: the one that starts late, and
# the persistent one; over this span they top the overturn ranking together.
PLANTED_LABELS = ("Keyword stuffing", "Harassment")
BARS = "[class*=st-key-labels-bars]"
MATRIX = "[class*=st-key-labels-confusion]"


def wait_for_page(page, drawn: str) -> None:
    """Wait until the label table and the open section's chart are drawn and no query runs."""
    page.wait_for_selector("[data-testid=stDataFrame]", timeout=90_000)
    page.wait_for_function(f"document.querySelectorAll('{drawn}').length > 0", timeout=60_000)
    page.wait_for_function("!document.querySelector('[data-testid=stSpinner]')", timeout=60_000)


def wait_for_run_end(page) -> None:
    """Wait until the script's run has ended and the frontend has removed what it left out:
    until then the previous run's elements stand on the page, marked stale."""
    page.wait_for_function(
        "document.querySelector('[data-testid=stApp]')"
        "?.getAttribute('data-test-script-state') === 'notRunning'"
        " && document.querySelectorAll('[data-stale=true]').length === 0",
        timeout=60_000,
    )


def click_centre(page, locator) -> None:
    """Click the middle of an element by position: Plotly's drag layer sits above its points."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def wait_for_detail(page, label: str) -> None:
    """Wait until the detail and drill-through list of ``label`` are shown."""
    page.get_by_role("heading", name=f"Label detail: {label}").wait_for(timeout=60_000)
    page.get_by_text(f"inspected decisions for {label}, newest first").wait_for(timeout=60_000)
    page.wait_for_function("!document.querySelector('[data-testid=stSpinner]')", timeout=60_000)


def tick_labels(page, chart: str) -> list[str]:
    """Return a chart's y-axis labels from top to bottom, as the user reads them."""
    ticks = page.locator(f"{chart} .ytick text").evaluate_all(
        "ts => ts.map(t => [t.getBoundingClientRect().top, t.textContent])"
    )
    return [text for _, text in sorted(ticks)]


def url_label(page) -> list[str]:
    return parse_qs(urlsplit(page.evaluate("location.href")).query).get("label_detail", [])


def drill_grid_text(page) -> str:
    """Return the text of the drill-through table's accessible grid."""
    grid = page.locator("[data-testid=stDataFrame]").filter(has_text="Moderator label")
    return grid.locator("[role=grid]").text_content()


def test_clicking_a_bar_shows_that_label_its_decisions_and_puts_it_in_the_url(
    page, planted_app_url
):
    page.goto(planted_app_url + SHARED)
    wait_for_page(page, f"{BARS} .barlayer .point")
    top = tick_labels(page, BARS)[0]
    assert top in PLANTED_LABELS, "a planted label tops the overturn bars"
    assert url_label(page) == []

    click_centre(page, page.locator(f"{BARS} .barlayer .point").first)

    wait_for_detail(page, top)
    page.wait_for_function(f"location.search.includes('label_detail={LABEL_CODES[top]}')")
    assert url_label(page) == [LABEL_CODES[top]]
    assert top in drill_grid_text(page)
    assert page.get_by_text(re.compile(r"^Page 1 of \d+$")).count() == 1
    assert page.locator("[data-testid=stException]").count() == 0
    screenshot(page, "labels-bar-click")


def test_clicking_a_matrix_cell_chooses_its_moderator_label(page, planted_app_url):
    page.goto(planted_app_url + SHARED)
    wait_for_page(page, f"{BARS} .barlayer .point")
    # The matrix is a section of its own: its tab opens it and puts it in the link.
    page.get_by_role("tab", name="Moderator vs QA label").click()
    wait_for_page(page, f"{MATRIX} .heatmaplayer, {MATRIX} .hm")
    page.wait_for_function("location.search.includes('section=matrix')")
    wait_for_run_end(page)
    assert page.locator(f"{BARS} .barlayer .point").count() == 0, "one section at a time"
    names = tick_labels(page, MATRIX)
    label = names[2]  # the second-busiest label; row 0 is "approve"
    assert names[0] == "Approve" and label not in ("Other", *PLANTED_LABELS)
    cells = page.locator(f"{MATRIX} .nsewdrag").first
    cells.scroll_into_view_if_needed()
    box = cells.bounding_box()
    # Row 2, first column ("approve"): where QA approved what the moderator rejected.
    page.mouse.click(
        box["x"] + box["width"] / (2 * len(names)),
        box["y"] + box["height"] * 2.5 / len(names),
    )

    wait_for_detail(page, label)
    page.wait_for_function(f"location.search.includes('label_detail={LABEL_CODES[label]}')")
    assert url_label(page) == [LABEL_CODES[label]]
    assert label in drill_grid_text(page)
    # The open section stays in the link with the chosen label: the link reproduces the view.
    assert "section=matrix" in page.evaluate("location.search")
    screenshot(page, "labels-matrix-click")
