"""Actions in the weekly review: those whose evaluation window ended in the reviewed week.

A separate section of the review, built from the app database's actions and their impact
(``metrics.impact``); the counts come from ``data_access`` like every other review number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import pandas as pd
import sqlalchemy as sa

from appdb.actions import Action
from data_access import queries
from data_access.filters import Filters
from metrics.impact import PRE_WEEKS, Impact, describe_impact, first_post_week, measure_impact
from metrics.registry import METRICS_BY_NAME
from review.weeks import week_range

COUNT_QUERIES = {
    "inspections": queries.inspection_counts,
    "appeals": queries.appeal_counts,
    "penalties": queries.penalty_counts,
}


def impact_filters(action: Action, markets: Sequence[str]) -> Filters:
    """Return the weekly filters an action's impact is measured on, for these markets."""
    return Filters(
        start=first_post_week(action.start) - dt.timedelta(weeks=PRE_WEEKS),
        end=action.evaluation_end,
        grain="week",
        markets=tuple(markets),
        policy_areas=action.policy_areas,
        labels=action.labels,
        vendors=action.vendors,
    )


def weekly_counts(
    count: Callable[[Filters], pd.DataFrame], action: Action, markets: Sequence[str]
) -> pd.DataFrame:
    """Return the frozen metric's weekly ``numerator``/``denominator`` for these markets.

    ``count(filters)`` returns the metric source's count frame by ``period``: a cached
    query in the app, a direct one in a command or test.
    """
    metric = METRICS_BY_NAME[action.impact.metric]
    frame = count(impact_filters(action, markets))
    return frame.rename(columns={metric.numerator: "numerator", metric.denominator: "denominator"})


def measure_action(
    count: Callable[[Filters], pd.DataFrame], action: Action, as_of: dt.date
) -> tuple[Impact, pd.DataFrame]:
    """Return an action's impact on its frozen metric and the weekly counts it used."""
    treated = weekly_counts(count, action, action.markets)
    control = None
    if action.impact.control_markets:
        control = weekly_counts(count, action, action.impact.control_markets)
    impact = measure_impact(
        treated,
        start=action.start,
        window_weeks=action.impact.window_weeks,
        direction=action.impact.direction,
        as_of=as_of,
        control=control,
    )
    return impact, treated


def warehouse_counter(engine: sa.Engine, metric: str) -> Callable[[Filters], pd.DataFrame]:
    """Return ``count(filters)`` for a metric, querying the warehouse directly."""
    query = COUNT_QUERIES[METRICS_BY_NAME[metric].source]
    return lambda filters: query(engine, filters, ("period",))


def due_in_week(actions: Sequence[Action], week: str) -> list[Action]:
    """Return the actions whose evaluation window ends in the ISO week ``week``."""
    monday, sunday = week_range(week)
    return [action for action in actions if monday <= action.evaluation_end <= sunday]


def due_tables(
    due: Sequence[Action], impacts: dict[int, Impact]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (measured, without data): one row per due action, in words.

    An action is "without data" when nothing in its scope was inspected after it started
    (or before, so there is no baseline); an underpowered one is measured but says so.
    """
    measured, missing = [], []
    for action in due:
        impact = impacts[action.action_id]
        metric = METRICS_BY_NAME[action.impact.metric].label
        row = {
            "action_id": action.action_id,
            "Action": action.title,
            "Kind": action.kind_name,
            "Started": action.start,
            "Window ended": action.evaluation_end,
            "Metric": metric,
        }
        if impact.status == "no data":
            missing.append({**row, "Why": impact.message})
        else:
            verdict = impact.verdict or impact.status
            measured.append({**row, "Result": describe_impact(impact, metric), "Verdict": verdict})
    # The result first after the action: it is what the reader came for.
    columns = ["Metric", "Started", "Window ended", "Kind"]
    return (
        pd.DataFrame(measured, columns=["action_id", "Action", "Result", "Verdict", *columns]),
        pd.DataFrame(missing, columns=["action_id", "Action", "Why", *columns]),
    )
