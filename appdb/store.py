"""The app database engine: created, migrated and ready to write."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from appdb.config import app_db_url
from appdb.migrations import migrate

# What the app layer names without importing SQLAlchemy itself: the engine type and the error
# any app database call can raise (unreachable server, lost connection, bad schema).
AppDb = sa.Engine
AppDbError = sa.exc.SQLAlchemyError


def open_app_db(url: str | None = None) -> sa.Engine:
    """Return an engine on the app database, its schema created or migrated to the latest."""
    url = url or app_db_url()
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(parsed, pool_pre_ping=True)
    migrate(engine)
    return engine
