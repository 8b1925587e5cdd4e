"""Every generated hostile link goes through the link parser: no exception, only known
values kept, dates inside the window, and warnings that render as plain text."""

from __future__ import annotations

import datetime as dt

from data_access.filters import Filters
from tests.hostile import markdown_tags
from tests.hostile_links import CLASSES, PAGES, hostile_links
from ui.drill import DRILL_PAGE
from ui.links import EARLIEST_DATE, LATEST_DATE, Choice, parse_view
from ui.text import md

KNOWN = {
    "markets": ("BR", "ID", "US"),
    "policy_areas": ("content", "ipr", "listing", "partner"),
    "labels": ("listing_duplicate", "ipr_counterfeit"),
    "vendors": ("in_house", "northwind"),
    "queues": ("new_listing", "proactive"),
}
DEFAULT = (dt.date(2026, 8, 31), dt.date(2026, 11, 22))
CHOICES = [
    Choice("metric", ("accuracy", "overturn_rate"), "accuracy", "metric"),
    Choice("label_detail", KNOWN["labels"], "", "rejection label"),
    DRILL_PAGE,
]


def test_a_thousand_hostile_links_parse_to_safe_views():
    links = hostile_links()
    assert len(links) >= 1000
    shown: list[str] = []
    assert {page for page, _ in links} == set(PAGES) and len(CLASSES) == 8
    for _, params in links:
        view, warnings = parse_view(
            params,
            known=KNOWN,
            default_range=DEFAULT,
            dimensions=tuple(KNOWN),
            choices=CHOICES,
        )
        filters: Filters = view.filters
        assert EARLIEST_DATE <= filters.start <= filters.end <= LATEST_DATE
        filters.previous_period()  # never leaves the calendar
        for field, values in KNOWN.items():
            assert set(getattr(filters, field)) <= set(values)
        assert view.choices["metric"] in ("accuracy", "overturn_rate")
        page = view.choices["drill_page"]
        assert page == "" or (page.isascii() and 1 <= int(page) <= 10_000)
        assert len(warnings) <= 60
        shown += [f"- {md(warning)}" for warning in warnings]
    # All warnings as one Markdown list, the way the sidebar shows them: no tag anywhere.
    assert markdown_tags("\n".join(shown)) == []
