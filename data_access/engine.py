"""Engines for the warehouse: read-only for the app, writable for the demo generator."""

from __future__ import annotations

import sqlalchemy as sa

from data_access.config import Settings, redacted

# Re-exported so the Streamlit layer can name the type without importing SQLAlchemy.
Engine = sa.Engine


class WarehouseUnavailable(RuntimeError):
    """The warehouse could not be reached or answered too slowly; the message is safe to show."""


def dialect_name(engine: sa.Engine) -> str:
    """Return the engine's dialect family: ``duckdb``, ``postgresql`` or ``mysql``."""
    name = engine.dialect.name
    return "mysql" if name in ("mysql", "mariadb") else name


def _schema_options(schema: str | None) -> dict:
    """Return execution options that put the contract tables under a schema prefix."""
    return {"schema_translate_map": {None: schema}} if schema else {}


def read_only_engine(settings: Settings) -> sa.Engine:
    """Return an engine that cannot write, with the configured statement timeout."""
    url = sa.make_url(settings.warehouse_url)
    timeout_ms = settings.query_timeout_seconds * 1000
    connect_args: dict = {}
    engine_options: dict = {"pool_pre_ping": True}
    backend = url.get_backend_name()
    if backend == "duckdb":
        connect_args["read_only"] = True
        engine_options = {}
    elif backend == "postgresql":
        # Keep options given in the URL (a search_path, say) and add the time limit.
        given = url.query.get("options", "")
        given = given if isinstance(given, str) else " ".join(given)
        connect_args["options"] = f"{given} -c statement_timeout={timeout_ms}".strip()
        connect_args["connect_timeout"] = 5
    elif backend in ("mysql", "mariadb"):
        connect_args["connect_timeout"] = 5
        connect_args["read_timeout"] = settings.query_timeout_seconds + 5
    engine = sa.create_engine(url, connect_args=connect_args, **engine_options)
    if backend == "duckdb":
        memory, threads = settings.duckdb_memory_limit, settings.duckdb_threads

        @sa.event.listens_for(engine, "connect")
        def _bounded_duckdb(dbapi_connection, _record):  # noqa: ANN001
            # SET, not a connect-time config: DuckDB refuses a second connection to a file
            # with another config, and these settings hold for the whole database instance.
            dbapi_connection.execute(f"SET memory_limit = '{memory}'")
            dbapi_connection.execute(f"SET threads = {int(threads)}")

    if backend == "postgresql":
        engine = engine.execution_options(postgresql_readonly=True)
    elif backend in ("mysql", "mariadb"):
        seconds = settings.query_timeout_seconds

        @sa.event.listens_for(engine, "connect")
        def _read_only_session(dbapi_connection, _record):  # noqa: ANN001
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET SESSION TRANSACTION READ ONLY")
                # MariaDB's name for a per-statement time limit, in seconds.
                cursor.execute(f"SET SESSION max_statement_time = {float(seconds)}")

    options = _schema_options(settings.schema)
    if not settings.use_rollups:
        options["modqa_rollups"] = False
    return engine.execution_options(**options) if options else engine


def writable_engine(url: str, schema: str | None = None) -> sa.Engine:
    """Return an engine for the demo generator, the only code that writes."""
    parsed = sa.make_url(url)
    connect_args = (
        {"local_infile": True} if parsed.get_backend_name() in ("mysql", "mariadb") else {}
    )
    engine = sa.create_engine(parsed, connect_args=connect_args)
    options = _schema_options(schema)
    return engine.execution_options(**options) if options else engine


def describe(engine: sa.Engine) -> str:
    """Return a password-free description of the warehouse for messages."""
    return redacted(engine.url.render_as_string(hide_password=False))
