"""Actions: what the team changed, where, and whether it worked (the impact card)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

import charts
from appdb import actions as store
from metrics.impact import describe_impact
from metrics.rates import with_interval
from metrics.registry import METRICS, METRICS_BY_NAME
from ui import actions as ui_actions
from ui import boundary, filters, report_tables, warehouse
from ui.links import Choice
from ui.shell import require_app_navigation
from ui.text import md

ACTION_CHOICE = Choice(
    key=ui_actions.ACTION_KEY,
    allowed=lambda value: value.isdigit() and len(value) < 10,
    default="",
    noun="action number",
)
METRIC_NAMES = {metric.name: metric.label for metric in METRICS}
FORM_STATE = "action_form_message"
ERROR_STATE = "action_form_error"


def _multiselect(label: str, dimension: str, readable, key: str, default=()) -> tuple[str, ...]:
    names = readable[dimension]
    return tuple(
        st.multiselect(
            label,
            list(names),
            default=[value for value in default if value in names],
            format_func=lambda value: names.get(value, value),
            placeholder="All",
            key=key,
        )
    )


def _details_fields(readable, prefix: str, current: store.Action | None) -> dict:
    """Draw the editable fields of an action; return their values."""
    left, right = st.columns(2)
    with left:
        title = st.text_input(
            "Title", value=current.title if current else "", key=f"{prefix}_title"
        )
        kinds = list(store.KINDS)
        kind = st.selectbox(
            "Kind",
            kinds,
            index=kinds.index(current.kind) if current else 0,
            format_func=store.KINDS.get,
            key=f"{prefix}_kind",
        )
        start = st.date_input(
            "Start date",
            value=current.start if current else dt.date.today(),
            format="YYYY-MM-DD",
            key=f"{prefix}_start",
        )
        end = st.date_input(
            "End date (optional)",
            value=current.end if current else None,
            format="YYYY-MM-DD",
            key=f"{prefix}_end",
        )
        owner = st.text_input(
            "Owner", value=current.owner if current else "", key=f"{prefix}_owner"
        )
        link = st.text_input(
            "Link (ticket, document)",
            value=current.link if current else "",
            key=f"{prefix}_link",
        )
    with right:
        scope = {
            dimension: _multiselect(
                label,
                dimension,
                readable,
                f"{prefix}_{dimension}",
                getattr(current, dimension) if current else (),
            )
            for dimension, label in (
                ("markets", "Markets"),
                ("policy_areas", "Policy areas"),
                ("labels", "Rejection labels"),
                ("vendors", "Vendors"),
            )
        }
        description = st.text_area(
            "Description",
            value=current.description if current else "",
            key=f"{prefix}_description",
        )
    return {
        "title": title,
        "kind": kind,
        "start": start,
        "end": end,
        "owner": owner,
        "link": link,
        "description": description,
        **scope,
    }


def _state_values(prefix: str) -> dict:
    """Return the action fields a form holds, read from its widgets' session state."""
    state = st.session_state
    values = {name: state.get(f"{prefix}_{name}") for name in store.EDITABLE_FIELDS}
    for name in ("title", "owner", "link", "description"):
        values[name] = values[name] or ""
    for name in store.SCOPE_FIELDS:
        values[name] = tuple(values[name] or ())
    return values


def _record() -> None:
    """Record the action in the creation form (a submit callback, so it runs exactly once)."""
    values = _state_values("new")
    if values["start"] is None:
        st.session_state[ERROR_STATE] = "An action needs a start date."
        return
    state = st.session_state
    impact = store.ImpactModel(
        state["new_metric"],
        state["new_direction"],
        int(state["new_window"]),
        tuple(state.get("new_controls") or ()),
    )
    try:
        created = store.create_action(
            ui_actions.app_db(), store.Action(**values, impact=impact), by=ui_actions.user()
        )
    except store.InvalidAction as error:
        st.session_state[ERROR_STATE] = str(error)
        return
    filters.set_choice(ui_actions.ACTION_KEY, str(created.action_id))
    st.session_state[FORM_STATE] = f"Recorded action {created.action_id}."


