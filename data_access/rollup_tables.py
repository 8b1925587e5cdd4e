"""Daily rollup tables: their layout, which ones a warehouse has, and reading counts from them.

Rollups hold additive counts only (never rates), per day and decision dimensions, so any
coarser grouping is an exact sum and every rate, interval and test is recomputed from the
sums. ``python -m data_access.rollups`` builds and refreshes them; the app only reads.

A query uses a rollup when ``covering`` finds one that has the query's counts, every
group key and filtered dimension it needs, and the whole date range: the range must end
on or before the rollup's last day (later days may hold rows the rollup has not seen),
and start on or after its first day when the rollup holds a bounded window.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from data_access.dialect import period_start, weighted_order_statistics
from data_access.filters import Filters

PREFIX = "modqa_rollup_"
rollup_metadata = sa.MetaData()

DIMENSIONS = (
    "market_code",
    "policy_area",
    "label_code",
    "vendor_code",
    "queue",
    "is_automated",
)
INSPECTION_COLUMNS = (
    "inspections",
    "correct",
    "rejections_inspected",
    "over_enforced",
    "approvals_inspected",
    "under_enforced",
    "both_reject",
    "wrong_label",
)
WEIGHT_COLUMNS = ("weight", "correct_weight", "weight_sq")
DECISION_COLUMNS = ("decisions", "rejections", "automated")
APPEAL_COLUMNS = ("appealed", "resolved", "overturned", "upheld", "pending")
PENALTY_COLUMNS = ("penalties", "reversed", "reversed_after_overturn", "points")


def _dimension_columns(names: Sequence[str]) -> list[sa.Column]:
    types = {"is_automated": sa.Boolean(), "label_code": sa.String(64)}
    return [sa.Column(name, types.get(name, sa.String(64))) for name in names]


def _count_columns(names: Sequence[str]) -> list[sa.Column]:
    return [sa.Column(name, sa.BigInteger, nullable=False) for name in names]


def _weight_columns() -> list[sa.Column]:
    # Double precision: DuckDB's FLOAT is 4 bytes, too coarse for sums of weights.
    return [sa.Column(name, sa.Double, nullable=False) for name in WEIGHT_COLUMNS]


daily = sa.Table(
    f"{PREFIX}daily",
    rollup_metadata,
    sa.Column("day", sa.Date, nullable=False),
    *_dimension_columns(DIMENSIONS),
    *_count_columns(DECISION_COLUMNS + INSPECTION_COLUMNS),
    *_weight_columns(),
    *_count_columns(APPEAL_COLUMNS + PENALTY_COLUMNS),
)
penalty_types = sa.Table(
    f"{PREFIX}penalty_types",
    rollup_metadata,
    sa.Column("day", sa.Date, nullable=False),
    *_dimension_columns(DIMENSIONS),
    sa.Column("penalty_type", sa.String(32)),
    *_count_columns(PENALTY_COLUMNS),
)
# Inspections per day, decision dimension and (moderator's label and outcome, QA's label and
# outcome): the Labels page's precision, recall and confusion matrix are sums of these.
LABEL_DIMENSIONS = ("market_code", "policy_area", "vendor_code", "queue", "is_automated")
LABEL_PAIR_KEYS = ("rejection_label", "outcome", "qa_label", "qa_outcome")
label_pairs = sa.Table(
    f"{PREFIX}label_pairs",
    rollup_metadata,
    sa.Column("day", sa.Date, nullable=False),
    *_dimension_columns(LABEL_DIMENSIONS + LABEL_PAIR_KEYS),
    *_count_columns(("inspections",)),
)
# The moderator rollup, and the option lists, keep this many days up to the newest decision.
MODERATOR_WINDOW_DAYS = 182
MODERATOR_DIMENSIONS = ("moderator_id", "vendor_code", "market_code", "is_automated")
moderators = sa.Table(
    f"{PREFIX}moderators",
    rollup_metadata,
    sa.Column("day", sa.Date, nullable=False),
    *_dimension_columns(MODERATOR_DIMENSIONS),
    *_count_columns(DECISION_COLUMNS + INSPECTION_COLUMNS),
    *_weight_columns(),
)
# Resolved appeals per decision day, dimension, resolution day and resolution time (in
# seconds, as the warehouse computes it for the fact-table query): a histogram whose buckets
# are the distinct times themselves, so the order statistics read from it, and the
# quantiles interpolated between them, are exact (an error bound of zero). It is far smaller
# than the join of decisions and appeals it replaces: one row per distinct time and group.
RESOLUTION_KEYS = ("resolved_day", "seconds")
resolution_times = sa.Table(
    f"{PREFIX}resolution_times",
    rollup_metadata,
    sa.Column("day", sa.Date, nullable=False),
    *_dimension_columns(DIMENSIONS),
    sa.Column("resolved_day", sa.Date),
    sa.Column("seconds", sa.Double),
    *_count_columns(("appeals",)),
)
# Penalties that carry points, per day, dimension and points value: any bin width of the
# points distribution is an exact sum of these rows.
penalty_points = sa.Table(
    f"{PREFIX}penalty_points",
    rollup_metadata,
    sa.Column("day", sa.Date, nullable=False),
    *_dimension_columns(DIMENSIONS),
    sa.Column("points", sa.Integer),
    *_count_columns(("penalties", "reversed")),
)
meta = sa.Table(
    f"{PREFIX}meta",
    rollup_metadata,
    sa.Column("rollup", sa.String(64), primary_key=True),
    sa.Column("first_day", sa.Date),
    sa.Column("last_day", sa.Date),
    # The newest source timestamp the rollup has seen: refresh rebuilds days with later rows.
    sa.Column("watermark", sa.DateTime),
    sa.Column("refreshed_at", sa.DateTime, nullable=False),
    sa.Column("rows", sa.BigInteger, nullable=False),
)
ROLLUP_TABLES = (daily, penalty_types, moderators, label_pairs, resolution_times, penalty_points)


@dataclass(frozen=True)
class Rollup:
    """What one rollup table can answer: its query functions' counts, keys and filters."""

    table: sa.Table
    counts: dict[str, tuple[str, ...]]
    dimensions: tuple[str, ...]
    extra_keys: tuple[str, ...] = ()


