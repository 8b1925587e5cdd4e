"""The README's example links show their planted signal on a demo built on any day.

The demo is built with default arguments as if today were two different dates: Monday
23 Nov 2026 (data ending on a Sunday, the fixture shared with other tests) and Thursday
3 Dec 2026 (data ending mid-week). Every link the README lists under "Example links" is
opened on both, and must show its signal.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from data_access import demo
from tests.pages.elements import figure, table, traces

README = Path(__file__).resolve().parents[2] / "README.md"


def _moved(app):
    return table(app, "Open")


def overview_shows_the_id_listing_drop(app) -> bool:
    fig = figure(app, "overview-grid")
    (significant,) = traces(fig, "significant")
    z = dict(zip(significant["y"], significant["z"], strict=True))
    column = significant["x"].index("Listings")
    return z["Indonesia"][column] is not None and z["Indonesia"][column] < -3


def overview_marks_the_penalty_rate_tile_worse(app) -> bool:
    notes = [c.value for c in app.caption if c.value.startswith(("95% interval", "Too few"))]
    return len(notes) == 4 and "significantly worse" in notes[3]


def overview_shows_the_brazil_penalty_jump(app) -> bool:
    fig = figure(app, "overview-grid")
    (significant,) = traces(fig, "significant")
    z = dict(zip(significant["y"], significant["z"], strict=True))
    return all(value is not None and value > 5 for value in z["Brazil"])


def review_lists(*wanted: tuple[str, str]):
    def check(app) -> bool:
        moved = _moved(app)
        pairs = set(zip(moved["Metric"], moved["Segment"], strict=True))
        return all(
            any(metric == m and segment in s for m, s in pairs) for metric, segment in wanted
        )

    return check


# Link (as written in the README) -> (page file, query parameters, check).
LINKS = {
    "http://localhost:8501/": ("pages/overview.py", {}, overview_marks_the_penalty_rate_tile_worse),
    "http://localhost:8501/?judge=4_weeks": (
        "pages/overview.py",
        {"judge": "4_weeks"},
        overview_shows_the_id_listing_drop,
    ),
    "http://localhost:8501/?metric=penalty_rate": (
        "pages/overview.py",
        {"metric": "penalty_rate"},
        overview_shows_the_brazil_penalty_jump,
    ),
    "http://localhost:8501/weekly_review?week=latest&section=moved": (
        "pages/weekly_review.py",
        {"week": "latest", "section": "moved"},
        review_lists(("Penalty rate", "Brazil")),
    ),
    "http://localhost:8501/weekly_review?week=latest-2&section=moved": (
        "pages/weekly_review.py",
        {"week": "latest-2", "section": "moved"},
        review_lists(("Accuracy", "Indonesia · Listings")),
    ),
    "http://localhost:8501/weekly_review?week=latest-6&section=moved": (
        "pages/weekly_review.py",
        {"week": "latest-6", "section": "moved"},
        review_lists(("Appeal overturn rate", "Keyword stuffing"), ("Accuracy", "M0042")),
    ),
}


@pytest.fixture(scope="module")
def midweek_url(tmp_path_factory) -> str:
    """Return a default demo built as if today were Thursday 3 Dec 2026 (data to Wednesday)."""
    path = tmp_path_factory.mktemp("midweek") / "demo.duckdb"
    demo.build(f"duckdb:///{path}", demo.DemoSpec(end=dt.date(2026, 12, 2)))
    return f"duckdb:///{path}"


def test_the_readme_lists_exactly_these_example_links():
    listed = set(re.findall(r"<(http://localhost:8501/[^>]*)>", README.read_text("utf-8")))
    assert set(LINKS) <= listed


@pytest.mark.parametrize("today", ["2026-11-23", "2026-12-03"])
def test_each_readme_link_shows_its_signal(today, request, monkeypatch):
    from tests.pages.conftest import _app_factory

    url = request.getfixturevalue("planted_url" if today == "2026-11-23" else "midweek_url")
    open_link = _app_factory(url, monkeypatch)
    failed = []
    for link, (page, params, check) in LINKS.items():
        app = open_link(page=page, **params)
        if app.exception or not check(app):
            failed.append(link)
    assert failed == []
