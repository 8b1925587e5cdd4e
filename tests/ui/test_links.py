"""Link rules as a table: what a URL yields, and what it warns about."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access.filters import Filters
from ui.links import (
    Choice,
    View,
    default_range,
    describe_filters,
    parse_view,
    share_url,
    view_params,
)

KNOWN = {
    "markets": ("BR", "ID", "US"),
    "policy_areas": ("content", "ipr", "listing", "partner"),
    "labels": ("listing_duplicate", "ipr_counterfeit"),
    "vendors": ("in_house", "northwind"),
    "queues": ("new_listing", "proactive"),
}
DEFAULT = (dt.date(2026, 8, 31), dt.date(2026, 11, 22))
METRIC = Choice("metric", ("accuracy", "overturn_rate"), "accuracy", "metric")


def parse(params, dimensions=("markets", "policy_areas")):
    return parse_view(
        params, known=KNOWN, default_range=DEFAULT, dimensions=dimensions, choices=[METRIC]
    )


@pytest.mark.parametrize(
    ("params", "filters", "metric", "warning_parts"),
    [
        ({}, Filters(*DEFAULT), "accuracy", []),
        (
            {
                "start": ["2026-09-07"],
                "end": ["2026-10-04"],
                "grain": ["month"],
                "market": ["ID", "US"],
                "policy": ["listing"],
                "metric": ["overturn_rate"],
            },
            Filters(dt.date(2026, 9, 7), dt.date(2026, 10, 4), "month", ("ID", "US"), ("listing",)),
            "overturn_rate",
            [],
        ),
        (
            {"market": ["ZZ", "ID"]},
            Filters(*DEFAULT, markets=("ID",)),
            "accuracy",
            ["“ZZ” is not a market"],
        ),
        (
            {"start": ["2026-13-40"]},
            Filters(*DEFAULT),
            "accuracy",
            ["start=“2026-13-40” is not a date"],
        ),
        (
            {"start": ["2026-11-01"], "end": ["2026-10-01"]},
            Filters(dt.date(2026, 10, 1), dt.date(2026, 11, 1)),
            "accuracy",
            ["ends (2026-10-01) before it starts (2026-11-01)", "swapped"],
        ),
        (
            {"market": ["US' OR '1'='1"]},
            Filters(*DEFAULT, markets=()),
            "accuracy",
            ["“US' OR '1'='1” is not a market"],
        ),
        ({"grain": ["fortnight"]}, Filters(*DEFAULT), "accuracy", ["grain=“fortnight”"]),
        (
            {"metric": ["DROP TABLE"]},
            Filters(*DEFAULT),
            "accuracy",
            ["“DROP TABLE” is not a metric", "accuracy is shown instead"],
        ),
        (
            {"label": ["listing_duplicate"]},
            Filters(*DEFAULT),
            "accuracy",
            ["does not filter by rejection label"],
        ),
        ({"colour": ["red"]}, Filters(*DEFAULT), "accuracy", ["“colour” is not used"]),
        (
            {"end": ["2026-10-04", "2026-10-11"]},
            Filters(DEFAULT[0], dt.date(2026, 10, 4)),
            "accuracy",
            ["gives end 2 times"],
        ),
        ({"market": ["x" * 500]}, Filters(*DEFAULT), "accuracy", ["…” is not a market"]),
        ({"embed": ["true"]}, Filters(*DEFAULT), "accuracy", []),
    ],
)
def test_links_yield_the_view_and_say_what_was_dropped(params, filters, metric, warning_parts):
    view, warnings = parse(params)
    assert view.filters == filters
    assert view.choices == {"metric": metric}
    assert len(warnings) == (1 if warning_parts else 0)
    for part in warning_parts:
        assert part in warnings[0]


def test_overlong_values_are_shortened_in_warnings():
    _, warnings = parse({"market": ["x" * 500]})
    assert len(warnings[0]) < 120


def test_page_with_labels_keeps_known_labels_only():
    view, warnings = parse(
        {"label": ["listing_duplicate", "nope"]}, dimensions=("markets", "labels")
    )
    assert view.filters.labels == ("listing_duplicate",)
    assert warnings == ["“nope” is not a rejection label in this warehouse, so it was left out."]


def test_written_links_always_carry_explicit_dates_and_read_back_the_same():
    view = View(
        Filters(dt.date(2026, 9, 7), dt.date(2026, 10, 4), "day", ("ID",), ("ipr",)),
        {"metric": "overturn_rate"},
    )
    params = view_params(view)
    assert params["start"] == ["2026-09-07"] and params["end"] == ["2026-10-04"]
    again, warnings = parse(params)
    assert (again, warnings) == (view, [])


def test_share_url_encodes_every_filter():
    view = View(
        Filters(dt.date(2026, 9, 7), dt.date(2026, 10, 4), markets=("ID", "US")),
        {"metric": "accuracy"},
    )
    assert share_url("http://host:8501/labels?old=1", view) == (
        "http://host:8501/labels?start=2026-09-07&end=2026-10-04&grain=week"
        "&market=ID&market=US&metric=accuracy"
    )


@pytest.mark.parametrize(
    ("latest", "expected_end"),
    [
        (dt.datetime(2026, 11, 22, 23, 59, 58), dt.date(2026, 11, 22)),  # Sunday, day complete
        (dt.datetime(2026, 11, 22, 9, 0), dt.date(2026, 11, 15)),  # Sunday morning: partial
        (dt.datetime(2026, 11, 24, 23, 59), dt.date(2026, 11, 22)),  # Tuesday
        (dt.datetime(2026, 11, 23, 0, 30), dt.date(2026, 11, 22)),  # just after midnight
    ],
)
def test_default_range_is_the_last_twelve_complete_weeks(latest, expected_end):
    start, end = default_range(latest)
    assert end == expected_end
    assert end.weekday() == 6 and start.weekday() == 0
    assert (end - start).days + 1 == 84


def test_filters_are_described_in_words():
    filters = Filters(
        dt.date(2026, 9, 7), dt.date(2026, 10, 4), markets=("ID",), policy_areas=("ipr", "listing")
    )
    assert describe_filters(filters) == (
        "07 Sep 2026 – 04 Oct 2026 · market ID · policy areas ipr, listing"
    )