# A query returns only the groups holding what it counts (inspections, rejections); rows
# of the rollup without any are left out so the same groups come back.
PRESENCE = {"inspection_counts": "inspections", "appeal_counts": "rejections"}


ROLLUPS = {
    daily.name: Rollup(
        daily,
        {
            "decision_counts": DECISION_COLUMNS,
            "inspection_counts": INSPECTION_COLUMNS + WEIGHT_COLUMNS,
            "appeal_counts": ("rejections", *APPEAL_COLUMNS),
            "penalty_counts": ("rejections", *PENALTY_COLUMNS),
        },
        DIMENSIONS,
    ),
    penalty_types.name: Rollup(
        penalty_types, {"penalty_counts": PENALTY_COLUMNS}, DIMENSIONS, ("penalty_type",)
    ),
    moderators.name: Rollup(
        moderators,
        {
            "decision_counts": DECISION_COLUMNS,
            "inspection_counts": INSPECTION_COLUMNS + WEIGHT_COLUMNS,
        },
        MODERATOR_DIMENSIONS,
    ),
    # "label_pairs" is read by label_counts and confusion_counts, which sum its rows in pandas.
    label_pairs.name: Rollup(
        label_pairs, {"label_pairs": ("inspections",)}, LABEL_DIMENSIONS, LABEL_PAIR_KEYS
    ),
    # Read by appeal_resolution_times through ``select_resolution_statistics``.
    resolution_times.name: Rollup(resolution_times, {"resolution_times": ("appeals",)}, DIMENSIONS),
    # Read by penalty_points_distribution through ``select_points``.
    penalty_points.name: Rollup(
        penalty_points, {"penalty_points": ("penalties", "reversed")}, DIMENSIONS
    ),
}
# Filters fields and the rollup dimension each one narrows.
FILTERED = {
    "markets": "market_code",
    "policy_areas": "policy_area",
    "labels": "label_code",
    "vendors": "vendor_code",
    "queues": "queue",
    "moderators": "moderator_id",
}
# The app re-reads the list of rollups this often, so a refresh shows without a restart.
STATUS_SECONDS = 60
_status_cache: dict[str, tuple[float, pd.DataFrame]] = {}
_status_lock = threading.Lock()


