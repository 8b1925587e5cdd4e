"""The one mapping between a view and its URL query string, declared as data.

Pure functions (no Streamlit), so the link rules are tested as a table: ``parse_view`` reads
query parameters into a ``View`` and a list of plain-language warnings for every value it
had to drop; ``view_params`` writes a ``View`` back, always with explicit dates, so a link
opened next month shows the same weeks; ``share_url`` builds the full link.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from data_access.filters import GRAINS, Filters


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


def _single(params: Mapping[str, Sequence[str]], key: str, warnings: list[str]) -> str | None:
    values = list(params.get(key, ()))
    if len(values) > 1:
        warnings.append(f"The link gives {key} {len(values)} times; the first value was used.")
    return values[0] if values else None


def _date(
    params: Mapping[str, Sequence[str]], key: str, default: dt.date, warnings: list[str]
) -> dt.date:
    raw = _single(params, key, warnings)
    if raw is None:
        return default
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        warnings.append(
            f"{key}={_echo(raw)} is not a date like 2026-09-28, so the {key} "
            f"date {default.isoformat()} is shown instead."
        )
        return default


def parse_view(
    params: Mapping[str, Sequence[str]],
    *,
    known: Mapping[str, Sequence[str]],
    default_range: tuple[dt.date, dt.date],
    dimensions: Sequence[str] = ("markets", "policy_areas"),
    choices: Sequence[Choice] = (),
) -> tuple[View, list[str]]:
    """Return the view a link describes and one warning per value that was dropped.

    ``known`` maps each Filters field (``markets``, ``labels``…) to the values the warehouse
    has; ``dimensions`` are the fields this page filters by. Nothing from the link reaches the
    result unless it is one of the known values, a valid ISO date or an allowed choice.
    """
    warnings: list[str] = []
    start = _date(params, "start", default_range[0], warnings)
    end = _date(params, "end", default_range[1], warnings)
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
        allowed = set(known.get(param.field, ()))
        kept = tuple(dict.fromkeys(value for value in values if value in allowed))
        for value in dict.fromkeys(values):
            if value not in allowed:
                warnings.append(
                    f"{_echo(value)} is not a {param.noun} in this warehouse, so it was left out."
                )
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
    for key in params:
        if key not in handled and key not in STREAMLIT_KEYS:
            warnings.append(f"The link parameter {_echo(key)} is not used by this page.")

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
    """Return the selection in words, for "no data for …" messages and captions.

    ``names`` maps a Filters field to {code: name}, so people read names, not codes. Without
    dates and selections it says "all markets and policy areas".
    """
    parts = [f"{filters.start:%d %b %Y} – {filters.end:%d %b %Y}"] if dates else []
    for param in LIST_PARAMS:
        values = getattr(filters, param.field)
        readable = (names or {}).get(param.field, {})
        values = tuple(readable.get(value, value) for value in values)
        if values:
            shown = ", ".join(values[:4]) + (
                f" and {len(values) - 4} more" if len(values) > 4 else ""
            )
            parts.append(f"{param.noun}{'s' if len(values) > 1 else ''} {shown}")
    return " · ".join(parts) or "all markets and policy areas"
