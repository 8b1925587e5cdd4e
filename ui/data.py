"""Counts and rates for a registry metric: the right query for its source, then its rate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from data_access import coverage, queries
from data_access.engine import WarehouseUnavailable
from data_access.errors import QUERY_FAILURES
from data_access.filters import Filters
from metrics.rates import metric_rates
from metrics.registry import Metric
from ui import usable, warehouse

COUNT_QUERIES = {
    "inspections": queries.inspection_counts,
    "appeals": queries.appeal_counts,
    "penalties": queries.penalty_counts,
}

# Nouns for hover text and tables: "93.1% (1,234 correct of 1,325 inspections)".
COUNT_NOUNS = {
    "correct": "correct",
    "inspections": "inspections",
    "correct_weight": "weighted correct",
    "weight": "weighted inspections",
    "over_enforced": "overturned by QA",
    "rejections_inspected": "inspected rejections",
    "under_enforced": "rejected by QA",
    "approvals_inspected": "inspected approvals",
    "wrong_label": "with another QA label",
    "both_reject": "rejected by both",
    "appealed": "appealed",
    "rejections": "rejections",
    "overturned": "overturned",
    "resolved": "resolved appeals",
    "penalties": "penalties",
    "reversed": "reversed",
}


def counts(metric: Metric, filters: Filters, by: Sequence[str]) -> pd.DataFrame:
    """Return the count frame a metric is computed from, per group, cached per filter set."""
    frame = warehouse.query(COUNT_QUERIES[metric.source], filters, tuple(by))
    noun = COUNT_NOUNS.get(metric.denominator, metric.denominator)
    return usable.without_missing_keys(frame, tuple(by), metric.denominator, noun)


def rates(metric: Metric, filters: Filters, by: Sequence[str]) -> pd.DataFrame:
    """Return the metric's rate, Wilson interval and enough-data flag per group."""
    frame = counts(metric, filters, by)
    min_sample = warehouse.settings().min_sample
    return metric_rates(frame, metric, min_sample=min_sample)


def nouns(metric: Metric) -> dict[str, str]:
    """Return the chart keyword arguments naming a metric's numerator and denominator."""
    return {
        "numerator_label": COUNT_NOUNS.get(metric.numerator, metric.numerator),
        "denominator_label": COUNT_NOUNS.get(metric.denominator, metric.denominator),
    }


def period_end(periods: pd.Series, grain: str) -> pd.Series:
    """Return the last moment of each period (exclusive end) for a grain."""
    offsets = {
        "day": pd.DateOffset(days=1),
        "week": pd.DateOffset(weeks=1),
        "month": pd.DateOffset(months=1),
    }
    return periods + offsets[grain]


def mark_immature(frame: pd.DataFrame, grain: str) -> pd.DataFrame:
    """Return the frame with ``immature``: periods ending within the appeal window of the data.

    Pending appeals of such cohorts still resolve, so their appeal metrics will still move.
    """
    latest = latest_decision()
    if latest is None or "period" not in frame.columns:
        return frame.assign(immature=False)
    window = dt.timedelta(days=warehouse.settings().appeal_window_days)
    return frame.assign(immature=period_end(frame["period"], grain) > pd.Timestamp(latest - window))


def latest_decision() -> dt.datetime | None:
    """Return the newest decision time in the warehouse, or None for an empty warehouse."""
    return usable.latest_decision(warehouse.query(queries.freshness).set_index("table_name"))


@st.cache_data(ttl=600, show_spinner=False)
def _span(engine_key: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    return coverage.decision_span(warehouse.engine())


def data_span() -> tuple[dt.datetime | None, dt.datetime | None]:
    """Return the earliest and latest decision time (naive UTC), cached; (None, None) if empty."""
    try:
        return _span(str(warehouse.settings()))
    except QUERY_FAILURES as error:
        raise WarehouseUnavailable(
            f"The warehouse did not answer: {type(error).__name__}."
        ) from error
