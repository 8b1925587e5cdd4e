"""Aggregate queries: counts per requested group, never rates and never raw fact rows.

Every function takes an engine, a ``Filters`` value and the group keys wanted (``by``), and
returns a DataFrame with one row per group: the group keys first, then integer counts.
Rates, intervals and tests are computed from these counts by ``metrics``.

Rates are attributed to the *decision cohort* (DESIGN.md): the period and dimensions of
the original decision. Every value from a filter enters SQL as a bound parameter.

Every join starts from ``decisions`` and joins one other table on ``decision_id``, one join
per SELECT (nest subqueries for more), with no window functions and no correlated
subqueries: that is the SQL a ClickHouse 18.16 cluster runs (``data_access.dialect``), and
with decisions first its shards filter them by date before joining. In a query with a join,
no result column is labelled with a table's name (ClickHouse would read ``penalties.points``
as a column of the alias), and no expression is labelled with the name of a column it reads.

Group keys: ``period`` (start of the day, ISO week or month of the decision, by the
filters' grain) and the decision dimensions in ``GROUP_KEYS``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import pandas as pd
import sqlalchemy as sa

from data_access import rollup_tables
from data_access.dialect import columnar_frame, order_statistics, period_start, seconds_between
from data_access.filters import EVERYTHING, Filters, Scope
from data_access.schema import (
    appeals,
    decisions,
    markets,
    penalties,
    policy_labels,
    qa_inspections,
    vendors,
)

# "approve" stands for an approval in label-by-label views (confusion matrix).
APPROVE = "approve"

GROUP_KEYS = {
    "market_code": decisions.c.market_code,
    "policy_area": decisions.c.policy_area,
    "queue": decisions.c.queue,
    "vendor_code": decisions.c.vendor_code,
    "moderator_id": decisions.c.moderator_id,
    "label_code": decisions.c.rejection_label,
    "is_automated": decisions.c.is_automated,
}

INSPECTION_COUNTS = (
    "inspections",
    "correct",
    "rejections_inspected",
    "over_enforced",
    "approvals_inspected",
    "under_enforced",
    "both_reject",
    "wrong_label",
)
INSPECTION_WEIGHTS = ("weight", "correct_weight", "weight_sq")
DECISION_COUNTS = ("decisions", "rejections", "automated")
APPEAL_COUNTS = ("rejections", "appealed", "resolved", "overturned", "upheld", "pending")
APPEAL_FLOW_COUNTS = ("resolved", "overturned", "upheld")
PENALTY_COUNTS = ("penalties", "reversed", "reversed_after_overturn", "points")
LABEL_COUNTS = ("predicted", "actual", "agreed")

MAX_PAGE_SIZE = 500


class UnknownGroupKey(ValueError):
    """A group key that no query knows; the message lists the keys that exist."""


def _sum_if(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    """Return SUM(CASE WHEN condition THEN 1 ELSE 0 END), which every dialect counts alike."""
    return sa.func.sum(sa.case((condition, 1), else_=0))


def _range_conditions(column: sa.ColumnElement, filters: Filters) -> list[sa.ColumnElement[bool]]:
    """Return the half-open timestamp range [start, end + 1 day) for inclusive dates."""
    start = dt.datetime.combine(filters.start, dt.time())
    end = dt.datetime.combine(filters.end + dt.timedelta(days=1), dt.time())
    return [column >= start, column < end]


def _dimension_conditions(
    filters: Filters, *, label_columns: Sequence[sa.ColumnElement] = (decisions.c.rejection_label,)
) -> list[sa.ColumnElement[bool]]:
    """Return the conditions for the filters' market, policy, vendor, queue and label sets."""
    conditions = []
    for values, column in (
        (filters.markets, decisions.c.market_code),
        (filters.policy_areas, decisions.c.policy_area),
        (filters.vendors, decisions.c.vendor_code),
        (filters.queues, decisions.c.queue),
        (filters.moderators, decisions.c.moderator_id),
    ):
        if values:
            conditions.append(column.in_(values))
    if filters.labels:
        conditions.append(sa.or_(*(column.in_(filters.labels) for column in label_columns)))
    return conditions + _scope_conditions(filters.scope)


def _scope_conditions(scope: Scope) -> list[sa.ColumnElement[bool]]:
    """Return the condition keeping only decisions inside the viewer's scope (bound values).

    Every query's decision conditions pass through here, so no page, list or download can
    leave the scope out; a scope of no grants matches no row (default deny).
    """
    if scope.is_everything:
        return []
    if scope.is_nothing:
        return [sa.false()]
    allowed = []
    for grant in scope.grants:
        parts = []
        if grant.markets is not None:
            parts.append(decisions.c.market_code.in_(grant.markets))
        if grant.vendors is not None:
            parts.append(decisions.c.vendor_code.in_(grant.vendors))
        allowed.append(sa.and_(*parts))
    return [sa.or_(*allowed)]


def _cohort_conditions(filters: Filters, **kwargs) -> list[sa.ColumnElement[bool]]:
    """Return the conditions that select the filtered decision cohort."""
    return _range_conditions(decisions.c.decided_at, filters) + _dimension_conditions(
        filters, **kwargs
    )


