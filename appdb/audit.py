"""The audit trail: who viewed or downloaded what, with which effective filters, and when.

Append-only rows in the app database. The filters are stored as JSON of the *effective*
filters (the link's selections and the viewer's scope), so a reader sees what the user was
actually shown, not what their link asked for.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import fields

import pandas as pd
import sqlalchemy as sa

from appdb.migrations import register
from data_access.filters import Filters

EVENTS = ("view", "csv", "report")

metadata = sa.MetaData()

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("occurred_at", sa.DateTime, nullable=False, index=True),
    sa.Column("user_id", sa.String(320), nullable=False),
    sa.Column("page", sa.String(200), nullable=False),
    sa.Column("event", sa.String(20), nullable=False),
    sa.Column("detail", sa.String(500), nullable=False, default=""),
    sa.Column("filters", sa.Text, nullable=False),
)


@register("audit_0001_log")
def _create_audit_log(connection: sa.Connection) -> None:
    audit_log.create(connection)


def filters_json(filters: Filters | None) -> str:
    """Return effective filters as JSON: dates, grain, selections and the scope's grants."""
    if filters is None:
        return "{}"
    document: dict[str, object] = {}
    for item in fields(filters):
        value = getattr(filters, item.name)
        if item.name == "scope":
            document["scope"] = (
                "everything"
                if value.is_everything
                else [
                    {"markets": grant.markets, "vendors": grant.vendors} for grant in value.grants
                ]
            )
        elif isinstance(value, dt.date):
            document[item.name] = value.isoformat()
        elif value not in ((), None):
            document[item.name] = list(value) if isinstance(value, tuple) else value
    return json.dumps(document, sort_keys=True)


def record(
    engine: sa.Engine,
    *,
    user: str,
    page: str,
    event: str,
    filters: Filters | None = None,
    detail: str = "",
    at: dt.datetime | None = None,
) -> None:
    """Append one audit row (``event`` is ``view``, ``csv`` or ``report``)."""
    if event not in EVENTS:
        raise ValueError(f"event must be one of {', '.join(EVENTS)}, not {event!r}")
    occurred = at or dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        connection.execute(
            audit_log.insert().values(
                occurred_at=occurred.astimezone(dt.UTC).replace(tzinfo=None),
                user_id=user[:320],
                page=page[:200],
                event=event,
                detail=detail[:500],
                filters=filters_json(filters),
            )
        )


def recent(
    engine: sa.Engine, *, limit: int = 500, user: str | None = None, event: str | None = None
) -> pd.DataFrame:
    """Return the newest audit rows first: time (UTC), user, page, event, detail, filters."""
    statement = sa.select(
        audit_log.c.occurred_at,
        audit_log.c.user_id,
        audit_log.c.page,
        audit_log.c.event,
        audit_log.c.detail,
        audit_log.c.filters,
    ).order_by(audit_log.c.occurred_at.desc(), audit_log.c.event_id.desc())
    if user:
        statement = statement.where(audit_log.c.user_id == user)
    if event:
        statement = statement.where(audit_log.c.event == event)
    with engine.connect() as connection:
        result = connection.execute(statement.limit(limit))
        frame = pd.DataFrame(result.all(), columns=list(result.keys()))
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"])
    return frame