def read_status(engine: sa.Engine) -> pd.DataFrame:
    """Return one row per built rollup: ``rollup``, ``first_day``, ``last_day``,
    ``watermark``, ``refreshed_at`` and ``rows``; empty when the warehouse has none."""
    columns = [column.name for column in meta.columns]
    try:
        with engine.connect() as connection:
            schema = engine.get_execution_options().get("schema_translate_map", {}).get(None)
            if not sa.inspect(connection).has_table(meta.name, schema=schema):
                return pd.DataFrame(columns=columns)
            result = connection.execute(sa.select(meta).order_by(meta.c.rollup))
            return pd.DataFrame(result.all(), columns=columns)
    except sa.exc.DBAPIError:
        return pd.DataFrame(columns=columns)


def status(engine: sa.Engine) -> pd.DataFrame:
    """Return ``read_status``, re-read at most every ``STATUS_SECONDS`` per warehouse."""
    key = engine.url.render_as_string(hide_password=False)
    now = time.monotonic()
    with _status_lock:
        cached = _status_cache.get(key)
        if cached and now - cached[0] < STATUS_SECONDS:
            return cached[1]
    frame = read_status(engine)
    with _status_lock:
        _status_cache[key] = (now, frame)
    return frame


def forget_status() -> None:
    """Drop the remembered rollup lists, so the next query reads them again."""
    with _status_lock:
        _status_cache.clear()


def enabled(engine: sa.Engine) -> bool:
    """Return False when the engine was told not to use rollups (``modqa_rollups=False``)."""
    return engine.get_execution_options().get("modqa_rollups", True)


def covering(engine: sa.Engine, name: str, filters: Filters, by: Sequence[str]) -> Rollup | None:
    """Return the smallest built rollup that answers ``name(engine, filters, by)`` exactly."""
    found = _covering(engine, name, filters, by, past_last_day=False)
    return found[0] if found else None


def covering_until(
    engine: sa.Engine, name: str, filters: Filters, by: Sequence[str]
) -> tuple[Rollup, dt.date] | None:
    """Return the smallest built rollup that answers the request from its first day up to
    the rollup's last day, and that day, when the request runs past it (the days after are
    for the fact tables); None when a rollup covers it all or none covers its start."""
    found = _covering(engine, name, filters, by, past_last_day=True)
    return found if found and found[1] < filters.end else None


def _covering(
    engine: sa.Engine, name: str, filters: Filters, by: Sequence[str], *, past_last_day: bool
) -> tuple[Rollup, dt.date] | None:
    """Return the smallest built rollup answering the request, with its last day; it must
    reach the request's end unless ``past_last_day``, and always hold its first day."""
    # A viewer's scope (markets x vendors grants) is applied by the fact-table queries; the
    # rollups answer only unscoped requests, so a scope can never be left out.
    scope = getattr(filters, "scope", None)
    if not enabled(engine) or (scope is not None and not scope.is_everything):
        return None
    built = status(engine)
    if built.empty:
        return None
    built = built.set_index("rollup")
    smallest_first = (
        moderators.name,
        penalty_types.name,
        label_pairs.name,
        resolution_times.name,
        penalty_points.name,
        daily.name,
    )
    for rollup_name in smallest_first:
        rollup = ROLLUPS[rollup_name]
        if name not in rollup.counts or rollup_name not in built.index:
            continue
        keys = set(rollup.dimensions) | set(rollup.extra_keys) | {"period"}
        if not set(by) <= keys or set(rollup.extra_keys) - set(by):
            continue
        filtered = {FILTERED[field] for field in FILTERED if getattr(filters, field)}
        if not filtered <= set(rollup.dimensions):
            continue
        row = built.loc[rollup_name]
        if pd.isna(row["last_day"]):
            continue
        last_day = pd.Timestamp(row["last_day"]).date()
        if filters.start > last_day or (filters.end > last_day and not past_last_day):
            continue
        if rollup_name == moderators.name and filters.start < pd.Timestamp(row["first_day"]).date():
            continue
        return rollup, last_day
    return None


