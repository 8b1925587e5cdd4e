"""The exported weekly report opens from a file in Chromium with no network, charts drawn."""

from __future__ import annotations

from pathlib import Path

import pytest

from review.__main__ import link_builder
from review.report import render_html
from review.weekly import build_review
from tests.browser.conftest import ARTIFACTS
from tests.conftest import read_only

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report_file(duckdb_url, tmp_path_factory) -> tuple[Path, int]:
    """Return a report of 2026-W45 on the test warehouse, written to a file, and its figures."""
    engine = read_only(duckdb_url)
    review = build_review(engine, "2026-W45")
    engine.dispose()
    document = render_html(review, link_for=link_builder("http://localhost:8501"))
    path = tmp_path_factory.mktemp("report") / "weekly-review-2026-W45.html"
    path.write_text(document, encoding="utf-8")
    return path, document.count('class="plotly-graph-div"')


def test_the_report_draws_its_charts_offline(page, report_file):
    path, figures = report_file
    requested: list[str] = []

    def offline(route) -> None:
        # Only the file itself may load; anything from a network is refused and recorded.
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            requested.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    page.goto(path.as_uri())
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {figures}",
        timeout=30_000,
    )
    assert figures >= 5
    assert page.locator(".js-plotly-plot").count() == figures
    # Drawn, not just laid out: the trend lines and the forest plot's dots have paths.
    assert page.locator("#figure-trend-accuracy .scatterlayer path").count() > 0
    assert page.locator("#figure-movers .scatterlayer .point").count() > 0
    assert "Penalty rate in BR rose from" in page.locator("#summary").inner_text()
    assert requested == [], f"the report asked the network for {requested}"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "weekly-report-offline.png"), full_page=True)
