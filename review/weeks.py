"""ISO weeks (``2026-W44``, Monday to Sunday, UTC) as the weekly review names them."""

from __future__ import annotations

import datetime as dt
import re

# Years outside this range are typing mistakes, and stepping back 12 weeks from year 1
# would overflow ``datetime.date``.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# [0-9], not \d: \d also matches Arabic-Indic and other Unicode digits.
_ISO_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")


def week_monday(week: str) -> dt.date:
    """Return the Monday that starts an ISO week written ``YYYY-Www``; ValueError otherwise."""
    match = _ISO_WEEK.fullmatch(week)
    if match is None:
        raise ValueError(f"{week!r} is not an ISO week like 2026-W40")
    year, number = int(match[1]), int(match[2])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"{week!r} is outside the years {FIRST_YEAR}-{LAST_YEAR}")
    # fromisocalendar rejects week 0 and a week 53 in a year that has only 52.
    return dt.date.fromisocalendar(year, number, 1)


def is_iso_week(week: str) -> bool:
    """Return True when ``week`` is a valid ISO week written ``YYYY-Www``."""
    try:
        week_monday(week)
    except ValueError:
        return False
    return True


def iso_week(day: dt.date) -> str:
    """Return the ISO week ``YYYY-Www`` that contains a day."""
    year, number, _ = day.isocalendar()
    return f"{year}-W{number:02d}"


def week_range(week: str) -> tuple[dt.date, dt.date]:
    """Return the week's Monday and Sunday (both included)."""
    monday = week_monday(week)
    return monday, monday + dt.timedelta(days=6)


def shift_week(week: str, weeks: int) -> str:
    """Return the ISO week ``weeks`` weeks after (negative: before) ``week``."""
    return iso_week(week_monday(week) + dt.timedelta(weeks=weeks))


def last_complete_week(latest_data: dt.datetime) -> str:
    """Return the last Monday-to-Sunday week that the data covers completely.

    The latest day counts as complete only when data reaches its last hour, the rule of the
    dashboard's default date range, because a warehouse loaded this morning holds a partial
    today.
    """
    complete_through = (latest_data + dt.timedelta(hours=1)).date() - dt.timedelta(days=1)
    last_sunday = complete_through - dt.timedelta(days=(complete_through.weekday() + 1) % 7)
    return iso_week(last_sunday)


def describe_week(week: str) -> str:
    """Return the week with its dates for captions, e.g. ``2026-W44 (26 Oct – 1 Nov 2026)``."""
    monday, sunday = week_range(week)
    first = f"{monday.day} {monday:%b}" + (f" {monday.year}" if monday.year != sunday.year else "")
    return f"{week} ({first} – {sunday.day} {sunday:%b %Y})"
