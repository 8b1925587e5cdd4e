"""The filter sidebar, kept in step with the URL: the address bar always holds the view.

The only module that reads or writes ``st.query_params``. On each run it reads the link;
a link that differs from what this session last wrote (a shared link, a drill-down) sets
the widgets; otherwise the widgets are the truth and are written back to the URL, always
with explicit dates. Values a link carried that could not be used are listed as warnings.

Widgets are synced by hand rather than with ``bind="query-params"`` because a bound widget
drops its parameter when it equals the default, and our default range moves with the data:
a link must keep its dates to show the same weeks next month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from urllib.parse import urlencode

import streamlit as st

from charts.names import POLICY_AREA_NAMES
from charts.text import html_unescape
from data_access import queries
from data_access.filters import GRAINS, Filters
from ui import audit, auth, data, glossary, per_run, periods, shell, usable
from ui.links import Choice, View, parse_view, view_params
from ui.text import md

STATE_VIEW = "view"
STATE_WRITTEN = "view_params_written"
STATE_WARNINGS = "view_warnings"
STATE_PAGE = "view_page"
STATE_CHOICES = "view_choices"
STATE_SHARED_AS_OF = "view_shared_as_of"
# The data's as-of time when a link was shared: kept in every link, read for a note only.
AS_OF_KEY = "asof"
GRAIN_LABELS = {"day": "Day", "week": "Week", "month": "Month"}
# Names for the policy areas (the contract stores short codes such as "ipr").
DIMENSION_LABELS = {
    "markets": "Markets",
    "policy_areas": "Policy areas",
    "labels": "Rejection labels",
    "vendors": "Vendors",
    "queues": "Queues",
}


def known_values() -> tuple[queries.FilterOptions, dict[str, tuple[str, ...]]]:
    """Return the warehouse's filter options and, per Filters field, the values it knows."""
    return per_run.once("known_values", _known_values)


def _known_values() -> tuple[queries.FilterOptions, dict[str, tuple[str, ...]]]:
    options = usable.filter_options()
    known = {
        "markets": tuple(options.markets["market_code"]),
        "policy_areas": options.policy_areas,
        "labels": tuple(options.labels["label_code"]),
        "vendors": tuple(options.vendors["vendor_code"]),
        "queues": options.queues,
    }
    return options, known


def _current_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def _labels(options: queries.FilterOptions) -> dict[str, dict[str, str]]:
    """Return, per dimension, the name people read for each code."""
    return {
        "markets": dict(
            zip(options.markets["market_code"], options.markets["market_name"], strict=True)
        ),
        "labels": dict(
            zip(options.labels["label_code"], options.labels["label_name"], strict=True)
        ),
        "vendors": dict(
            zip(options.vendors["vendor_code"], options.vendors["vendor_name"], strict=True)
        ),
        "policy_areas": {
            area: POLICY_AREA_NAMES.get(area, area.replace("_", " ").capitalize())
            for area in options.policy_areas
        },
        "queues": {queue: queue.replace("_", " ").capitalize() for queue in options.queues},
    }


def _seed_widgets(view: View, dimensions: Sequence[str], choices: Sequence[Choice]) -> None:
    """Put a view's values into the widgets' session state before they are drawn.

    Page choices missing from the view take the value this session last gave them, so a
    metric picked on a page is still picked when the user comes back to it.
    """
    filters = view.filters
    remembered = st.session_state.get(STATE_CHOICES, {})
    st.session_state["filter_dates"] = (filters.start, filters.end)
    st.session_state["filter_grain"] = filters.grain
    for dimension in dimensions:
        st.session_state[f"filter_{dimension}"] = list(getattr(filters, dimension))
    for choice in choices:
        value = view.choices.get(choice.key, remembered.get(choice.key, choice.default))
        st.session_state[f"choice_{choice.key}"] = value


