"""Complete periods: date presets that snap to whole weeks, and ranges cut to whole periods.

Pure functions (no Streamlit). A period (day, Monday-to-Sunday week, calendar month) is
*complete* when both the chosen range and the data cover every one of its days; only complete
periods are drawn, compared or tested, so a one-day week never "plunges" to 50%.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# Preset name -> label, in the order the sidebar lists them. "custom" is any other range.
PRESETS = {
    "last_week": "Last week",
    "last_4_weeks": "Last 4 weeks",
    "last_13_weeks": "Last 13 weeks",
    "last_26_weeks": "Last 26 weeks",
    "quarter_to_date": "Quarter to date",
    "custom": "Custom range",
}
PRESET_WEEKS = {"last_week": 1, "last_4_weeks": 4, "last_13_weeks": 13, "last_26_weeks": 26}
DEFAULT_PRESET = "last_13_weeks"
GRAIN_NOUNS = {"day": "day", "week": "week", "month": "month"}


def complete_through(latest_data: dt.datetime) -> dt.date:
    """Return the last day the data covers fully.

    The latest day counts only when data reaches its last hour, because a warehouse loaded
    this morning holds a partial today.
    """
    return (latest_data + dt.timedelta(hours=1)).date() - dt.timedelta(days=1)


def complete_from(earliest_data: dt.datetime) -> dt.date:
    """Return the first day the data covers fully (data starting after 01:00 misses that day)."""
    day = earliest_data.date()
    return day if earliest_data.time() < dt.time(1) else day + dt.timedelta(days=1)


def last_sunday(day: dt.date) -> dt.date:
    """Return the Sunday ending the last complete Monday-to-Sunday week up to ``day``."""
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def preset_range(preset: str, latest_data: dt.datetime) -> tuple[dt.date, dt.date]:
    """Return the dates of a preset: whole weeks ending with the last complete week.

    Quarter to date starts on the first Monday of the quarter holding that week (so it too is
    whole weeks); early in a quarter, before one whole week, it is the last week.
    """
    end = last_sunday(complete_through(latest_data))
    if preset in PRESET_WEEKS:
        return end - dt.timedelta(days=7 * PRESET_WEEKS[preset] - 1), end
    if preset == "quarter_to_date":
        quarter_start = dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
        first_monday = quarter_start + dt.timedelta(days=(7 - quarter_start.weekday()) % 7)
        if first_monday > end:
            return end - dt.timedelta(days=6), end
        return first_monday, end
    raise ValueError(f"{preset!r} is not a date preset; choose one of {', '.join(PRESETS)}")


def matching_preset(start: dt.date, end: dt.date, latest_data: dt.datetime | None) -> str:
    """Return the preset whose dates are exactly ``start``-``end``, or "custom"."""
    if latest_data is None:
        return "custom"
    for preset in PRESETS:
        if preset != "custom" and preset_range(preset, latest_data) == (start, end):
            return preset
    return "custom"


def period_start(day: dt.date, grain: str) -> dt.date:
    """Return the first day of the period (day, ISO week, month) holding ``day``."""
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def period_last_day(first: dt.date, grain: str) -> dt.date:
    """Return the last day of the period starting on ``first``."""
    if grain == "week":
        return first + dt.timedelta(days=6)
    if grain == "month":
        following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return following - dt.timedelta(days=1)
    return first


@dataclass(frozen=True)
class Snapped:
    """A range cut to whole periods: the dates kept and the partial periods left out."""

    start: dt.date | None
    end: dt.date | None
    left_out: tuple[str, ...]

    @property
    def empty(self) -> bool:
        """Return True when the range holds no complete period."""
        return self.start is None


def _partial_note(first: dt.date, last: dt.date, covered: int, grain: str) -> str:
    total = (period_last_day(first, grain) - first).days + 1
    noun = GRAIN_NOUNS[grain]
    return (
        f"the {noun} of {first:%d %b %Y} (partial: {covered} of {total} days)"
        if grain != "day"
        else f"{first:%d %b %Y} (partial day)"
    )


def snap_to_periods(
    start: dt.date,
    end: dt.date,
    grain: str,
    data_from: dt.date | None = None,
    data_through: dt.date | None = None,
) -> Snapped:
    """Return the range cut to the periods that both it and the data cover completely.

    ``data_from``/``data_through`` are the first and last fully covered days of the data
    (None: not limiting). A period the range or the data only partly covers is left out and
    described ("the week of 30 Nov 2026 (partial: 1 of 7 days)") when some of it was asked for
    and holds data.
    """
    lower = max(start, data_from) if data_from else start
    upper = min(end, data_through) if data_through else end
    notes: list[str] = []
    first = period_start(lower, grain)
    kept_start = first if first == lower else period_last_day(first, grain) + dt.timedelta(days=1)
    if first != lower and lower <= upper:
        covered = (min(upper, period_last_day(first, grain)) - lower).days + 1
        notes.append(_partial_note(first, lower, covered, grain))
    last_first = period_start(upper, grain)
    whole_last = period_last_day(last_first, grain) == upper
    kept_end = upper if whole_last else last_first - dt.timedelta(days=1)
    if kept_end != upper and last_first >= kept_start and lower <= upper:
        covered = (upper - max(last_first, lower)).days + 1
        notes.append(_partial_note(last_first, upper, covered, grain))
    if kept_start > kept_end:
        return Snapped(None, None, tuple(notes))
    return Snapped(kept_start, kept_end, tuple(notes))


# What the Overview judges, and what it compares that with.
JUDGED = {
    "week": "Latest complete week",
    "4_weeks": "Latest complete 4 weeks",
    "13_weeks": "Latest complete 13 weeks",
    "range": "The whole chosen range",
}
JUDGED_WEEKS = {"week": 1, "4_weeks": 4, "13_weeks": 13}
AGAINST = {"trailing": "The 12 periods before it", "previous": "The period just before"}
TRAILING_PERIODS = 12


@dataclass(frozen=True)
class Comparison:
    """The period judged and the one it is compared with (None when no earlier data exists)."""

    judged: tuple[dt.date, dt.date]
    against: tuple[dt.date, dt.date] | None
    periods: int = 0  # whole judged-length periods in ``against``

    def describe(self) -> str:
        """Return the two spans in words, e.g. "23 – 29 Nov 2026 against the 12 weeks before"."""
        judged = describe_span(*self.judged)
        if self.against is None:
            return f"{judged}; no earlier data to compare it with"
        return f"{judged} against {describe_span(*self.against)}"


def describe_span(start: dt.date, end: dt.date) -> str:
    """Return a date span in words, e.g. "23 Nov – 29 Nov 2026"."""
    if start == end:
        return f"{start:%d %b %Y}"
    return f"{start:%d %b} – {end:%d %b %Y}"


def comparison(
    start: dt.date,
    end: dt.date,
    judged: str,
    against: str,
    data_from: dt.date | None,
) -> Comparison:
    """Return the judged span (whole weeks ending at ``end``, or the range) and its comparison.

    The comparison is the ``TRAILING_PERIODS`` periods of the judged length before it, or the
    one period before it, cut to the data's first complete day: only whole judged-length
    periods are kept, and with none left there is nothing to compare (``against`` None).
    """
    if judged in JUDGED_WEEKS:
        judged_end = last_sunday(end)
        judged_start = judged_end - dt.timedelta(days=7 * JUDGED_WEEKS[judged] - 1)
    else:
        judged_start, judged_end = start, end
    length = (judged_end - judged_start).days + 1
    wanted = TRAILING_PERIODS if against == "trailing" else 1
    available = wanted
    if data_from is not None:
        available = min(wanted, max(0, (judged_start - data_from).days // length))
    if available == 0:
        return Comparison((judged_start, judged_end), None, 0)
    against_start = judged_start - dt.timedelta(days=length * available)
    return Comparison(
        (judged_start, judged_end),
        (against_start, judged_start - dt.timedelta(days=1)),
        available,
    )


AS_OF_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def format_as_of(moment: dt.datetime) -> str:
    """Return a link's as-of value, e.g. "2026-11-30T23:59:58Z" (UTC, whole seconds)."""
    return moment.strftime(AS_OF_FORMAT)


