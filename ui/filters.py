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
from collections.abc import Sequence

import streamlit as st

from charts.text import html_unescape
from data_access import queries
from data_access.filters import GRAINS, Filters
from ui import data, shell, usable
from ui.links import Choice, View, default_range, parse_view, share_url, view_params
from ui.text import md

STATE_VIEW = "view"
STATE_WRITTEN = "view_params_written"
STATE_WARNINGS = "view_warnings"
STATE_PAGE = "view_page"
STATE_CHOICES = "view_choices"
GRAIN_LABELS = {"day": "Day", "week": "Week", "month": "Month"}
DIMENSION_LABELS = {
    "markets": "Markets",
    "policy_areas": "Policy areas",
    "labels": "Rejection labels",
    "vendors": "Vendors",
    "queues": "Queues",
}


def known_values() -> tuple[queries.FilterOptions, dict[str, tuple[str, ...]]]:
    """Return the warehouse's filter options and, per Filters field, the values it knows."""
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
    """Return, per dimension, a readable label for each code."""
    return {
        "markets": dict(
            zip(
                options.markets["market_code"],
                options.markets["market_code"] + " · " + options.markets["market_name"],
                strict=True,
            )
        ),
        "labels": dict(
            zip(options.labels["label_code"], options.labels["label_name"], strict=True)
        ),
        "vendors": dict(
            zip(options.vendors["vendor_code"], options.vendors["vendor_name"], strict=True)
        ),
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
) -> View:
    """Draw the filter sidebar from the URL and return the view it shows.

    ``choices`` are the page's own parameters: drawn as select boxes when they have a
    label, otherwise kept in the URL for values set by clicks (see ``select_on_click``).
    """
    options, known = known_values()
    latest = data.latest_decision()
    fallback = default_range(latest) if latest else (dt.date.today(), dt.date.today())
    choice_specs = list(choices)
    params = _current_params()
    view = st.session_state.get(STATE_VIEW)
    link_changed = bool(params) and params != st.session_state.get(STATE_WRITTEN)
    if view is None or link_changed:
        view, warnings = parse_view(
            params,
            known=known,
            default_range=fallback,
            dimensions=dimensions,
            choices=choice_specs,
        )
        st.session_state[STATE_WARNINGS] = warnings
        _seed_widgets(view, dimensions, choice_specs)
    elif st.session_state.get(STATE_PAGE) != st.session_state.get("page_url_path"):
        # Arriving from another page: Streamlit keys widget state by page, so the shared
        # filters must be put back into this page's widgets explicitly.
        _seed_widgets(view, dimensions, choice_specs)
    else:
        _seed_missing(view, dimensions, choice_specs)

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
        dates = st.date_input(
            "Decision dates",
            key="filter_dates",
            format="YYYY-MM-DD",
            help="Rates belong to the week of the original decision (the decision cohort).",
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
                    placeholder="All",
                )
            )
    start, end = _date_range(dates, view.filters)
    filters = Filters(start=start, end=end, grain=grain, **selections)
    chosen = {choice.key: st.session_state[f"choice_{choice.key}"] for choice in choice_specs}
    view = View(filters=filters, choices=chosen)
    st.session_state[STATE_PAGE] = st.session_state.get("page_url_path")
    st.session_state[STATE_CHOICES] = {**st.session_state.get(STATE_CHOICES, {}), **chosen}
    _write_url(view)
    _show_warnings()
    _share(view)
    return view


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


def _write_url(view: View) -> None:
    """Put the view into the address bar and remember what was written."""
    st.session_state[STATE_VIEW] = view
    params = view_params(view)
    if params != _current_params():
        st.query_params.from_dict(params)
    st.session_state[STATE_WRITTEN] = params


def _show_warnings() -> None:
    warnings = st.session_state.get(STATE_WARNINGS, [])
    if warnings:
        st.warning(
            "Some parts of the link could not be used; the rest of the view is shown.\n\n"
            # Each warning may quote the link; md() keeps that quote plain text.
            + "\n".join(f"- {md(warning)}" for warning in warnings),
            icon=":material/link_off:",
        )


def _share(view: View) -> None:
    """Show the full link to this view, with Streamlit's copy button."""
    with st.sidebar:
        st.markdown("**Share this view**")
        st.code(share_url(shell.page_url(), view), language=None, wrap_lines=True)
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
