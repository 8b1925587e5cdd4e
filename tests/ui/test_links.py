"""Link rules as a table: what a URL yields, and what it warns about."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access.filters import Filters
from ui.links import (
    MAX_VALUES,
    Choice,
    View,
    ascii_number,
    default_range,
    describe_filters,
    page_number,
    parse_date,
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


WINDOW = (dt.date(2000, 1, 1), dt.date(2100, 12, 31))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-09-28", dt.date(2026, 9, 28)),
        (" 2026-09-28 ", dt.date(2026, 9, 28)),
        ("2000-01-01", dt.date(2000, 1, 1)),
        ("2100-12-31", dt.date(2100, 12, 31)),
        ("1999-12-31", None),  # before the window
        ("2101-01-01", None),  # after it
        ("9999-12-31", None),  # the last day of the calendar: end + 1 day would overflow
        ("0001-01-01", None),  # the first: the previous period would overflow
        ("1000-01-01", None),
        ("20260928", None),  # fromisoformat reads this basic form; links do not
        ("2026-W40-1", None),  # nor ISO week dates
        ("2026-09-28T10:00", None),
        ("\u0662\u0660\u0662\u0666-09-28", None),  # Arabic-Indic digits
        ("２０２６-09-28", None),  # full-width digits
        ("2026-02-30", None),
        ("", None),
        ("x" * 10_000, None),
    ],
)
def test_dates_are_ascii_iso_days_inside_the_window(raw, expected):
    assert parse_date(raw, WINDOW) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        ("10000", 10_000),
        ("0", None),
        ("10001", None),
        ("\u00b2", None),  # superscript two: isdigit() is True, int() fails
        ("\u0663", None),  # Arabic-Indic three: int() would read 3
        ("３", None),  # full-width three
        ("-1", None),
        ("+2", None),
        (" 2", None),
        ("1e3", None),
        ("", None),
        ("0" * 5000 + "1", None),  # int() refuses strings over 4,300 digits
    ],
)
def test_page_numbers_are_ascii_digits_within_bounds(raw, expected):
    assert ascii_number(raw, 1, 10_000) == expected
    assert page_number(raw) is (expected is not None)


@pytest.mark.parametrize(
    "params",
    [
        {"start": ["9999-12-31"], "end": ["9999-12-31"]},
        {"start": ["0001-01-01"], "end": ["0001-01-01"]},
        {"start": ["1000-01-01"]},
    ],
)
def test_dates_at_the_ends_of_the_calendar_fall_back_to_the_default(params):
    view, warnings = parse(params)
    assert view.filters == Filters(*DEFAULT)
    assert len(warnings) == len(params)
    assert all("between 2000-01-01 and 2100-12-31" in warning for warning in warnings)
    # The view the page then draws can step back a period without leaving the calendar.
    assert view.filters.previous_period().end == DEFAULT[0] - dt.timedelta(days=1)


def test_a_link_repeating_a_list_is_read_up_to_the_cap_with_few_warnings():
    view, warnings = parse({"market": ["ID"] + [f"Z{i}" for i in range(MAX_VALUES * 50)]})
    assert view.filters.markets == ("ID",)
    assert f"only the first {MAX_VALUES} were read" in warnings[0]
    # Five lines about unknown markets, the last one counting the rest.
    assert len(warnings) == 1 + 5
    assert warnings[-1] == f"{MAX_VALUES - 1 - 4} more like these were left out too."


def test_many_unknown_parameters_are_summed_up():
    _, warnings = parse({f"p{i}": ["1"] for i in range(1000)})
    assert len(warnings) == 5
    assert warnings[-1] == "996 more like these were left out too."


@pytest.mark.parametrize(
    ("start", "previous"),
    [
        (dt.date(2026, 10, 1), (dt.date(2026, 9, 1), dt.date(2026, 9, 30))),
        (dt.date.min + dt.timedelta(days=3), (dt.date.min, dt.date.min + dt.timedelta(days=2))),
        (dt.date.min, (dt.date.min, dt.date.min)),
    ],
)
def test_the_previous_period_never_leaves_the_calendar(start, previous):
    filters = Filters(start, start + dt.timedelta(days=29))
    earlier = filters.previous_period()
    assert (earlier.start, earlier.end) == previous