def _group_columns(
    by: Sequence[str], filters: Filters, time_column: sa.ColumnElement = decisions.c.decided_at
) -> list[sa.ColumnElement]:
    """Return the labelled SQL expressions for the requested group keys."""
    columns = []
    for key in by:
        if key == "period":
            columns.append(period_start(time_column, filters.grain).label("period"))
        elif key in GROUP_KEYS:
            columns.append(GROUP_KEYS[key].label(key))
        else:
            known = ", ".join(["period", *GROUP_KEYS])
            raise UnknownGroupKey(f"cannot group by {key!r}; the group keys are {known}")
    return columns


def _fetch(engine: sa.Engine, statement: sa.Select) -> pd.DataFrame:
    """Run a statement and return its rows as a DataFrame with the statement's columns."""
    with engine.connect() as connection:
        result = connection.execute(statement)
        columns = list(result.keys())
        columnar = columnar_frame(result)
        if columnar is not None:
            result.close()
            return columnar.set_axis(columns, axis=1)
        rows = result.all()
    # Column by column: building a frame from Row objects makes pandas probe each row's
    # attributes, which costs seconds for a hundred thousand rows.
    values = list(zip(*rows, strict=True)) if rows else [[] for _ in columns]
    return pd.DataFrame(dict(zip(columns, map(list, values), strict=True)), columns=columns)


def _from_rollup(
    engine: sa.Engine,
    name: str,
    filters: Filters,
    by: Sequence[str],
    facts: Callable[[Filters], sa.Select] | None = None,
) -> pd.DataFrame | None:
    """Return the query's frame summed from a rollup that covers it, or None when none does.

    With ``facts`` (the query's fact-table statement for a date range), a request that runs
    past the rollup's last day reads the rollup up to that day and the fact tables after it,
    and sums the two per group: every count is over decision cohorts, and a cohort's day is
    on one side only. Rollups are refreshed after the day ends, so a view that includes today
    would otherwise scan every decision of its range.
    """
    rollup = rollup_tables.covering(engine, name, filters, by)
    if rollup is not None:
        statement, _ = rollup_tables.select_counts(rollup, name, filters, by)
        return _fetch(engine, statement)
    until = rollup_tables.covering_until(engine, name, filters, by) if facts else None
    if until is None:
        return None
    rollup, last_day = until
    statement, _ = rollup_tables.select_counts(
        rollup, name, filters.with_range(filters.start, last_day), by
    )
    head = _fetch(engine, statement)
    tail = _fetch(engine, facts(filters.with_range(last_day + dt.timedelta(days=1), filters.end)))
    return _summed(head, tail[list(head.columns)], by)


