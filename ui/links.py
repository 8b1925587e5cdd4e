"""The one mapping between a view and its URL query string, declared as data.

Pure functions (no Streamlit), so the link rules are tested as a table: ``parse_view`` reads
query parameters into a ``View`` and a list of plain-language warnings for every value it
had to drop; ``view_params`` writes a ``View`` back, always with explicit dates, so a link
opened next month shows the same weeks; ``share_url`` builds the full link.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from data_access.filters import GRAINS, Filters
from ui.text import md


@dataclass(frozen=True)
class ListParam:
    """A repeated URL parameter holding one of the warehouse's known values per repeat."""

    key: str
    field: str
    noun: str


# The filter dimensions a link can carry: URL key, Filters field, and the noun for messages.
LIST_PARAMS = (
    ListParam("market", "markets", "market"),
    ListParam("policy", "policy_areas", "policy area"),
    ListParam("label", "labels", "rejection label"),
    ListParam("vendor", "vendors", "vendor"),
    ListParam("queue", "queues", "queue"),
)
DATE_KEYS = ("start", "end")
GRAIN_KEY = "grain"
# Streamlit's own parameters, which are not ours to judge.
STREAMLIT_KEYS = frozenset({"embed", "embed_options"})
MAX_ECHO = 40
# Dates a link may name: wide enough for any moderation warehouse, narrow enough that a
# previous period or the day after the end never leaves the calendar.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
# ASCII digits only: str.isdigit() accepts "²" and Arabic-Indic digits, which int() then
# rejects or reads as a number nobody typed.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A link repeats a list parameter at most this often; the filters never need more, and a
# link with a million markets must not cost a million comparisons or warnings.
MAX_VALUES = 200
# Warnings about one parameter beyond this many are summed up in one line.
MAX_WARNINGS_PER_KEY = 5
MAX_PAGE = 10_000


@dataclass(frozen=True, eq=False)
class Choice:
    """A page-specific single-value parameter (the Overview's metric, a selected label).

    ``allowed`` is the tuple of values, or a predicate for open sets (an ISO week, a page
    number). With a ``label`` the sidebar draws it as a select box of ``allowed`` (shown
    through ``names``); without one it is set by clicks on the page and only lives in the URL.
    An empty default means "nothing chosen" and is left out of links.
    """

    key: str
    allowed: tuple[str, ...] | Callable[[str], bool]
    default: str
    noun: str
    label: str | None = None
    names: Mapping[str, str] = field(default_factory=dict)

    def accepts(self, value: str) -> bool:
        """Return True when a link may set this choice to ``value``."""
        if callable(self.allowed):
            return self.allowed(value)
        return value in self.allowed


@dataclass(frozen=True)
class View:
    """Everything a link reproduces: the filters and the page's own choices."""

    filters: Filters
    choices: Mapping[str, str] = field(default_factory=dict)


def _echo(value: str) -> str:
    """Return a user-supplied value shortened and quoted for a warning message."""
    shown = value if len(value) <= MAX_ECHO else value[: MAX_ECHO - 1] + "…"
    return "“" + shown.replace("`", "'") + "”"


def ascii_number(value: str, low: int, high: int) -> int | None:
    """Return ``value`` as an int when it is plain ASCII digits within [low, high], else None."""
    if not value or len(value) > len(str(high)) or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if low <= number <= high else None


def page_number(value: str) -> bool:
    """Return True when ``value`` is a list page number a link may carry (1 to MAX_PAGE)."""
    return ascii_number(value, 1, MAX_PAGE) is not None


def parse_date(raw: str, window: tuple[dt.date, dt.date]) -> dt.date | None:
    """Return the date ``raw`` names (YYYY-MM-DD, ASCII digits) when it lies in ``window``."""
    text = raw.strip()
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if window[0] <= day <= window[1] else None


def _summarised(warnings: list[str]) -> list[str]:
    """Return at most MAX_WARNINGS_PER_KEY warnings, the rest counted in one last line."""
    if len(warnings) <= MAX_WARNINGS_PER_KEY:
        return warnings
    hidden = len(warnings) - MAX_WARNINGS_PER_KEY + 1
    shown = warnings[: MAX_WARNINGS_PER_KEY - 1]
    return [*shown, f"{hidden} more like these were left out too."]


def _single(params: Mapping[str, Sequence[str]], key: str, warnings: list[str]) -> str | None:
    values = list(params.get(key, ()))
    if len(values) > 1:
        warnings.append(f"The link gives {key} {len(values)} times; the first value was used.")
    return values[0] if values else None


def _date(
    params: Mapping[str, Sequence[str]],
    key: str,
    default: dt.date,
    window: tuple[dt.date, dt.date],
    warnings: list[str],
) -> dt.date:
    raw = _single(params, key, warnings)
    if raw is None:
        return default
    day = parse_date(raw, window)
    if day is None:
        warnings.append(
            f"{key}={_echo(raw)} is not a date like 2026-09-28 between "
            f"{window[0].isoformat()} and {window[1].isoformat()}, so the {key} "
            f"date {default.isoformat()} is shown instead."
        )
        return default
    return day