def sidebar(
    *,
    dimensions: Sequence[str] = ("markets", "policy_areas"),
    choices: Sequence[Choice] = (),
    span: Callable[[Mapping[str, str]], tuple[dt.date, dt.date] | None] | None = None,
) -> View:
    """Draw the filter sidebar from the URL and return the view it shows.

    ``choices`` are the page's own parameters: drawn as select boxes when they have a
    label, otherwise kept in the URL for values set by clicks (see ``select_on_click``).
    ``span``, given the page's choices, returns the dates they fix (the Weekly review's week
    fixes its review span), which then override the link's and the widget's dates.
    """
    options, known = known_values()
    earliest, latest = data.data_span()
    fallback = (
        periods.preset_range(periods.DEFAULT_PRESET, latest)
        if latest
        else (dt.date.today(), dt.date.today())
    )
    choice_specs = list(choices)
    params = _current_params()
    view = st.session_state.get(STATE_VIEW)
    link_changed = bool(params) and params != st.session_state.get(STATE_WRITTEN)
    if view is None or link_changed:
        shared_as_of, as_of_warnings = periods.parse_as_of(params.get(AS_OF_KEY, []))
        st.session_state[STATE_SHARED_AS_OF] = shared_as_of
        view, warnings = parse_view(
            auth.strip_outside_scope(
                {key: values for key, values in params.items() if key != AS_OF_KEY}, known
            ),
            known=known,
            default_range=fallback,
            dimensions=dimensions,
            choices=choice_specs,
        )
        st.session_state[STATE_WARNINGS] = as_of_warnings + warnings
        _seed_widgets(view, dimensions, choice_specs)
        st.session_state["filter_preset"] = periods.matching_preset(
            view.filters.start, view.filters.end, latest
        )
    elif st.session_state.get(STATE_PAGE) != st.session_state.get("page_url_path"):
        # Arriving from another page: Streamlit keys widget state by page, so the shared
        # filters must be put back into this page's widgets explicitly.
        _seed_widgets(view, dimensions, choice_specs)
    else:
        _seed_missing(view, dimensions, choice_specs)

    if span is not None:
        _fix_span(span, choice_specs)
    readable = _labels(options)
    with st.sidebar:
        for choice in choices:
            if choice.label is None or callable(choice.allowed):
                continue
            st.selectbox(
                choice.label,
                choice.allowed,
                key=f"choice_{choice.key}",
                format_func=lambda value, names=choice.names: names.get(value, value),
            )
        _seed_preset(latest)
        st.selectbox(
            "Dates",
            tuple(periods.PRESETS),
            key="filter_preset",
            format_func=periods.PRESETS.get,
            on_change=_apply_preset,
            args=(latest,),
            help="Whole Monday-to-Sunday weeks, ending with the last complete week of data.",
        )
        dates = st.date_input(
            "Decision dates",
            key="filter_dates",
            format="YYYY-MM-DD",
            help=glossary.help_for("decision_cohort", "complete_period"),
        )
        grain = st.radio(
            "Period",
            GRAINS,
            key="filter_grain",
            horizontal=True,
            format_func=GRAIN_LABELS.get,
        )
        selections = {}
        for dimension in dimensions:
            names = readable.get(dimension, {})
            selections[dimension] = tuple(
                st.multiselect(
                    DIMENSION_LABELS[dimension],
                    known[dimension],
                    key=f"filter_{dimension}",
                    format_func=lambda value, names=names: names.get(value, value),
                    placeholder=auth.all_placeholder(dimension),
                )
            )
    start, end = _date_range(dates, view.filters)
    filters = Filters(start=start, end=end, grain=grain, **selections)
    chosen = {choice.key: st.session_state[f"choice_{choice.key}"] for choice in choice_specs}
    view = View(filters=filters, choices=chosen)
    st.session_state[STATE_PAGE] = st.session_state.get("page_url_path")
    st.session_state[STATE_CHOICES] = {**st.session_state.get(STATE_CHOICES, {}), **chosen}
    _write_url(view, latest)
    _show_warnings()
    _show_as_of(latest)
    _share(view, latest)
    shown = _complete_periods(filters, earliest, latest)
    audit.page_view(shown)
    return View(filters=shown, choices=chosen)


def _fix_span(span, choices: Sequence[Choice]) -> None:
    """Set the date widget to the span the page's choices fix, by week."""
    chosen = {
        choice.key: st.session_state.get(f"choice_{choice.key}", choice.default)
        for choice in choices
    }
    fixed = span(chosen)
    if fixed is not None:
        st.session_state["filter_dates"] = fixed
        st.session_state["filter_grain"] = "week"


def _seed_preset(latest: dt.datetime | None) -> None:
    """Show the preset matching the dates, unless the user asked for a custom range."""
    current = st.session_state.get("filter_preset")
    dates = tuple(st.session_state.get("filter_dates", ()))
    if current == "custom" or latest is None or len(dates) != 2:
        st.session_state.setdefault("filter_preset", "custom")
        return
    if current is None or periods.preset_range(current, latest) != dates:
        st.session_state["filter_preset"] = periods.matching_preset(*dates, latest)


def _apply_preset(latest: dt.datetime | None) -> None:
    """Set the date widget to the chosen preset's whole weeks."""
    preset = st.session_state.get("filter_preset")
    if latest is not None and preset in periods.PRESETS and preset != "custom":
        st.session_state["filter_dates"] = periods.preset_range(preset, latest)


def _complete_periods(
    filters: Filters, earliest: dt.datetime | None, latest: dt.datetime | None
) -> Filters:
    """Return the filters cut to the periods the range and the data cover completely.

    Says in the sidebar what was left out; a range too short for one whole period is shown
    by day instead, and a range outside the data is left for the page to call empty.
    """
    if earliest is None or latest is None:
        return filters
    data_from, data_through = periods.complete_from(earliest), periods.complete_through(latest)
    snapped = periods.snap_to_periods(
        filters.start, filters.end, filters.grain, data_from, data_through
    )
    noun = periods.GRAIN_NOUNS[filters.grain]
    if snapped.empty and filters.grain != "day":
        by_day = periods.snap_to_periods(filters.start, filters.end, "day", data_from, data_through)
        if by_day.empty:
            return filters
        glossary.caption(
            where=st.sidebar,
            body=f"The range holds no complete {noun}, so it is shown by day: "
            f"{by_day.start:%d %b} – {by_day.end:%d %b %Y}.",
        )
        return replace(filters, start=by_day.start, end=by_day.end, grain="day")
    if snapped.empty:
        return filters
    if snapped.left_out:
        glossary.caption(
            where=st.sidebar,
            body=f"Complete {noun}s only: {snapped.start:%d %b} – {snapped.end:%d %b %Y}. "
            f"Left out: {'; '.join(snapped.left_out)}.",
        )
    return replace(filters, start=snapped.start, end=snapped.end)