def _save_edit(action: store.Action, prefix: str) -> None:
    """Save the edit form as a new version (a submit callback)."""
    values = _state_values(prefix)
    changes = {name: value for name, value in values.items() if value != getattr(action, name)}
    if not changes:
        st.session_state[FORM_STATE] = "Nothing changed."
        return
    try:
        edited = store.edit_action(
            ui_actions.app_db(), action.action_id, changes, by=ui_actions.user()
        )
    except store.InvalidAction as error:
        st.session_state[ERROR_STATE] = str(error)
        return
    st.session_state[FORM_STATE] = f"Saved version {edited.version}."


def _create_form(readable) -> None:
    with st.expander("Record an action", expanded=False), st.form("create_action"):
        _details_fields(readable, "new", None)
        st.markdown("**Impact test** (fixed once recorded, so it cannot be tuned afterwards)")
        left, middle, right = st.columns(3)
        left.selectbox("Metric", list(METRIC_NAMES), format_func=METRIC_NAMES.get, key="new_metric")
        middle.radio(
            "Expected change",
            list(store.DIRECTIONS),
            format_func=lambda d: "Should rise" if d == "up" else "Should fall",
            horizontal=True,
            key="new_direction",
        )
        right.number_input(
            "Evaluation window (weeks)", min_value=1, max_value=52, value=4, key="new_window"
        )
        _multiselect(
            "Control markets (optional: markets the action does not touch)",
            "markets",
            readable,
            "new_controls",
        )
        st.form_submit_button("Record action", type="primary", on_click=_record)


def _list(found: list[store.Action], readable) -> None:
    if not found:
        st.info("No recorded actions overlap these dates and filters.")
        return
    # Read, not sorted: a static table whose cells wrap fits a 1024 px page with every column.
    report_tables.report_table(
        pd.DataFrame(
            {
                "Action": [a.title for a in found],
                "Kind": [a.kind_name for a in found],
                "Start": [f"{a.start:%d %b %Y}" for a in found],
                "End": [f"{a.end:%d %b %Y}" if a.end else None for a in found],
                "Scope": [ui_actions.scope_text(a, readable) for a in found],
                "Metric": [METRIC_NAMES.get(a.impact.metric, a.impact.metric) for a in found],
                "Owner": [a.owner or None for a in found],
            }
        )
    )


@boundary.guard("the impact card")
def _impact_card(action: store.Action) -> None:
    metric = METRICS_BY_NAME[action.impact.metric]
    result, weekly = ui_actions.impact(action)
    with st.container(border=True, key="impact-card"):
        st.subheader(f"Impact on {metric.label.lower()}", anchor=False)
        sentence = describe_impact(result, metric.label)
        if result.status == "measured" and result.verdict == "improved":
            st.success(sentence, icon=":material/trending_up:")
        elif result.status == "measured" and result.verdict == "worsened":
            st.error(sentence, icon=":material/trending_down:")
        else:
            st.info(sentence)
        expected = store.DIRECTIONS[action.impact.direction]
        notes = [
            f"Pre-registered: {metric.label.lower()} {expected} within "
            f"{action.impact.window_weeks} weeks (to {result.evaluation_end:%d %b %Y}).",
        ]
        if result.status in ("measured", "underpowered"):
            notes.append(
                f"{result.method.capitalize()} on {result.pre_weeks} weeks before and "
                f"{result.post_weeks} weeks after; binomial GLM with level and slope change, "
                "quasi-binomial errors."
            )
        if result.status == "measured":
            notes.append(
                f"Expected without the action: {result.baseline:.1%}; with it: "
                f"{result.observed:.1%}; p = {result.p_value:.3f}; smallest change this "
                f"design detects (80% power): {result.mde * 100:.1f} points."
            )
        if action.impact.control_markets:
            names = ui_actions.names()["markets"]
            controls = ", ".join(names.get(m, m) for m in action.impact.control_markets)
            notes.append(f"Control markets: {md(controls)}.")
        st.caption(" ".join(notes))
        if not weekly.empty:
            rates = with_interval(weekly, "numerator", "denominator")
            fig = charts.rate_trend(rates, colour_by=None, metric_label=metric.label)
            marks = pd.DataFrame(
                {
                    "action_id": [action.action_id],
                    "title": [action.title],
                    "kind": [action.kind_name],
                    "start": [pd.Timestamp(action.start)],
                    "end": [pd.Timestamp(result.evaluation_end)],
                }
            )
            st.plotly_chart(charts.add_action_marks(fig, marks), key="impact-trend", theme=None)