def parse_view(
    params: Mapping[str, Sequence[str]],
    *,
    known: Mapping[str, Sequence[str]],
    default_range: tuple[dt.date, dt.date],
    dimensions: Sequence[str] = ("markets", "policy_areas"),
    choices: Sequence[Choice] = (),
    window: tuple[dt.date, dt.date] = (EARLIEST_DATE, LATEST_DATE),
) -> tuple[View, list[str]]:
    """Return the view a link describes and one warning per value that was dropped.

    ``known`` maps each Filters field (``markets``, ``labels``…) to the values the warehouse
    has; ``dimensions`` are the fields this page filters by. Nothing from the link reaches the
    result unless it is one of the known values, an ISO date inside ``window`` or an allowed
    choice.
    """
    warnings: list[str] = []
    start = _date(params, "start", default_range[0], window, warnings)
    end = _date(params, "end", default_range[1], window, warnings)
    if end < start:
        warnings.append(
            f"The link's range ends ({end.isoformat()}) before it starts "
            f"({start.isoformat()}); the two dates were swapped."
        )
        start, end = end, start
    grain = _single(params, GRAIN_KEY, warnings) or "week"
    if grain not in GRAINS:
        warnings.append(f"grain={_echo(grain)} is not one of {', '.join(GRAINS)}; week is shown.")
        grain = "week"

    selections: dict[str, tuple[str, ...]] = {}
    for param in LIST_PARAMS:
        values = [value for value in params.get(param.key, ()) if value != ""]
        if not values:
            continue
        if param.field not in dimensions:
            warnings.append(f"This page does not filter by {param.noun}; {param.key} was ignored.")
            continue
        if len(values) > MAX_VALUES:
            warnings.append(
                f"The link gives {param.key} {len(values):,} times; only the first "
                f"{MAX_VALUES} were read."
            )
            values = values[:MAX_VALUES]
        allowed = set(known.get(param.field, ()))
        kept = tuple(dict.fromkeys(value for value in values if value in allowed))
        dropped = [
            f"{_echo(value)} is not a {param.noun} in this warehouse, so it was left out."
            for value in dict.fromkeys(values)
            if value not in allowed
        ]
        warnings.extend(_summarised(dropped))
        selections[param.field] = kept

    chosen: dict[str, str] = {}
    for choice in choices:
        raw = _single(params, choice.key, warnings)
        if raw is None or raw == "":
            chosen[choice.key] = choice.default
        elif choice.accepts(raw):
            chosen[choice.key] = raw
        else:
            instead = f"{choice.default} is shown instead" if choice.default else "it was ignored"
            warnings.append(f"{_echo(raw)} is not a {choice.noun} this page knows; {instead}.")
            chosen[choice.key] = choice.default

    handled = {*DATE_KEYS, GRAIN_KEY, *(p.key for p in LIST_PARAMS), *(c.key for c in choices)}
    unused = [
        f"The link parameter {_echo(key)} is not used by this page."
        for key in params
        if key not in handled and key not in STREAMLIT_KEYS
    ]
    warnings.extend(_summarised(unused))

    filters = Filters(start=start, end=end, grain=grain, **selections)
    return View(filters=filters, choices=chosen), warnings


def view_params(view: View) -> dict[str, list[str]]:
    """Return the query parameters that reproduce a view, dates always explicit."""
    filters = view.filters
    params: dict[str, list[str]] = {
        "start": [filters.start.isoformat()],
        "end": [filters.end.isoformat()],
        "grain": [filters.grain],
    }
    for param in LIST_PARAMS:
        values = getattr(filters, param.field)
        if values:
            params[param.key] = list(values)
    for key, value in view.choices.items():
        if value != "":
            params[key] = [value]
    return params


def share_url(page_url: str, view: View) -> str:
    """Return the full link to a page showing this view."""
    return f"{page_url.split('?')[0]}?{urlencode(view_params(view), doseq=True)}"


def with_choices(view: View, **choices: str) -> View:
    """Return the view with some page choices replaced (for drill-down links)."""
    return replace(view, choices={**view.choices, **choices})


def default_range(latest_data: dt.datetime, weeks: int = 12) -> tuple[dt.date, dt.date]:
    """Return the last ``weeks`` complete Monday-to-Sunday weeks before the latest data.

    The latest day counts as complete only when data reaches its last hour, because a
    warehouse loaded this morning holds a partial today.
    """
    complete_through = (latest_data + dt.timedelta(hours=1)).date() - dt.timedelta(days=1)
    last_sunday = complete_through - dt.timedelta(days=(complete_through.weekday() + 1) % 7)
    return last_sunday - dt.timedelta(days=7 * weeks - 1), last_sunday


def describe_filters(
    filters: Filters,
    *,
    dates: bool = True,
    names: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """Return the selection in words, Markdown-escaped, for "no data for …" messages and captions.

    ``names`` maps a Filters field to {code: name}, so people read names, not codes; values
    (names or codes) may hold Markdown and are shown as typed. Without dates and selections
    it says "all markets and policy areas".
    """
    parts = [f"{filters.start:%d %b %Y} – {filters.end:%d %b %Y}"] if dates else []
    for param in LIST_PARAMS:
        values = getattr(filters, param.field)
        readable = (names or {}).get(param.field, {})
        values = tuple(readable.get(value, value) for value in values)
        if values:
            shown = ", ".join(md(value) for value in values[:4]) + (
                f" and {len(values) - 4} more" if len(values) > 4 else ""
            )
            parts.append(f"{param.noun}{'s' if len(values) > 1 else ''} {shown}")
    return " · ".join(parts) or "all markets and policy areas"
