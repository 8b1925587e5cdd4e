"""Drill lists that follow the metric: the rows a number counts, paged and capped in SQL.

An overturn rate counts resolved appeals, so its list is the appealed decisions with their
outcome and times; a penalty rate counts penalties, so its list is the penalties with type,
points and reversal; QA metrics count inspections, so theirs is ``queries.drill_through``.
Every value reaches SQL as a bound parameter (``_cohort_conditions`` and ``==``).
"""

from __future__ import annotations

import math
from typing import Literal

import pandas as pd
import sqlalchemy as sa

from data_access.filters import Filters
from data_access.queries import (
    MAX_PAGE_SIZE,
    DrillThroughPage,
    _cohort_conditions,
    _fetch,
    drill_through,
)
from data_access.schema import appeals, decisions, penalties

Source = Literal["inspections", "appeals", "penalties"]
SOURCES = ("inspections", "appeals", "penalties")

APPEAL_COLUMNS = (
    "decision_id",
    "decided_at",
    "market_code",
    "policy_area",
    "vendor_code",
    "moderator_id",
    "moderator_label",
    "appealed_at",
    "resolved_at",
    "appeal_outcome",
    "resolution_hours",
)
PENALTY_COLUMNS = (
    "penalty_id",
    "decision_id",
    "decided_at",
    "market_code",
    "policy_area",
    "vendor_code",
    "moderator_label",
    "penalty_type",
    "points",
    "issued_at",
    "reversed_at",
    "penalty_reversed",
)


def _statement(source: Source, filters: Filters, label_code, moderator_id):
    """Return (columns, joined source, conditions, order) of one metric's drill list."""
    d = decisions
    conditions = _cohort_conditions(filters, label_columns=(d.c.rejection_label,))
    if label_code is not None:
        conditions.append(d.c.rejection_label == label_code)
    if moderator_id is not None:
        conditions.append(d.c.moderator_id == moderator_id)
    common = [
        d.c.decision_id,
        d.c.decided_at,
        d.c.market_code,
        d.c.policy_area,
        d.c.vendor_code,
    ]
    if source == "appeals":
        a = appeals
        columns = [
            *common,
            d.c.moderator_id,
            d.c.rejection_label.label("moderator_label"),
            a.c.appealed_at,
            a.c.resolved_at,
            a.c.appeal_outcome,
        ]
        joined = d.join(a, a.c.decision_id == d.c.decision_id)
        order = (a.c.appealed_at.desc(), d.c.decision_id.desc())
        return columns, joined, conditions, order
    p = penalties
    columns = [
        p.c.penalty_id,
        *common,
        d.c.rejection_label.label("moderator_label"),
        p.c.penalty_type,
        p.c.points,
        p.c.issued_at,
        p.c.reversed_at,
    ]
    joined = d.join(p, p.c.decision_id == d.c.decision_id)
    order = (p.c.issued_at.desc(), p.c.penalty_id.desc())
    return columns, joined, conditions, order


def _tidy_rows(source: Source, rows: pd.DataFrame) -> pd.DataFrame:
    """Return fetched rows with times as datetimes and the derived columns added."""
    for column in ("decided_at", "appealed_at", "resolved_at", "issued_at", "reversed_at"):
        if column in rows.columns:
            rows[column] = pd.to_datetime(rows[column])
    if source == "appeals":
        hours = (rows["resolved_at"] - rows["appealed_at"]).dt.total_seconds() / 3600
        rows["resolution_hours"] = hours.round(1)
        return rows[list(APPEAL_COLUMNS)]
    rows["penalty_reversed"] = rows["reversed_at"].notna()
    return rows[list(PENALTY_COLUMNS)]


def metric_drill(
    engine: sa.Engine,
    filters: Filters,
    source: Source,
    *,
    label_code: str | None = None,
    moderator_id: str | None = None,
    page: int = 1,
    page_size: int = 50,
    cap: int = 5000,
) -> DrillThroughPage:
    """Return one page of the rows a metric of ``source`` counts, newest first, capped in SQL.

    ``inspections``: the inspected decisions (``queries.drill_through``); ``appeals``: the
    appealed decisions with ``appealed_at``, ``resolved_at``, ``appeal_outcome`` and
    ``resolution_hours``; ``penalties``: one row per penalty with ``penalty_type``, ``points``,
    ``issued_at``, ``reversed_at``. The total is counted only up to ``cap``.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
    if source == "inspections":
        return drill_through(
            engine,
            filters,
            label_code=label_code,
            moderator_id=moderator_id,
            page=page,
            page_size=page_size,
            cap=cap,
        )
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    columns, joined, conditions, order = _statement(source, filters, label_code, moderator_id)
    key = columns[0]
    matching = sa.select(key).select_from(joined).where(*conditions)
    capped_count = sa.select(sa.func.count()).select_from(matching.limit(cap).subquery("capped"))
    with engine.connect() as connection:
        total = int(connection.execute(capped_count).scalar_one())
    pages = max(1, math.ceil(total / page_size))
    page = min(max(page, 1), pages)
    offset = (page - 1) * page_size
    limit = max(0, min(page_size, cap - offset))
    statement = (
        sa.select(*columns)
        .select_from(joined)
        .where(*conditions)
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )
    rows = _tidy_rows(source, _fetch(engine, statement))
    return DrillThroughPage(rows=rows, total=total, page=page, pages=pages, capped=total >= cap)


def metric_drill_all(
    engine: sa.Engine,
    filters: Filters,
    source: Source,
    *,
    label_code: str | None = None,
    moderator_id: str | None = None,
    cap: int = 5000,
) -> pd.DataFrame:
    """Return every row of the drill list up to ``cap``, in the list's order, for a download."""
    parts = []
    first = metric_drill(
        engine,
        filters,
        source,
        label_code=label_code,
        moderator_id=moderator_id,
        page=1,
        page_size=MAX_PAGE_SIZE,
        cap=cap,
    )
    parts.append(first.rows)
    for number in range(2, first.pages + 1):
        parts.append(
            metric_drill(
                engine,
                filters,
                source,
                label_code=label_code,
                moderator_id=moderator_id,
                page=number,
                page_size=MAX_PAGE_SIZE,
                cap=cap,
            ).rows
        )
    return pd.concat(parts, ignore_index=True)
