"""Queries for QA sample planning: a week's sampling frame, and when moderators and labels
were first seen.

``sampling_frame`` is the one query in ``data_access`` that returns raw decision rows on
purpose (DESIGN.md, "never raw fact rows"): a sample can only be drawn from the list of the
decisions it is drawn from. It returns five narrow columns for one week, counts first and
refuses (``FrameTooLarge``) rather than truncate, because a sample drawn from a cut list
would carry wrong inclusion probabilities. Rows are read in chunks so memory stays flat.
Everything else here is an aggregate, one row per group.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from data_access.filters import Filters
from data_access.queries import _dimension_conditions, _fetch, _range_conditions
from data_access.schema import decisions

FRAME_COLUMNS = ("decision_id", "market_code", "policy_area", "vendor_code", "moderator_id")
# Two weeks of a large marketplace; beyond it the draw belongs in the warehouse itself.
DEFAULT_FRAME_CAP = 3_000_000
CHUNK_ROWS = 200_000


class FrameTooLarge(ValueError):
    """The week holds more decisions than the frame may return; the message says how many."""


def sampling_frame(
    engine: sa.Engine, filters: Filters, *, cap: int = DEFAULT_FRAME_CAP
) -> pd.DataFrame:
    """Return the decisions of the filtered range to draw a sample from, one row each.

    Columns ``decision_id``, ``market_code``, ``policy_area``, ``vendor_code`` and
    ``moderator_id`` (null for automated decisions, which have no moderator to hold to a
    floor), ordered by ``decision_id``. Raises ``FrameTooLarge`` above ``cap`` rows.
    """
    d = decisions
    conditions = [*_range_conditions(d.c.decided_at, filters), *_dimension_conditions(filters)]
    count = sa.select(sa.func.count()).select_from(d).where(*conditions)
    statement = (
        sa.select(
            d.c.decision_id,
            d.c.market_code,
            d.c.policy_area,
            d.c.vendor_code,
            sa.case((d.c.is_automated, sa.null()), else_=d.c.moderator_id).label("moderator_id"),
        )
        .where(*conditions)
        .order_by(d.c.decision_id)
    )
    with engine.connect() as connection:
        total = int(connection.execute(count).scalar_one())
        if total > cap:
            raise FrameTooLarge(
                f"{total:,} decisions from {filters.start} to {filters.end} is more than the "
                f"{cap:,} a sampling frame may hold; narrow the markets or policy areas."
            )
        result = connection.execution_options(yield_per=CHUNK_ROWS).execute(statement)
        chunks = [
            pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
            for rows in result.partitions(CHUNK_ROWS)
        ]
    frame = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=FRAME_COLUMNS)
    frame["decision_id"] = pd.to_numeric(frame["decision_id"]).astype("int64")
    return frame


def first_seen(engine: sa.Engine, key: str, *, before: dt.date) -> pd.DataFrame:
    """Return each moderator's (``key="moderator_id"``) or rejection label's
    (``key="label_code"``) first decision time, over decisions before ``before``.

    Columns: ``key`` and ``first_decided_at``; automated decisions have no moderator and
    approvals no label, so neither counts.
    """
    d = decisions
    columns = {"moderator_id": d.c.moderator_id, "label_code": d.c.rejection_label}
    if key not in columns:
        raise ValueError(f"first_seen knows moderator_id and label_code, not {key!r}")
    column = columns[key]
    end = dt.datetime.combine(before, dt.time())
    condition = ~d.c.is_automated if key == "moderator_id" else column.is_not(None)
    statement = (
        sa.select(column.label(key), sa.func.min(d.c.decided_at).label("first_decided_at"))
        .where(d.c.decided_at < end, condition)
        .group_by(column)
        .order_by(column)
    )
    frame = _fetch(engine, statement)
    frame["first_decided_at"] = pd.to_datetime(frame["first_decided_at"])
    return frame
