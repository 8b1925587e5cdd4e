"""ISO weeks as the weekly review reads them from a link or the command line."""

from __future__ import annotations

import datetime as dt

import pytest

from review.weeks import describe_week, is_iso_week, last_complete_week, shift_week, week_range
from ui.links import default_range


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("2026-W40", True),
        ("2026-W01", True),
        ("2026-W53", True),  # 2026 starts on a Thursday: it has 53 ISO weeks
        ("2025-W53", False),  # 2025 has 52
        ("2026-W00", False),
        ("2026-W54", False),
        ("2026-w40", False),
        ("2026W40", False),
        ("26-W40", False),
        ("2026-W4", False),
        (" 2026-W40", False),
        ("2026-W40 ", False),
        ("0001-W01", False),
        ("1999-W10", False),  # outside the years a link may name
        ("2101-W10", False),
        ("\u0662\u0660\u0662\u0666-W\u0664\u0664", False),  # Arabic-Indic digits
        ("２０２６-W４０", False),  # full-width digits
        ("2026-W40'; DROP TABLE decisions; --", False),
        ("", False),
    ],
)
def test_only_valid_iso_weeks_are_accepted(text, valid):
    assert is_iso_week(text) is valid


def test_a_week_runs_monday_to_sunday_and_steps_across_years():
    assert week_range("2026-W44") == (dt.date(2026, 10, 26), dt.date(2026, 11, 1))
    assert week_range("2026-W01") == (dt.date(2025, 12, 29), dt.date(2026, 1, 4))
    assert shift_week("2026-W01", -1) == "2025-W52"
    assert shift_week("2026-W53", 1) == "2027-W01"
    assert describe_week("2026-W01") == "2026-W01 (29 Dec 2025 – 4 Jan 2026)"


@pytest.mark.parametrize(
    "latest",
    [
        dt.datetime(2026, 11, 22, 23, 59),  # Sunday night: that week is complete
        dt.datetime(2026, 11, 22, 9, 0),  # Sunday morning: it is not
        dt.datetime(2026, 11, 23, 0, 30),  # early Monday
        dt.datetime(2026, 11, 25, 12, 0),  # mid-week
    ],
)
def test_the_last_complete_week_follows_the_dashboards_default_range(latest):
    sunday = default_range(latest, weeks=1)[1]
    assert week_range(last_complete_week(latest))[1] == sunday