def _seed_missing(view: View, dimensions: Sequence[str], choices: Sequence[Choice]) -> None:
    """Seed widgets this page draws that the session has not seen yet."""
    for dimension in dimensions:
        st.session_state.setdefault(f"filter_{dimension}", list(getattr(view.filters, dimension)))
    for choice in choices:
        st.session_state.setdefault(f"choice_{choice.key}", choice.default)
    st.session_state.setdefault("filter_dates", (view.filters.start, view.filters.end))
    st.session_state.setdefault("filter_grain", view.filters.grain)


def _date_range(dates, previous: Filters) -> tuple[dt.date, dt.date]:
    """Return the widget's range; while only a start is picked, keep the previous end."""
    if isinstance(dates, dt.date):
        dates = (dates,)
    if len(dates) == 2:
        return dates[0], dates[1]
    if len(dates) == 1 and dates[0] <= previous.end:
        st.sidebar.caption("Pick an end date to finish the range.")
        return dates[0], previous.end
    return previous.start, previous.end


def _link_params(view: View, latest: dt.datetime | None) -> dict[str, list[str]]:
    """Return the view's query parameters plus the data's as-of time."""
    params = view_params(view)
    if latest is not None:
        params[AS_OF_KEY] = [periods.format_as_of(latest)]
    return params


def _write_url(view: View, latest: dt.datetime | None) -> None:
    """Put the view into the address bar and remember what was written."""
    st.session_state[STATE_VIEW] = view
    params = _link_params(view, latest)
    if params != _current_params():
        st.query_params.from_dict(params)
    st.session_state[STATE_WRITTEN] = params


def _show_warnings() -> None:
    auth.outside_scope_banner()
    warnings = st.session_state.get(STATE_WARNINGS, [])
    if warnings:
        st.warning(
            "Some parts of the link could not be used; the rest of the view is shown.\n\n"
            # Each warning may quote the link; md() keeps that quote plain text.
            + "\n".join(f"- {md(warning)}" for warning in warnings),
            icon=":material/link_off:",
        )


def _show_as_of(latest: dt.datetime | None) -> None:
    """Say how far the data reaches and, for a shared link, whether newer data came since."""
    if latest is None:
        st.sidebar.caption("The warehouse holds no decisions yet.")
        return
    st.sidebar.caption(f"Data through {periods.describe_as_of(latest)}")
    shared = st.session_state.get(STATE_SHARED_AS_OF)
    if shared is None:
        return
    if latest > shared:
        st.info(
            f"This link was shared when the data ran through {periods.describe_as_of(shared)}. "
            f"Newer data has arrived since (now through {periods.describe_as_of(latest)}); "
            "the link's dates are unchanged.",
            icon=":material/update:",
        )
    else:
        st.caption(
            f"Shared with data through {periods.describe_as_of(shared)}: no newer data since."
        )


def _share(view: View, latest: dt.datetime | None) -> None:
    """Show the full link to this view, with Streamlit's copy button."""
    link = f"{shell.page_url()}?{urlencode(_link_params(view, latest), doseq=True)}"
    with st.sidebar.popover("Share this view", icon=":material/share:", width="stretch"):
        st.code(link, language=None, wrap_lines=True)
        st.caption("Copy the link: it opens these dates, filters and choices for anyone.")


def set_choice(key: str, value: str) -> None:
    """Change a page choice; call it from a widget or chart callback, before the rerun."""
    st.session_state[f"choice_{key}"] = value


def select_on_click(chart_key: str, choice_key: str, *, reset: Sequence[str] = ()):
    """Return an ``on_select`` callback that puts the clicked point's first customdata value
    into a choice (and clears the ``reset`` choices, such as a drill-through page number).
    """

    def _selected() -> None:
        event = st.session_state.get(chart_key)
        points = event.selection.points if event else []
        values = [point.get("customdata") for point in points if point.get("customdata")]
        if not values:
            return
        clicked = values[0][0] if isinstance(values[0], list | tuple) else values[0]
        # The chart shows escaped text (charts.text); the choice holds the value itself.
        set_choice(choice_key, html_unescape(str(clicked)))
        for key in reset:
            set_choice(key, "")

    return _selected


def drill_params(view: View, **choices: str) -> dict[str, list[str]]:
    """Return query parameters for a drill-down link to another page with this view."""
    params = view_params(view)
    for key, value in choices.items():
        params[key] = [value]
    return params
