"""Recorded actions in the app: the app database, their impact, and their chart markers."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import charts
from appdb import actions as store
from appdb.store import AppDbError
from data_access.filters import Filters
from metrics.impact import Impact
from metrics.registry import METRICS_BY_NAME
from review import actions as review_actions
from ui import auth, boundary, data, filters, shell, warehouse
from ui.app_db import app_db
from ui.links import View

ACTIONS_PAGE = "pages/actions.py"
ACTION_KEY = "action"


def visible_markets() -> tuple[str, ...] | None:
    """Return the markets this session may see (None: every market), for the actions shown."""
    return auth.current_scope().markets()


def user() -> str:
    """Return who is recording or editing an action ("" when access is open)."""
    return auth.current_access().user


def names() -> dict[str, dict[str, str]]:
    """Return, per scope dimension, the readable name of each code the warehouse knows."""
    options, known = filters.known_values()
    return {
        "markets": dict(
            zip(options.markets["market_code"], options.markets["market_name"], strict=True)
        ),
        "policy_areas": {area: area.capitalize() for area in known["policy_areas"]},
        "labels": dict(
            zip(options.labels["label_code"], options.labels["label_name"], strict=True)
        ),
        "vendors": dict(
            zip(options.vendors["vendor_code"], options.vendors["vendor_name"], strict=True)
        ),
    }


def scope_text(action: store.Action, readable: dict[str, dict[str, str]]) -> str:
    """Return the action's scope in words: "Indonesia · Listing · Northwind BPO"."""
    parts = []
    for dimension in store.SCOPE_FIELDS:
        values = getattr(action, dimension)
        if values:
            parts.append(", ".join(readable[dimension].get(v, v) for v in values))
    return " · ".join(parts) or "Everywhere"


def complete_through() -> dt.date | None:
    """Return the last day with complete data (as the default date range counts it)."""
    latest = data.latest_decision()
    if latest is None:
        return None
    return (latest + dt.timedelta(hours=1)).date() - dt.timedelta(days=1)


def impact(action: store.Action) -> tuple[Impact, pd.DataFrame]:
    """Return the action's measured impact on its frozen metric and the weekly counts used."""
    metric = METRICS_BY_NAME[action.impact.metric]
    complete = complete_through() or dt.date.min
    as_of, wait = complete, dt.timedelta(0)
    if metric.source == "appeals" and complete > dt.date.min:
        # Appeals of younger cohorts are still resolving: measure only once they are mature.
        wait = dt.timedelta(days=warehouse.settings().appeal_window_days)
        as_of = complete - wait
    result, weekly = review_actions.measure_action(
        lambda selection: data.counts(metric, selection, ("period",)), action, as_of
    )
    if result.status == "too early" and wait and complete >= action.evaluation_end:
        ready = action.evaluation_end + wait
        result = dataclasses.replace(
            result,
            message=f"The evaluation window ended on {action.evaluation_end:%d %b %Y}, but its "
            f"appeals are still resolving; the effect is measured from {ready:%d %b %Y}.",
        )
    return result, weekly


@boundary.guard("the actions due this week")
def due_this_week(week: str, selection: Filters) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """Return (measured, without data) for the actions whose evaluation window ended in
    ``week``, each row with an "Open" link, or None when none was due or the app database
    could not be read (said on the page, which goes on without the section's numbers)."""
    scope = store.scope_of(selection)
    scope.pop("start"), scope.pop("end")
    try:
        recorded = store.actions_overlapping(app_db(), scope, visible_markets=visible_markets())
    except AppDbError as error:
        boundary.show_failure(error, "the actions due this week")
        return None
    due = review_actions.due_in_week(recorded, week)
    if not due:
        return None
    impacts = {action.action_id: impact(action)[0] for action in due}
    measured, missing = review_actions.due_tables(due, impacts)
    return _with_links(measured), _with_links(missing)


def weekly_section(due: tuple[pd.DataFrame, pd.DataFrame] | None) -> None:
    """Draw the weekly review's section: actions whose evaluation window ended this week."""
    st.subheader("Actions due this week")
    if due is None:
        st.caption("No recorded action's evaluation window ended this week.")
        return
    measured, missing = due
    link = {"Open": st.column_config.LinkColumn("Open", display_text="Open ↗", width="small")}
    if not measured.empty:
        st.caption("Measured on the metric each action chose when it was recorded.")
        st.dataframe(measured, hide_index=True, column_config=link, key="review-actions")
    if not missing.empty:
        st.markdown("**Due, but without data to measure**")
        st.dataframe(missing, hide_index=True, column_config=link, key="review-actions-none")


def _with_links(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the table with an "Open" link to each action instead of its id."""
    base = shell.page_url().rsplit("/", 1)[0]
    links = [f"{base}/actions?{ACTION_KEY}={action_id}" for action_id in frame["action_id"]]
    return frame.drop(columns="action_id").assign(Open=links)


def overlapping(selection: Filters) -> list[store.Action]:
    """Return the actions whose scope and dates overlap a view's filters."""
    return store.actions_overlapping(
        app_db(), store.scope_of(selection), visible_markets=visible_markets()
    )


def mark_actions(fig: go.Figure, selection: Filters) -> go.Figure:
    """Return the figure with the overlapping actions drawn on it (see ``charts.actions``)."""
    return charts.add_action_marks(fig, action_marks(selection))


def action_marks(selection: Filters) -> pd.DataFrame:
    """Return the overlapping actions as ``charts.add_action_marks`` draws them (maybe none)."""
    columns = ["action_id", "title", "kind", "start", "end"]
    try:
        found = overlapping(selection)
    except AppDbError as error:
        # The chart is worth more than its annotations: draw it without them.
        boundary.show_failure(error, "the recorded actions on this chart")
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(
        {
            "action_id": [a.action_id for a in found],
            "title": [a.title for a in found],
            "kind": [a.kind_name for a in found],
            "start": [pd.Timestamp(max(a.start, selection.start)) for a in found],
            "end": [pd.Timestamp(min(a.end, selection.end)) if a.end else pd.NaT for a in found],
        },
        columns=columns,
    )


def clicked_action(chart_key: str) -> int | None:
    """Return the id of the action whose marker was clicked on chart ``chart_key``, if any."""
    event = st.session_state.get(chart_key)
    points = event.selection.points if event else []
    for point in points:
        custom = point.get("customdata")
        if isinstance(custom, list | tuple) and len(custom) == 2 and custom[0] == "action":
            return int(custom[1])
    return None


def open_clicked_action(chart_key: str, selection: Filters) -> None:
    """Open the Actions page on the action clicked on chart ``chart_key``, keeping the filters."""
    action_id = clicked_action(chart_key)
    if action_id is not None:
        # The view's dates and filters travel; the page's own choices (a metric) do not.
        params = filters.drill_params(View(filters=selection), **{ACTION_KEY: str(action_id)})
        st.switch_page(ACTIONS_PAGE, query_params=params)