def describe_as_of(moment: dt.datetime) -> str:
    """Return an as-of time for people, e.g. "30 Nov 2026, 23:59 UTC"."""
    return f"{moment:%d %b %Y, %H:%M} UTC"


def parse_as_of(values: list[str]) -> tuple[dt.datetime | None, list[str]]:
    """Return a link's as-of time (naive UTC) and a warning if it could not be read."""
    if not values:
        return None, []
    raw = values[0].strip()
    try:
        moment = dt.datetime.strptime(raw, AS_OF_FORMAT)
    except ValueError:
        shown = raw[:40].replace("`", "'")
        return None, [
            f"asof=“{shown}” is not a time like 2026-11-30T23:59:58Z, so the link's "
            "as-of time is not shown."
        ]
    return moment, []


RELATIVE_WEEK = re.compile(r"latest(?:-(\d{1,3}))?")


def is_week_reference(value: str) -> bool:
    """Return True for "latest", "latest-N" (N complete weeks before it) or an ISO week."""
    return RELATIVE_WEEK.fullmatch(value) is not None or _is_iso_week(value)


def resolve_week(value: str, last_complete: str) -> str | None:
    """Return the ISO week a link names: itself, or relative to the last complete week.

    "latest" is the last complete week of data and "latest-3" the third before it, so a
    bookmark or a README link shows the same kind of week on any day's data.
    """
    match = RELATIVE_WEEK.fullmatch(value)
    if match is None:
        return value if _is_iso_week(value) else None
    year, week = (int(part) for part in last_complete.split("-W"))
    start = dt.date.fromisocalendar(year, week, 1) - dt.timedelta(weeks=int(match[1] or 0))
    iso_year, iso_number, _ = start.isocalendar()
    return f"{iso_year}-W{iso_number:02d}"


def _is_iso_week(value: str) -> bool:
    match = re.fullmatch(r"(\d{4})-W(\d{2})", value)
    if match is None:
        return False
    try:
        dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        return False
    return True
