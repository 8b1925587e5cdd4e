"""A small versioned schema: named migrations applied once each, in order, on every start.

Alembic would add autogeneration and downgrades that an append-only store of a few tables
does not need; what it must guarantee is that a second start migrates nothing and loses
nothing, which the ``schema_migrations`` table records. Feature modules register their
migrations with ``register``; the order of registration is the order of application, and an
applied migration is never edited, only followed by a new one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

metadata = sa.MetaData()

schema_migrations = sa.Table(
    "schema_migrations",
    metadata,
    sa.Column("migration_id", sa.String(100), primary_key=True),
    sa.Column("applied_at", sa.DateTime, nullable=False),
)


@dataclass(frozen=True)
class Migration:
    """One named, append-only change to the app database's schema."""

    migration_id: str
    apply: Callable[[sa.Connection], None]


_MIGRATIONS: list[Migration] = []


def register(migration_id: str) -> Callable[[Callable[[sa.Connection], None]], Callable]:
    """Return a decorator that registers a function as the migration of that id."""

    def decorate(apply: Callable[[sa.Connection], None]) -> Callable[[sa.Connection], None]:
        if any(existing.migration_id == migration_id for existing in _MIGRATIONS):
            raise ValueError(f"migration {migration_id!r} is registered twice")
        _MIGRATIONS.append(Migration(migration_id, apply))
        return apply

    return decorate


def registered() -> list[Migration]:
    """Return the registered migrations in the order they apply."""
    _load_feature_modules()
    return list(_MIGRATIONS)


def _load_feature_modules() -> None:
    """Import every module that registers migrations, so none is missed on start."""
    import importlib
    import pkgutil

    import appdb

    for module in pkgutil.iter_modules(appdb.__path__):
        if module.name not in ("config", "migrations", "store"):
            importlib.import_module(f"appdb.{module.name}")


def applied(engine: sa.Engine) -> list[str]:
    """Return the ids of the migrations already applied, oldest first."""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("schema_migrations"):
            return []
        rows = connection.execute(
            sa.select(schema_migrations.c.migration_id).order_by(
                schema_migrations.c.applied_at, schema_migrations.c.migration_id
            )
        )
        return [row.migration_id for row in rows]


def migrate(engine: sa.Engine, migrations: Sequence[Migration] | None = None) -> list[str]:
    """Apply every migration (default: all registered) not yet applied; return their ids."""
    schema_migrations.create(engine, checkfirst=True)
    done = set(applied(engine))
    newly = []
    for migration in registered() if migrations is None else migrations:
        if migration.migration_id in done:
            continue
        with engine.begin() as connection:
            # Another process starting at the same moment may have applied it meanwhile:
            # re-check inside the transaction that records it.
            already = connection.execute(
                sa.select(schema_migrations.c.migration_id).where(
                    schema_migrations.c.migration_id == migration.migration_id
                )
            ).first()
            if already:
                continue
            migration.apply(connection)
            connection.execute(
                schema_migrations.insert().values(
                    migration_id=migration.migration_id,
                    applied_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                )
            )
        newly.append(migration.migration_id)
    return newly