def _history(versions: list[store.Action], readable) -> None:
    rows = []
    previous = None
    for version in versions:
        changed = (
            "created"
            if previous is None
            else ", ".join(
                name.replace("_", " ")
                for name in store.EDITABLE_FIELDS
                if getattr(version, name) != getattr(previous, name)
            )
            or "no change"
        )
        rows.append(
            {
                "Version": version.version,
                "Recorded": (
                    f"{version.recorded_at:%d %b %Y %H:%M} UTC" if version.recorded_at else None
                ),
                "Changed": changed,
                "Title": version.title,
                "Kind": version.kind_name,
                "Start": f"{version.start:%d %b %Y}",
                "End": f"{version.end:%d %b %Y}" if version.end else None,
                "Scope": ui_actions.scope_text(version, readable),
                "Owner": version.owner or None,
            }
        )
        previous = version
    report_tables.report_table(pd.DataFrame(rows))


def _edit_form(action: store.Action, readable) -> None:
    prefix = f"edit{action.action_id}v{action.version}"
    with st.expander("Edit this action (kept as a new version)"), st.form(f"{prefix}_form"):
        _details_fields(readable, prefix, action)
        st.form_submit_button("Save as a new version", on_click=_save_edit, args=(action, prefix))


def _detail(action_id: int, readable) -> None:
    try:
        versions = store.history(
            ui_actions.app_db(), action_id, visible_markets=ui_actions.visible_markets()
        )
    except store.UnknownAction:
        st.warning(f"There is no action number {action_id}; choose one from the list.")
        return
    action = versions[-1]
    st.subheader(md(action.title))
    facts = [
        action.kind_name,
        f"from {action.start:%d %b %Y}" + (f" to {action.end:%d %b %Y}" if action.end else ""),
        ui_actions.scope_text(action, readable),
    ]
    if action.owner:
        facts.append(f"owner: {action.owner}")
    st.caption(md(" · ".join(facts)))
    if action.description:
        # Written by a user: shown as typed, never rendered as Markdown.
        st.text(action.description)
    if action.link:
        st.link_button("Open the linked document", action.link)
    _impact_card(action)
    _edit_form(action, readable)
    st.markdown(f"**History** ({len(versions)} version{'s' if len(versions) > 1 else ''})")
    _history(versions, readable)


@warehouse.guarded
def actions_page() -> None:
    """Draw the Actions page."""
    view = filters.sidebar(
        dimensions=("markets", "policy_areas", "labels", "vendors"), choices=[ACTION_CHOICE]
    )
    st.title("Actions")
    st.caption(
        "What the team changed, where and when, and whether the change worked: each action's "
        "effect is measured on the metric chosen when it was recorded."
    )
    if message := st.session_state.pop(FORM_STATE, None):
        st.success(message)
    if problem := st.session_state.pop(ERROR_STATE, None):
        st.error(problem)
    readable = ui_actions.names()
    _create_form(readable)
    found = ui_actions.overlapping(view.filters)
    chosen = view.choices.get(ui_actions.ACTION_KEY, "")
    st.subheader("Actions in view")
    _list(found, readable)
    every = store.list_actions(ui_actions.app_db(), visible_markets=ui_actions.visible_markets())
    if every:
        ids = [""] + [str(a.action_id) for a in every]
        if chosen and chosen not in ids:
            ids.append(chosen)
        titles = {str(a.action_id): f"{a.title} ({a.start:%d %b %Y})" for a in every}
        st.selectbox(
            "Open an action",
            ids,
            key=f"choice_{ui_actions.ACTION_KEY}",
            format_func=lambda value: (
                titles.get(value, "Choose an action") if value else "Choose an action"
            ),
        )
        chosen = st.session_state.get(f"choice_{ui_actions.ACTION_KEY}", "")
    if chosen:
        _detail(int(chosen), readable)


require_app_navigation()
actions_page()
