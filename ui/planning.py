"""Streamlit glue for the coverage page and planner: cached planner inputs, page inputs kept
in the URL as page choices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st

from data_access.errors import QUERY_FAILURES
from data_access.filters import Filters
from planner.plan import PlanInputs, gather_inputs
from ui import cache_keys, filters, warehouse


@st.cache_data(ttl=600, show_spinner=False, max_entries=32, hash_funcs=cache_keys.BY_CONTENT)
def _cached_inputs(week_start: dt.date, selection: Filters) -> PlanInputs:
    return gather_inputs(warehouse.engine(), week_start, selection=selection)


def plan_inputs(week_start: dt.date, selection: Filters) -> PlanInputs:
    """Return the planner's inputs for a week and a market / policy / vendor selection within
    the viewer's scope, cached; warehouse failures become the dashboard's warehouse problems."""
    # Narrowed to the viewer's scope here, so the cache key holds it as well.
    (selection,), _ = warehouse.scoped(selection)
    with st.spinner("Reading the weeks before the plan…", show_time=True):
        try:
            return _cached_inputs(week_start, selection)
        except QUERY_FAILURES as error:
            raise warehouse.warehouse_problem(error) from error


def choice_input(widget: Callable, label: str, choice_key: str, value, **kwargs):
    """Draw ``widget`` showing a page choice, and write changes back to the choice (and so
    to the URL) before the rerun; a link that changes the choice updates the widget."""
    widget_key = f"input_{choice_key}"
    if st.session_state.get(widget_key) != value:
        st.session_state[widget_key] = value

    def _changed() -> None:
        filters.set_choice(choice_key, str(st.session_state[widget_key]))

    return widget(label, key=widget_key, on_change=_changed, **kwargs)