def select_counts(
    rollup: Rollup, name: str, filters: Filters, by: Sequence[str]
) -> tuple[sa.Select, tuple[str, ...]]:
    """Return the statement summing a rollup's counts for a query, and the counts' names."""
    table = rollup.table
    groups = _groups(table, filters, by, table.c.day)
    conditions = _conditions(table, filters, table.c.day)
    counts = rollup.counts[name]
    if name in PRESENCE:
        conditions.append(table.c[PRESENCE[name]] > 0)
    statement = (
        sa.select(*groups, *(sa.func.sum(table.c[count]).label(count) for count in counts))
        .where(*conditions)
        .group_by(*groups)
    )
    return statement, counts


def _groups(
    table: sa.Table, filters: Filters, by: Sequence[str], day: sa.Column
) -> list[sa.ColumnElement]:
    """Return the labelled group expressions of a rollup; ``period`` is taken from ``day``."""
    return [
        period_start(day, filters.grain).label("period")
        if key == "period"
        else table.c[key].label(key)
        for key in by
    ]


def _conditions(table: sa.Table, filters: Filters, day: sa.Column) -> list[sa.ColumnElement]:
    """Return a rollup's conditions: ``day`` within the filters' dates, and their sets."""
    conditions = [day >= filters.start, day <= filters.end]
    for field, column in FILTERED.items():
        values = getattr(filters, field)
        if values:
            conditions.append(table.c[column].in_(values))
    return conditions


def select_resolution_statistics(
    dialect: str, rollup: Rollup, filters: Filters, by: Sequence[str], quantiles, *, view: str
) -> sa.Select:
    """Return the statement giving what ``dialect.order_statistics`` gives, read from the
    resolution-time histogram (``view="flow"`` dates and groups by the resolution day)."""
    table = rollup.table
    day = table.c.resolved_day if view == "flow" else table.c.day
    return weighted_order_statistics(
        dialect,
        _groups(table, filters, by, day),
        table.c.seconds,
        table.c.appeals,
        source=table,
        conditions=_conditions(table, filters, day),
        quantiles=quantiles,
    )


def select_points(rollup: Rollup, filters: Filters, by: Sequence[str], points_from) -> sa.Select:
    """Return the statement giving ``penalty_points_distribution``'s rows from the points
    rollup; ``points_from(points)`` is the bin expression of a points column."""
    table = rollup.table
    groups = [*_groups(table, filters, by, table.c.day), points_from(table.c.points)]
    return (
        sa.select(
            *groups,
            sa.func.sum(table.c.penalties).label("penalty_rows"),
            sa.func.sum(table.c.reversed).label("reversed"),
        )
        .where(*_conditions(table, filters, table.c.day))
        .group_by(*groups)
    )


def day_range(status_frame: pd.DataFrame) -> tuple[dt.date, dt.date] | None:
    """Return the first and last day the daily rollup covers, or None without one."""
    built = status_frame.set_index("rollup") if len(status_frame) else status_frame
    if daily.name not in getattr(built, "index", ()):
        return None
    row = built.loc[daily.name]
    return pd.Timestamp(row["first_day"]).date(), pd.Timestamp(row["last_day"]).date()
