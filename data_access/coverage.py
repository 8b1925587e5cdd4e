"""How far the decisions reach: the earliest and latest decision time in the warehouse."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from data_access.schema import decisions


def decision_span(engine: sa.Engine) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Return (earliest, latest) ``decided_at`` as naive UTC datetimes; (None, None) if empty."""
    statement = sa.select(sa.func.min(decisions.c.decided_at), sa.func.max(decisions.c.decided_at))
    with engine.connect() as connection:
        earliest, latest = connection.execute(statement).one()
    return _naive_utc(earliest), _naive_utc(latest)


def _naive_utc(value: object) -> dt.datetime | None:
    if value is None or pd.isna(value):
        return None
    stamp = pd.Timestamp(value)
    # The contract's timestamps are UTC; a timezone-aware column is brought to naive UTC.
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.to_pydatetime()
