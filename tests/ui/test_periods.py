"""Complete periods as a table: presets snap to whole weeks; partial periods are left out."""

from __future__ import annotations

import datetime as dt

import pytest

from ui.periods import (
    complete_from,
    complete_through,
    matching_preset,
    preset_range,
    resolve_week,
    snap_to_periods,
)

D = dt.date
# Data loaded through Monday 30 Nov 2026 23:59: the week of 30 Nov holds one day.
LATEST = dt.datetime(2026, 11, 30, 23, 59, 58)


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("last_week", (D(2026, 11, 23), D(2026, 11, 29))),
        ("last_4_weeks", (D(2026, 11, 2), D(2026, 11, 29))),
        ("last_13_weeks", (D(2026, 8, 31), D(2026, 11, 29))),
        ("last_26_weeks", (D(2026, 6, 1), D(2026, 11, 29))),
        # Q4 starts Thursday 1 Oct; its first whole week starts Monday 5 Oct.
        ("quarter_to_date", (D(2026, 10, 5), D(2026, 11, 29))),
    ],
)
def test_presets_are_whole_weeks_ending_with_the_last_complete_week(preset, expected):
    start, end = preset_range(preset, LATEST)
    assert (start, end) == expected
    assert start.weekday() == 0 and end.weekday() == 6
    assert matching_preset(start, end, LATEST) == preset


def test_quarter_to_date_before_a_whole_week_of_the_quarter_is_the_last_week():
    # Last complete week ends Sunday 4 Oct 2026; Q4's first Monday is 5 Oct.
    assert preset_range("quarter_to_date", dt.datetime(2026, 10, 6, 12)) == (
        D(2026, 9, 28),
        D(2026, 10, 4),
    )


def test_a_day_counts_as_covered_only_when_data_reaches_its_last_hour():
    assert complete_through(dt.datetime(2026, 11, 30, 23, 10)) == D(2026, 11, 30)
    assert complete_through(dt.datetime(2026, 11, 30, 9, 0)) == D(2026, 11, 29)
    assert complete_from(dt.datetime(2026, 6, 1, 0, 0, 9)) == D(2026, 6, 1)
    assert complete_from(dt.datetime(2026, 6, 1, 8, 0)) == D(2026, 6, 2)


@pytest.mark.parametrize(
    ("args", "kept", "left_out"),
    [
        # Streamlit's "past week": Tuesday 24 Nov to Tuesday 1 Dec, data through Monday 30 Nov.
        (
            (D(2026, 11, 24), D(2026, 12, 1), "week", None, D(2026, 11, 30)),
            (None, None),
            [
                "the week of 23 Nov 2026 (partial: 6 of 7 days)",
                "the week of 30 Nov 2026 (partial: 1 of 7 days)",
            ],
        ),
        # Full range by week: the one-day final week is left out.
        (
            (D(2026, 6, 1), D(2026, 11, 30), "week", D(2026, 6, 1), D(2026, 11, 30)),
            (D(2026, 6, 1), D(2026, 11, 29)),
            ["the week of 30 Nov 2026 (partial: 1 of 7 days)"],
        ),
        # A range ending on a Wednesday.
        (
            (D(2026, 10, 5), D(2026, 11, 18), "week", None, None),
            (D(2026, 10, 5), D(2026, 11, 15)),
            ["the week of 16 Nov 2026 (partial: 3 of 7 days)"],
        ),
        # Months: September from the 14th (17 of 30 days), November to the 22nd (22 of 30).
        (
            (D(2026, 9, 14), D(2026, 11, 22), "month", None, None),
            (D(2026, 10, 1), D(2026, 10, 31)),
            [
                "the month of 01 Sep 2026 (partial: 17 of 30 days)",
                "the month of 01 Nov 2026 (partial: 22 of 30 days)",
            ],
        ),
        # Whole weeks stay as they are; the data's limits cut silently where nothing was lost.
        (
            (D(2026, 8, 24), D(2026, 11, 22), "week", D(2026, 9, 14), D(2026, 11, 22)),
            (D(2026, 9, 14), D(2026, 11, 22)),
            [],
        ),
        # Days are whole by construction, up to the data's last complete day.
        (
            (D(2026, 11, 20), D(2026, 12, 3), "day", None, D(2026, 11, 30)),
            (D(2026, 11, 20), D(2026, 11, 30)),
            [],
        ),
    ],
)
def test_a_range_is_cut_to_complete_periods(args, kept, left_out):
    snapped = snap_to_periods(*args)
    assert (snapped.start, snapped.end) == kept
    assert list(snapped.left_out) == left_out


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("latest", "2026-W47"),
        ("latest-1", "2026-W46"),
        ("latest-6", "2026-W41"),
        ("latest-47", "2025-W52"),
        ("2026-W40", "2026-W40"),
        ("latest+1", None),
        ("2026-W54", None),
        ("newest", None),
    ],
)
def test_relative_weeks_resolve_against_the_last_complete_week(value, expected):
    assert resolve_week(value, "2026-W47") == expected
