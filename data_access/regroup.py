"""One warehouse scan per source and filter set: ask once at a fine grain, sum coarser in pandas.

Every count the aggregate queries return is additive (a sum over decisions, inspections,
appeals or penalties), so the counts of a coarse grouping are the sums of a finer one's.
A page asks ``finest`` which request to send for the grouping it wants, and ``regroup``
sums the answer down. Requests for the Overview's tiles, trend and grid, the Labels
page's error mix and the weekly review's market view all become the same request (days x
market x policy area), so they share one cached frame instead of one scan each.

Days are the finest period: a decision's day fixes its ISO week and month, so weeks and
months are exact sums of days, and every grain of one date range shares a request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pandas as pd

from data_access import queries
from data_access.filters import Filters

# Query functions whose counts are all additive, with their count columns.
COUNT_COLUMNS = {
    "decision_counts": queries.DECISION_COUNTS,
    "inspection_counts": queries.INSPECTION_COUNTS + queries.INSPECTION_WEIGHTS,
    "appeal_counts": queries.APPEAL_COUNTS,
    "appeal_flow_counts": queries.APPEAL_FLOW_COUNTS,
    "penalty_counts": ("rejections", *queries.PENALTY_COUNTS),
    "label_counts": queries.LABEL_COUNTS,
}
# Groupings folded into days x market x policy area: 12 x 4 cells a day in the demo.
MARKET_POLICY = ("market_code", "policy_area")
# Single dimensions small enough to fetch per day (tens of values); moderators are not.
SMALL_DIMENSIONS = {"market_code", "policy_area", "label_code", "vendor_code", "queue"}


def finest(name: str, filters: Filters, by: Sequence[str]) -> tuple[Filters, tuple[str, ...]]:
    """Return the (filters, group keys) to ask the warehouse for, so that ``regroup`` of the
    answer gives what ``name(engine, filters, by)`` would, and shared requests coincide."""
    by = tuple(by)
    if name not in COUNT_COLUMNS:
        return filters, by
    daily = replace(filters, grain="day")
    dimensions = [key for key in by if key != "period"]
    if "penalty_type" in dimensions:
        return (filters if "period" in by else daily), by
    if name == "label_counts":
        # Already one row per label; adding days keeps every grain on one request.
        return daily, ("period", *dimensions)
    if set(dimensions) <= set(MARKET_POLICY):
        return daily, ("period", *MARKET_POLICY)
    if len(dimensions) == 1 and dimensions[0] in SMALL_DIMENSIONS:
        return daily, ("period", dimensions[0])
    # Fine groupings (moderators, pairs of dimensions) are fetched as asked: their days
    # would multiply the rows. Without a period the grain does not change the answer.
    return (filters if "period" in by else daily), by


def _periods(days: pd.Series, grain: str) -> pd.Series:
    """Return the start of each day's period: the day, its ISO week's Monday or its month."""
    days = pd.to_datetime(days)
    if grain == "day":
        return days
    if grain == "week":
        return days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    return days.dt.to_period("M").dt.start_time.astype(days.dtype)


def regroup(name: str, frame: pd.DataFrame, by: Sequence[str], grain: str) -> pd.DataFrame:
    """Return the counts of ``frame`` (the answer to a ``finest`` request of query ``name``)
    summed to the ``by`` grouping with periods at ``grain``: what the query would return."""
    keys = [*by, "label_code"] if name == "label_counts" else list(by)
    counts = [column for column in frame.columns if column in COUNT_COLUMNS[name]]
    frame = frame.copy()
    if "period" in keys:
        frame["period"] = _periods(frame["period"], grain)
    if not keys:
        totals = frame[counts].sum().to_frame().T
        return totals.astype(frame[counts].dtypes.to_dict()).reset_index(drop=True)
    summed = frame.groupby(keys, dropna=False, sort=True, as_index=False)[counts].sum()
    return summed.astype(frame[counts].dtypes.to_dict()).sort_values(keys, ignore_index=True)