def _summed(head: pd.DataFrame, tail: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Return two frames of counts with the same columns summed per ``by`` group."""
    frame = pd.concat([head, tail], ignore_index=True)
    if "period" in frame.columns:
        frame["period"] = pd.to_datetime(frame["period"])
    counted = [column for column in frame.columns if column not in by]
    # SUM() is a Decimal on MariaDB and NULL over no rows: numbers first, then the sums.
    frame[counted] = frame[counted].apply(pd.to_numeric)
    if not by:
        return frame[counted].sum().to_frame().T
    return frame.groupby(list(by), dropna=False, sort=False, as_index=False)[counted].sum()


def _tidy(
    frame: pd.DataFrame,
    by: Sequence[str],
    counts: Sequence[str],
    floats: Sequence[str] = (),
) -> pd.DataFrame:
    """Return the frame with dialect-neutral types: dates as datetimes, counts as int64."""
    frame = frame.copy()
    if "period" in frame.columns:
        frame["period"] = pd.to_datetime(frame["period"])
    if "is_automated" in frame.columns:
        frame["is_automated"] = frame["is_automated"].astype(bool)
    for column in counts:
        # SUM() comes back as Decimal on MariaDB and as NULL over no rows.
        frame[column] = pd.to_numeric(frame[column]).fillna(0).astype("int64")
    for column in floats:
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    return frame.sort_values(list(by), ignore_index=True) if by and len(frame) else frame


def _correct() -> sa.ColumnElement[bool]:
    """Return the DESIGN.md definition of a correct inspection."""
    return sa.and_(
        qa_inspections.c.qa_outcome == decisions.c.outcome,
        sa.or_(
            decisions.c.outcome == "approve",
            qa_inspections.c.qa_label == decisions.c.rejection_label,
        ),
    )


def inspection_counts(
    engine: sa.Engine, filters: Filters, by: Sequence[str] = ("period",)
) -> pd.DataFrame:
    """Return QA inspection counts per group: accuracy, enforcement and wrong-label parts.

    Columns: the group keys, then ``inspections``, ``correct``, ``rejections_inspected``,
    ``over_enforced``, ``approvals_inspected``, ``under_enforced``, ``both_reject``,
    ``wrong_label`` (integers) and ``weight``, ``correct_weight``, ``weight_sq`` (sums of
    ``sampling_weight``, of it over correct inspections, and of its square).
    """
    rolled = _from_rollup(
        engine, "inspection_counts", filters, by, lambda chosen: inspection_statement(chosen, by)
    )
    if rolled is not None:
        return _tidy(rolled, by, INSPECTION_COUNTS, INSPECTION_WEIGHTS)
    frame = _fetch(engine, inspection_statement(filters, by))
    return _tidy(frame, by, INSPECTION_COUNTS, INSPECTION_WEIGHTS)


def inspection_statement(filters: Filters, by: Sequence[str]) -> sa.Select:
    """Return the fact-table SELECT of ``inspection_counts`` (for ``INSERT ... SELECT``)."""
    d, q = decisions, qa_inspections
    rejected, qa_rejected = d.c.outcome == "reject", q.c.qa_outcome == "reject"
    approved, qa_approved = d.c.outcome == "approve", q.c.qa_outcome == "approve"
    groups = _group_columns(by, filters)
    statement = (
        sa.select(
            *groups,
            sa.func.count().label("inspections"),
            _sum_if(_correct()).label("correct"),
            _sum_if(rejected).label("rejections_inspected"),
            _sum_if(sa.and_(rejected, qa_approved)).label("over_enforced"),
            _sum_if(approved).label("approvals_inspected"),
            _sum_if(sa.and_(approved, qa_rejected)).label("under_enforced"),
            _sum_if(sa.and_(rejected, qa_rejected)).label("both_reject"),
            _sum_if(sa.and_(rejected, qa_rejected, q.c.qa_label != d.c.rejection_label)).label(
                "wrong_label"
            ),
            sa.func.sum(q.c.sampling_weight).label("weight"),
            sa.func.sum(sa.case((_correct(), q.c.sampling_weight), else_=0.0)).label(
                "correct_weight"
            ),
            sa.func.sum(q.c.sampling_weight * q.c.sampling_weight).label("weight_sq"),
        )
        .select_from(d.join(q, q.c.decision_id == d.c.decision_id))
        .where(*_cohort_conditions(filters))
        .group_by(*groups)
    )
    return statement


def decision_counts(
    engine: sa.Engine, filters: Filters, by: Sequence[str] = ("period",)
) -> pd.DataFrame:
    """Return ``decisions``, ``rejections`` and ``automated`` decision counts per group."""
    rolled = _from_rollup(
        engine, "decision_counts", filters, by, lambda chosen: decision_statement(chosen, by)
    )
    if rolled is not None:
        return _tidy(rolled, by, DECISION_COUNTS)
    return _tidy(_fetch(engine, decision_statement(filters, by)), by, DECISION_COUNTS)


def decision_statement(filters: Filters, by: Sequence[str]) -> sa.Select:
    """Return the fact-table SELECT of ``decision_counts`` (for ``INSERT ... SELECT``)."""
    groups = _group_columns(by, filters)
    statement = (
        sa.select(
            *groups,
            sa.func.count().label("decisions"),
            _sum_if(decisions.c.outcome == "reject").label("rejections"),
            _sum_if(decisions.c.is_automated).label("automated"),
        )
        .where(*_cohort_conditions(filters))
        .group_by(*groups)
    )
    return statement


def label_pair_statement(filters: Filters, by: Sequence[str]) -> sa.Select:
    """Return inspections per group and (moderator label and outcome, QA label and outcome):
    the fact-table SELECT of the label rollup, from which label and confusion counts sum."""
    d, q = decisions, qa_inspections
    pair = (
        d.c.rejection_label.label("rejection_label"),
        d.c.outcome.label("outcome"),
        q.c.qa_label.label("qa_label"),
        q.c.qa_outcome.label("qa_outcome"),
    )
    groups = [*_group_columns(by, filters), *pair]
    return (
        sa.select(*groups, sa.func.count().label("inspections"))
        .select_from(d.join(q, q.c.decision_id == d.c.decision_id))
        .where(*_cohort_conditions(filters, label_columns=(d.c.rejection_label, q.c.qa_label)))
        .group_by(*groups)
    )


def _label_pairs(engine: sa.Engine, filters: Filters, by: Sequence[str]) -> pd.DataFrame | None:
    """Return the label rollup's inspections per group and label pair, or None when no built
    rollup covers the request (the caller then reads the fact tables)."""
    keys = (*by, *rollup_tables.LABEL_PAIR_KEYS)
    # Either side's label may match a label filter, so it is applied here, not as a dimension.
    unlabelled = replace(filters, labels=())
    rollup = rollup_tables.covering(engine, "label_pairs", unlabelled, keys)
    if rollup is None:
        return None
    statement, _ = rollup_tables.select_counts(rollup, "label_pairs", unlabelled, keys)
    if filters.labels:
        table = rollup.table
        statement = statement.where(
            sa.or_(
                table.c.rejection_label.in_(filters.labels), table.c.qa_label.in_(filters.labels)
            )
        )
    pairs = _fetch(engine, statement)
    pairs["inspections"] = pd.to_numeric(pairs["inspections"]).astype("int64")
    return pairs


def _sum_groups(frame: pd.DataFrame, keys: Sequence[str], counts: Sequence[str]) -> pd.DataFrame:
    """Return ``counts`` summed per ``keys``, missing keys kept as a group of their own (as SQL
    GROUP BY keeps NULL) and written as None, as a fetched frame has them."""
    summed = frame.groupby(list(keys), dropna=False, sort=False)[list(counts)].sum().reset_index()
    for key in keys:
        if summed[key].dtype == object:
            summed[key] = summed[key].where(summed[key].notna(), None)
    return summed


def label_counts(engine: sa.Engine, filters: Filters, by: Sequence[str] = ()) -> pd.DataFrame:
    """Return per-label precision and recall counts: ``predicted``, ``actual``, ``agreed``.

    ``predicted`` counts inspections whose moderator label is L, ``actual`` those whose QA
    label is L and ``agreed`` those where both are L. A label filter keeps inspections where
    either side chose a selected label, so recall keeps its whole denominator.
    """
    keys = [*by, "label_code"]
    pairs = _label_pairs(engine, filters, by)
    if pairs is not None:
        both = pairs["rejection_label"].notna() & (pairs["rejection_label"] == pairs["qa_label"])
        pairs = pairs.assign(agreed=pairs["inspections"].where(both, 0))
        predicted = _sum_groups(
            pairs[pairs["rejection_label"].notna()].rename(
                columns={"rejection_label": "label_code", "inspections": "predicted"}
            ),
            keys,
            ("predicted", "agreed"),
        )
        actual = _sum_groups(
            pairs[pairs["qa_label"].notna()].rename(
                columns={"qa_label": "label_code", "inspections": "actual"}
            ),
            keys,
            ("actual",),
        )
    else:
        d, q = decisions, qa_inspections
        label_columns = (d.c.rejection_label, q.c.qa_label)
        joined = d.join(q, q.c.decision_id == d.c.decision_id)
        conditions = _cohort_conditions(filters, label_columns=label_columns)
        frames = []
        for label_column, count_name in (
            (d.c.rejection_label, "predicted"),
            (q.c.qa_label, "actual"),
        ):
            groups = [*_group_columns(by, filters), label_column.label("label_code")]
            statement = (
                sa.select(
                    *groups,
                    sa.func.count().label(count_name),
                    _sum_if(q.c.qa_label == d.c.rejection_label).label("agreed"),
                )
                .select_from(joined)
                .where(*conditions, label_column.is_not(None))
                .group_by(*groups)
            )
            frames.append(_fetch(engine, statement))
        predicted, actual = frames
        actual = actual.drop(columns="agreed")
    merged = predicted.merge(actual, on=keys, how="outer")
    if filters.labels:
        merged = merged[merged["label_code"].isin(filters.labels)]
    return _tidy(merged, keys, LABEL_COUNTS)


def confusion_counts(engine: sa.Engine, filters: Filters) -> pd.DataFrame:
    """Return inspections per (``moderator_label``, ``qa_label``); approvals are ``"approve"``."""
    keys = ["moderator_label", "qa_label"]
    pairs = _label_pairs(engine, filters, ())
    if pairs is not None:
        sides = pd.DataFrame(
            {
                "moderator_label": pairs["rejection_label"].where(
                    pairs["outcome"] != APPROVE, APPROVE
                ),
                "qa_label": pairs["qa_label"].where(pairs["qa_outcome"] != APPROVE, APPROVE),
                "inspections": pairs["inspections"],
            }
        )
        return _tidy(_sum_groups(sides, keys, ("inspections",)), keys, ["inspections"])
    d, q = decisions, qa_inspections
    # A constant, not a bound parameter, so PostgreSQL sees GROUP BY and SELECT as equal.
    approve = sa.literal_column(f"'{APPROVE}'")
    # Labelled apart from the columns they read: ClickHouse resolves a bare name to a
    # same-named alias first, so "... ELSE qa_label END AS qa_label" would refer to itself.
    moderator_label = sa.case((d.c.outcome == "approve", approve), else_=d.c.rejection_label).label(
        "moderator_side"
    )
    qa_label = sa.case((q.c.qa_outcome == "approve", approve), else_=q.c.qa_label).label("qa_side")
    statement = (
        sa.select(moderator_label, qa_label, sa.func.count().label("inspections"))
        .select_from(d.join(q, q.c.decision_id == d.c.decision_id))
        .where(*_cohort_conditions(filters, label_columns=(d.c.rejection_label, q.c.qa_label)))
        .group_by(moderator_label, qa_label)
    )
    frame = _fetch(engine, statement).rename(
        columns={"moderator_side": "moderator_label", "qa_side": "qa_label"}
    )
    return _tidy(frame, keys, ["inspections"])


def _appeals_per_decision() -> sa.Subquery:
    """Return appeals summed per decision: ``appeals`` and ``resolved``, ``overturned``,
    ``upheld``, ``pending``."""
    a = appeals
    outcome = a.c.appeal_outcome
    return (
        sa.select(
            a.c.decision_id,
            sa.func.count().label("appeals"),
            _sum_if(outcome.in_(("upheld", "overturned"))).label("resolved"),
            _sum_if(outcome == "overturned").label("overturned"),
            _sum_if(outcome == "upheld").label("upheld"),
            _sum_if(outcome == "pending").label("pending"),
        )
        .group_by(a.c.decision_id)
        .subquery("appeals_per_decision")
    )


def appeal_counts(
    engine: sa.Engine, filters: Filters, by: Sequence[str] = ("period",)
) -> pd.DataFrame:
    """Return cohort appeal counts per group: rejections and their appeals by outcome.

    ``appealed`` counts rejections with at least one appeal; ``resolved``, ``overturned``,
    ``upheld`` and ``pending`` count appeals. Grouped by the decision's period and dimensions.
    """
    rolled = _from_rollup(
        engine, "appeal_counts", filters, by, lambda chosen: appeal_statement(chosen, by)
    )
    if rolled is not None:
        return _tidy(rolled, by, APPEAL_COUNTS)
    return _tidy(_fetch(engine, appeal_statement(filters, by)), by, APPEAL_COUNTS)


def appeal_statement(filters: Filters, by: Sequence[str]) -> sa.Select:
    """Return the fact-table SELECT of ``appeal_counts`` (for ``INSERT ... SELECT``)."""
    d = decisions
    per_decision = _appeals_per_decision()
    groups = _group_columns(by, filters)
    # Appeals are summed per decision first, so the join keeps one row per rejection and
    # plain sums count both: no COUNT(DISTINCT) over a LEFT JOIN, which ClickHouse 18.16
    # cannot run. ``appeals`` is NULL exactly when a rejection has none.
    statement = (
        sa.select(
            *groups,
            sa.func.count().label("rejections"),
            _sum_if(per_decision.c.appeals.is_not(None)).label("appealed"),
            *(
                sa.func.sum(per_decision.c[name]).label(name)
                for name in ("resolved", "overturned", "upheld", "pending")
            ),
        )
        .select_from(d.outerjoin(per_decision, per_decision.c.decision_id == d.c.decision_id))
        .where(*_cohort_conditions(filters), d.c.outcome == "reject")
        .group_by(*groups)
    )
    return statement


def appeal_flow_counts(
    engine: sa.Engine, filters: Filters, by: Sequence[str] = ("period",)
) -> pd.DataFrame:
    """Return resolved appeals per *resolution* period (the flow view) and decision dimensions.

    The date range and ``period`` apply to ``resolved_at``; counts are ``resolved``,
    ``overturned`` and ``upheld``, as an appeals team counts its week's work.
    """
    d, a = decisions, appeals
    groups = _group_columns(by, filters, time_column=a.c.resolved_at)
    statement = (
        sa.select(
            *groups,
            sa.func.count().label("resolved"),
            _sum_if(a.c.appeal_outcome == "overturned").label("overturned"),
            _sum_if(a.c.appeal_outcome == "upheld").label("upheld"),
        )
        .select_from(d.join(a, a.c.decision_id == d.c.decision_id))
        .where(
            *_range_conditions(a.c.resolved_at, filters),
            *_dimension_conditions(filters),
            a.c.appeal_outcome.in_(("upheld", "overturned")),
        )
        .group_by(*groups)
    )
    return _tidy(_fetch(engine, statement), by, APPEAL_FLOW_COUNTS)


def appeal_resolution_times(
    engine: sa.Engine, filters: Filters, by: Sequence[str] = ("period",), *, view: str = "cohort"
) -> pd.DataFrame:
    """Return ``resolved``, ``median_hours`` and ``p90_hours`` of resolution time per group.

    Quantiles interpolate linearly between order statistics (Hyndman & Fan type 7, numpy's
    default): the warehouse returns the two order statistics either side of each quantile's
    position (``dialect.order_statistics``, or read from the resolution-time rollup when one
    covers the request), and the interpolation is done here.
    ``view="flow"`` groups and filters by resolution date instead of decision date.
    """
    if view not in ("cohort", "flow"):
        raise ValueError(f"view must be 'cohort' or 'flow', not {view!r}")
    quantiles = {"median": 0.5, "p90": 0.9}
    # ClickHouse 18.16 has no window functions to read the histogram with; it sorts arrays.
    rollup = (
        rollup_tables.covering(engine, "resolution_times", filters, by)
        if engine.dialect.name != "clickhouse"
        else None
    )
    if rollup is not None:
        statement = rollup_tables.select_resolution_statistics(
            engine.dialect.name, rollup, filters, by, quantiles, view=view
        )
    else:
        statement = _resolution_facts_statement(engine, filters, by, quantiles, view=view)
    frame = _fetch(engine, statement)
    for name, quantile in quantiles.items():
        low = pd.to_numeric(frame.pop(f"{name}_low")).astype("float64")
        high = pd.to_numeric(frame.pop(f"{name}_high")).astype("float64")
        fraction = ((frame["resolved"].astype("float64") - 1) * quantile) % 1
        frame[f"{name}_hours"] = (low + fraction * (high - low)) / 3600
    return _tidy(frame, by, ["resolved"], ["median_hours", "p90_hours"])


def _resolution_facts_statement(
    engine: sa.Engine, filters: Filters, by: Sequence[str], quantiles, *, view: str
) -> sa.Select:
    """Return ``dialect.order_statistics`` of resolution seconds over the fact tables."""
    d, a = decisions, appeals
    time_column = d.c.decided_at if view == "cohort" else a.c.resolved_at
    groups = _group_columns(by, filters, time_column=time_column)
    return order_statistics(
        engine.dialect.name,
        groups,
        seconds_between(a.c.appealed_at, a.c.resolved_at),
        source=d.join(a, a.c.decision_id == d.c.decision_id),
        conditions=[
            *_range_conditions(time_column, filters),
            *_dimension_conditions(filters),
            a.c.appeal_outcome.in_(("upheld", "overturned")),
        ],
        quantiles=quantiles,
    )


def resolution_histogram_statement(filters: Filters) -> sa.Select:
    """Return resolved appeals counted per decision day, rollup dimension, resolution day and
    resolution time in seconds: the rows of the resolution-time rollup."""
    d, a = decisions, appeals
    groups = [
        *_group_columns(("period", *rollup_tables.DIMENSIONS), filters),
        period_start(a.c.resolved_at, "day").label("resolved_day"),
        seconds_between(a.c.appealed_at, a.c.resolved_at).label("seconds"),
    ]
    return (
        sa.select(*groups, sa.func.count().label("appeals"))
        .select_from(d.join(a, a.c.decision_id == d.c.decision_id))
        .where(*_cohort_conditions(filters), a.c.appeal_outcome.in_(("upheld", "overturned")))
        .group_by(*groups)
    )


def _penalties_per_decision(by_type: bool = False) -> sa.Subquery:
    """Return penalties summed per decision (and type): ``penalties``, ``reversed``,
    ``reversed_after_overturn`` and ``points``."""
    p = penalties
    overturned = sa.select(appeals.c.decision_id).where(appeals.c.appeal_outcome == "overturned")
    keys = [p.c.decision_id, *([p.c.penalty_type] if by_type else [])]
    # An IN subquery, not a second join: ClickHouse 18.16 allows one JOIN per SELECT.
    return (
        sa.select(
            *keys,
            sa.func.count().label("penalties"),
            _sum_if(p.c.reversed_at.is_not(None)).label("reversed"),
            _sum_if(
                sa.and_(
                    p.c.reversed_at.is_not(None),
                    p.c.decision_id.in_(overturned),
                )
            ).label("reversed_after_overturn"),
            sa.func.sum(sa.func.coalesce(p.c.points, 0)).label("points"),
        )
        .group_by(*keys)
        .subquery("penalties_per_decision")
    )


def penalty_counts(
    engine: sa.Engine, filters: Filters, by: Sequence[str] = ("period",)
) -> pd.DataFrame:
    """Return penalty counts per group: ``penalties``, ``reversed``, ``reversed_after_overturn``,
    ``points`` and, unless grouped by ``penalty_type``, the cohort's ``rejections``.
    """
    by_type = "penalty_type" in by
    counted = PENALTY_COUNTS if by_type else ("rejections", *PENALTY_COUNTS)
    rolled = _from_rollup(
        engine, "penalty_counts", filters, by, lambda chosen: penalty_statement(chosen, by)
    )
    if rolled is not None:
        return _tidy(rolled, by, counted)
    return _tidy(_fetch(engine, penalty_statement(filters, by)), by, counted)


def penalty_statement(filters: Filters, by: Sequence[str]) -> sa.Select:
    """Return the fact-table SELECT of ``penalty_counts`` (for ``INSERT ... SELECT``)."""
    d = decisions
    by_type = "penalty_type" in by
    per_decision = _penalties_per_decision(by_type)
    groups = _group_columns([key for key in by if key != "penalty_type"], filters)
    sums = [sa.func.sum(per_decision.c[name]).label(name) for name in PENALTY_COUNTS]
    if by_type:
        groups.insert(list(by).index("penalty_type"), per_decision.c.penalty_type)
        source = d.join(per_decision, per_decision.c.decision_id == d.c.decision_id)
    else:
        # Penalties are summed per decision first, so one scan of the cohort's decisions
        # counts its rejections and its penalties together.
        sums.insert(0, _sum_if(d.c.outcome == "reject").label("rejections"))
        source = d.outerjoin(per_decision, per_decision.c.decision_id == d.c.decision_id)
    statement = (
        sa.select(*groups, *sums)
        .select_from(source)
        .where(*_cohort_conditions(filters))
        .group_by(*groups)
    )
    return statement


@dataclass(frozen=True)
class FilterOptions:
    """The values each filter may take, read from the warehouse's dimension tables."""

    markets: pd.DataFrame
    labels: pd.DataFrame
    vendors: pd.DataFrame
    policy_areas: tuple[str, ...]
    queues: tuple[str, ...]


# Option lists read the recent decisions only (the rollups when built), so listing a
# queue or a moderator never scans every decision ever made.
OPTION_WINDOW_DAYS = rollup_tables.MODERATOR_WINDOW_DAYS


def _recent_decisions(engine: sa.Engine) -> list[sa.ColumnElement[bool]]:
    """Return the condition keeping decisions of the last ``OPTION_WINDOW_DAYS`` days of data,
    whole days, up to the newest decision's day."""
    with engine.connect() as connection:
        latest = connection.execute(sa.select(sa.func.max(decisions.c.decided_at))).scalar()
    if latest is None:
        return []
    first_day = pd.Timestamp(latest).normalize() - pd.Timedelta(days=OPTION_WINDOW_DAYS - 1)
    return [decisions.c.decided_at >= first_day.to_pydatetime()]


def _built(engine: sa.Engine, rollup: sa.Table) -> bool:
    """Return True when the warehouse holds this rollup and the engine may use it."""
    if not rollup_tables.enabled(engine):
        return False
    return rollup.name in set(rollup_tables.status(engine)["rollup"])


def filter_options(engine: sa.Engine, *, scope: Scope = EVERYTHING) -> FilterOptions:
    """Return the known markets, labels, vendors, policy areas and queues within ``scope``.

    A scoped viewer's lists hold only their markets and vendors, so a drop-down never names
    what they may not see.
    """
    market_query = sa.select(markets).order_by(markets.c.market_code)
    vendor_query = sa.select(vendors).order_by(vendors.c.vendor_code)
    if scope.is_nothing:
        market_query, vendor_query = market_query.where(sa.false()), vendor_query.where(sa.false())
    if scope.markets() is not None:
        market_query = market_query.where(markets.c.market_code.in_(scope.markets()))
    if scope.vendors() is not None:
        vendor_query = vendor_query.where(vendors.c.vendor_code.in_(scope.vendors()))
    market_frame = _fetch(engine, market_query)
    label_frame = _fetch(
        engine,
        sa.select(policy_labels).order_by(policy_labels.c.policy_area, policy_labels.c.label_code),
    )
    vendor_frame = _fetch(engine, vendor_query)
    if scope.is_everything and _built(engine, rollup_tables.daily):
        daily = rollup_tables.daily
        last_day = rollup_tables.status(engine).set_index("rollup").loc[daily.name, "last_day"]
        first_day = pd.Timestamp(last_day) - pd.Timedelta(days=OPTION_WINDOW_DAYS - 1)
        queue_query = sa.select(daily.c.queue).where(daily.c.day >= first_day.date())
    else:
        queue_query = sa.select(decisions.c.queue).where(
            *_recent_decisions(engine), *_scope_conditions(scope)
        )
    queues = _fetch(engine, queue_query.distinct().order_by(queue_query.selected_columns[0]))[
        "queue"
    ]
    areas = sorted(set(label_frame["policy_area"]))
    return FilterOptions(market_frame, label_frame, vendor_frame, tuple(areas), tuple(queues))


def moderator_options(engine: sa.Engine, *, scope: Scope = EVERYTHING) -> pd.DataFrame:
    """Return every ``moderator_id`` in ``scope`` active in the last ``OPTION_WINDOW_DAYS``
    days of data, with its ``vendor_code`` and number of ``decisions`` there."""
    if scope.is_everything and _built(engine, rollup_tables.moderators):
        table = rollup_tables.moderators
        statement = sa.select(
            table.c.moderator_id,
            sa.func.max(table.c.vendor_code).label("vendor_code"),
            sa.func.sum(table.c.decisions).label("decisions"),
        )
    else:
        table = decisions
        statement = sa.select(
            table.c.moderator_id,
            sa.func.max(table.c.vendor_code).label("vendor_code"),
            sa.func.count().label("decisions"),
        ).where(*_recent_decisions(engine), *_scope_conditions(scope))
    statement = statement.group_by(table.c.moderator_id).order_by(table.c.moderator_id)
    return _tidy(_fetch(engine, statement), [], ["decisions"])


FRESHNESS_COLUMNS = {
    decisions: decisions.c.decided_at,
    qa_inspections: qa_inspections.c.inspected_at,
    appeals: appeals.c.appealed_at,
    penalties: penalties.c.issued_at,
}


def freshness(engine: sa.Engine) -> pd.DataFrame:
    """Return, per fact table, its ``rows``, ``earliest`` and ``latest`` timestamps (NaT when
    empty)."""
    statement = sa.union_all(
        *(
            sa.select(
                sa.literal_column(f"'{table.name}'").label("table_name"),
                sa.func.count().label("rows"),
                sa.func.min(column).label("earliest"),
                sa.func.max(column).label("latest"),
            ).select_from(table)
            for table, column in FRESHNESS_COLUMNS.items()
        )
    )
    frame = _fetch(engine, statement)
    frame["earliest"] = pd.to_datetime(frame["earliest"])
    frame["latest"] = pd.to_datetime(frame["latest"])
    return _tidy(frame, [], ["rows"])


def rollup_status(engine: sa.Engine) -> pd.DataFrame:
    """Return the built rollups: ``rollup``, ``first_day``, ``last_day``, ``watermark``,
    ``refreshed_at`` and ``rows`` (empty without rollups)."""
    # The copy the query router remembers (re-read at most every minute): reading the table
    # again for the data health line made it the Overview's one repeated read.
    return rollup_tables.status(engine).copy()


DRILL_THROUGH_COLUMNS = (
    "decision_id",
    "decided_at",
    "market_code",
    "policy_area",
    "queue",
    "vendor_code",
    "moderator_id",
    "outcome",
    "moderator_label",
    "qa_outcome",
    "qa_label",
    "appeal_outcome",
    "penalty_type",
    "penalty_reversed",
)


@dataclass(frozen=True)
class DrillThroughPage:
    """One page of decisions behind a number, with the capped total and page count."""

    rows: pd.DataFrame
    total: int
    page: int
    pages: int
    capped: bool


def decision_ids_of(values: pd.Series) -> pd.Series:
    """Return decision ids as int64 when every one is a number, otherwise as text.

    The contract allows text ids ("D-40389"); casting them to int64 failed on held-out data.
    Both sides of a merge go through here, so their types always match.
    """
    numbers = pd.to_numeric(values, errors="coerce")
    if len(values) and numbers.notna().all():
        return numbers.astype("int64")
    return values.astype(str) if len(values) else values


def drill_through(
    engine: sa.Engine,
    filters: Filters,
    *,
    label_code: str | None = None,
    moderator_id: str | None = None,
    inspected_only: bool = True,
    page: int = 1,
    page_size: int = 50,
    cap: int = 5000,
) -> DrillThroughPage:
    """Return one page of the decisions behind a number, newest first, capped in SQL.

    ``label_code`` keeps decisions where the moderator or QA chose that label. The total is
    counted only up to ``cap``, so a huge selection costs no more than ``cap`` rows.
    """
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    d, q = decisions, qa_inspections
    label_columns = (
        (d.c.rejection_label, q.c.qa_label) if inspected_only else (d.c.rejection_label,)
    )
    conditions = _cohort_conditions(filters, label_columns=label_columns)
    if label_code is not None:
        conditions.append(sa.or_(*(column == label_code for column in label_columns)))
    if moderator_id is not None:
        conditions.append(d.c.moderator_id == moderator_id)
    source = (
        d.join(q, q.c.decision_id == d.c.decision_id)
        if inspected_only
        else d.outerjoin(q, q.c.decision_id == d.c.decision_id)
    )
    matching = sa.select(d.c.decision_id).select_from(source).where(*conditions)
    capped_count = sa.select(sa.func.count()).select_from(matching.limit(cap).subquery("capped"))
    with engine.connect() as connection:
        total = int(connection.execute(capped_count).scalar_one())
    pages = max(1, math.ceil(total / page_size))
    page = min(max(page, 1), pages)
    offset = (page - 1) * page_size
    limit = max(0, min(page_size, cap - offset))

    statement = (
        sa.select(
            d.c.decision_id,
            d.c.decided_at,
            d.c.market_code,
            d.c.policy_area,
            d.c.queue,
            d.c.vendor_code,
            d.c.moderator_id,
            d.c.outcome,
            d.c.rejection_label.label("moderator_label"),
            q.c.qa_outcome,
            q.c.qa_label,
        )
        .select_from(source)
        .where(*conditions)
        .order_by(d.c.decided_at.desc(), d.c.decision_id.desc())
        .limit(limit)
        .offset(offset)
    )
    rows = _fetch(engine, statement)
    rows["decided_at"] = pd.to_datetime(rows["decided_at"])
    rows["decision_id"] = decision_ids_of(rows["decision_id"])
    if rows.empty:
        # Nothing to look up; an empty id column has no type a merge could agree on.
        rows = rows.assign(appeal_outcome=None, penalty_type=None, penalty_reversed_at=None)
    else:
        outcomes = _page_outcomes(engine, rows["decision_id"])
        rows = rows.merge(outcomes, on="decision_id", how="left")
    rows["penalty_reversed"] = (
        rows.pop("penalty_reversed_at").notna() & rows["penalty_type"].notna()
    )
    return DrillThroughPage(
        rows=rows[list(DRILL_THROUGH_COLUMNS)],
        total=total,
        page=page,
        pages=pages,
        capped=total >= cap,
    )


def _page_outcomes(engine: sa.Engine, decision_ids: pd.Series) -> pd.DataFrame:
    """Return, per decision on a page, its ``appeal_outcome``, ``penalty_type`` and
    ``penalty_reversed_at``, or NULLs.

    One value per decision: the demo has at most one appeal per decision, and a warehouse
    with several still yields one page row per decision, never duplicates. Asked by the
    page's ids, not correlated per row, which ClickHouse 18.16 cannot run.
    """
    frame = pd.DataFrame({"decision_id": decision_ids_of(pd.Series(list(decision_ids)))})
    ids = frame["decision_id"].tolist()
    if not ids:
        return frame.assign(appeal_outcome=None, penalty_type=None, penalty_reversed_at=None)
    for table, columns in (
        (appeals, {"appeal_outcome": appeals.c.appeal_outcome}),
        (
            penalties,
            {
                "penalty_type": penalties.c.penalty_type,
                "penalty_reversed_at": penalties.c.reversed_at,
            },
        ),
    ):
        statement = (
            sa.select(
                table.c.decision_id,
                *(sa.func.max(column).label(name) for name, column in columns.items()),
            )
            .where(table.c.decision_id.in_(ids))
            .group_by(table.c.decision_id)
        )
        found = _fetch(engine, statement)
        found["decision_id"] = decision_ids_of(found["decision_id"])
        frame = frame.merge(found, on="decision_id", how="left")
    return frame


POINTS_COUNTS = ("points_from", "penalties", "reversed")


def penalty_points_statement(
    filters: Filters, by: Sequence[str], points: sa.ColumnElement
) -> sa.Select:
    """Return penalties that carry points (``penalty_rows``) and ``reversed`` per group and
    ``points`` expression, from the fact tables."""
    d, p = decisions, penalties
    groups = [*_group_columns(by, filters), points]
    return (
        sa.select(
            *groups,
            sa.func.count().label("penalty_rows"),
            _sum_if(p.c.reversed_at.is_not(None)).label("reversed"),
        )
        .select_from(d.join(p, p.c.decision_id == d.c.decision_id))
        # Only penalties that carry points: NULL (the contract for types without points)
        # and 0 alike carry none.
        .where(*_cohort_conditions(filters), p.c.points > 0)
        .group_by(*groups)
    )


def penalty_points_distribution(
    engine: sa.Engine, filters: Filters, by: Sequence[str] = (), *, bin_width: int = 1
) -> pd.DataFrame:
    """Return penalties per points bin: ``points_from`` (the bin's first value), ``penalties``
    and ``reversed``, per group of the decision cohort.

    Only penalties that carry points count. Bins are ``bin_width`` points wide and start at
    multiples of it, computed in the warehouse, so one row per bin leaves it, never a penalty.
    """
    if isinstance(bin_width, bool) or not isinstance(bin_width, int) or bin_width < 1:
        raise ValueError(f"bin_width must be a positive whole number, not {bin_width!r}")
    # A literal, not a bound parameter, so PostgreSQL sees GROUP BY and SELECT as equal.
    width = sa.literal_column(str(bin_width))

    def points_from(points: sa.ColumnElement) -> sa.Label:
        # FLOOR of a division: PostgreSQL divides integers exactly, DuckDB and MariaDB do not.
        return (sa.func.floor(points / width) * width).label("points_from")

    rollup = rollup_tables.covering(engine, "penalty_points", filters, by)
    if rollup is not None:
        statement = rollup_tables.select_points(rollup, filters, by, points_from)
    else:
        statement = penalty_points_statement(filters, by, points_from(penalties.c.points))
    frame = _fetch(engine, statement).rename(columns={"penalty_rows": "penalties"})
    return _tidy(frame, [*by, "points_from"], POINTS_COUNTS)
