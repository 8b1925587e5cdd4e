"""Engines for the warehouse: read-only for the app, writable for the demo generator."""

from __future__ import annotations

import re
import threading

import sqlalchemy as sa

from data_access.config import Settings, redacted
from data_access.dialect import CLICKHOUSE_SETTINGS, split_cluster
from data_access.errors import WarehouseProblem

# Re-exported so the Streamlit layer can name the type without importing SQLAlchemy.
Engine = sa.Engine


class WarehouseUnavailable(WarehouseProblem):
    """The warehouse could not be reached or answered too slowly; the message is safe to show."""


def dialect_name(engine: sa.Engine) -> str:
    """Return the dialect family: ``duckdb``, ``postgresql``, ``mysql`` or ``clickhouse``."""
    name = engine.dialect.name
    return "mysql" if name in ("mysql", "mariadb") else name


def _schema_options(schema: str | None) -> dict:
    """Return execution options that put the contract tables under a schema prefix."""
    return {"schema_translate_map": {None: schema}} if schema else {}


class WriteRefused(sa.exc.DBAPIError):
    """A statement other than one read was sent through the read-only engine."""


# The app only reads: one SELECT (or WITH … SELECT, or SHOW) per statement. The dialects'
# own first-connect probes are SELECTs and SHOWs too.
_READ_STATEMENT = re.compile(r"\s*(\(\s*)*(select|with|show)\b", re.IGNORECASE)
# A second statement after a semicolon (only a trailing one is allowed).
_SECOND_STATEMENT = re.compile(r";\s*\S")


def _refuse_non_reads(engine: sa.Engine) -> None:
    """Refuse, before it reaches the driver, any statement that is not a single read."""

    @sa.event.listens_for(engine, "before_cursor_execute", retval=True)
    def _only_reads(connection, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if not _READ_STATEMENT.match(statement) or _SECOND_STATEMENT.search(statement):
            raise WriteRefused(
                statement[:200],
                parameters,
                PermissionError("the dashboard's warehouse engine only runs single reads"),
            )
        return statement, parameters


def _duckdb_time_limit(engine: sa.Engine, seconds: float) -> None:
    """Interrupt a DuckDB statement that runs past ``seconds``.

    DuckDB has no statement_timeout setting; ``interrupt()`` on the connection from a timer
    thread cancels the running query, which then raises duckdb.InterruptException. Results
    are materialised during execute, so the timer spans the whole query.
    """

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _start(connection, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        raw = connection.connection.dbapi_connection
        timer = threading.Timer(seconds, raw.interrupt)
        timer.daemon = True
        connection.info["modqa_timer"] = timer
        timer.start()

    def _stop(connection) -> None:  # noqa: ANN001
        timer = connection.info.pop("modqa_timer", None)
        if timer is not None:
            timer.cancel()

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _finished(connection, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        _stop(connection)

    @sa.event.listens_for(engine, "handle_error")
    def _failed(context) -> None:  # noqa: ANN001
        if context.connection is not None:
            _stop(context.connection)


def duckdb_read_only_args(memory_limit: str = "512MB", threads: int = 2) -> dict:
    """Return the DuckDB connect arguments of the app's engine (read-only, sandboxed, with
    the memory limit and threads of ``MODQA_DUCKDB_MEMORY_LIMIT`` and ``MODQA_DUCKDB_THREADS``).

    DuckDB refuses a second connection to one file with other settings in the same process,
    so anything opening a warehouse beside the app (tests, the benchmark) uses these too.
    """
    # No files, URLs or extensions outside the warehouse (read_csv('/etc/passwd'),
    # COPY … TO), and no SET that could turn that back on. DuckDB's own default memory
    # limit is 80% of the machine, too much for a dashboard sharing it.
    return {
        "read_only": True,
        "config": {
            "enable_external_access": False,
            "lock_configuration": True,
            "memory_limit": memory_limit,
            "threads": threads,
        },
    }


def read_only_engine(settings: Settings) -> sa.Engine:
    """Return an engine that cannot write, with the configured statement time limit.

    Defence in depth, each layer enough on its own for plain writes: the engine refuses any
    statement but a single read; DuckDB opens the file read-only with external access off
    and its configuration locked; PostgreSQL sessions default to read-only transactions and
    are reset to their connection settings (time limit included) whenever they return to
    the pool; MariaDB sessions are set read-only with a time limit on every checkout. An
    operator should still give the dashboard a SELECT-only role (see the README).
    """
    url = sa.make_url(settings.warehouse_url)
    if url.get_backend_name() == "clickhouse":
        return _clickhouse_engine(url, settings)
    seconds = settings.query_timeout_seconds
    connect_args: dict = {}
    engine_options: dict = {"pool_pre_ping": True}
    backend = url.get_backend_name()
    if backend == "duckdb":
        connect_args = duckdb_read_only_args(settings.duckdb_memory_limit, settings.duckdb_threads)
        engine_options = {}
    elif backend == "postgresql":
        # Keep options given in the URL (a search_path, say) and add the time limit.
        given = url.query.get("options", "")
        given = given if isinstance(given, str) else " ".join(given)
        connect_args["options"] = (
            f"{given} -c statement_timeout={seconds * 1000} -c default_transaction_read_only=on"
        ).strip()
        connect_args["connect_timeout"] = 5
    elif backend in ("mysql", "mariadb"):
        connect_args["connect_timeout"] = 5
        connect_args["read_timeout"] = seconds + 5
    engine = sa.create_engine(url, connect_args=connect_args, **engine_options)
    if backend == "duckdb":
        _duckdb_time_limit(engine, seconds)
    elif backend == "postgresql":
        engine = engine.execution_options(postgresql_readonly=True)

        @sa.event.listens_for(engine.engine, "checkin")
        def _reset_session(dbapi_connection, _record):  # noqa: ANN001
            # RESET ALL returns every setting to its connection-time value (the options
            # above), so a SET that slipped through never outlives its checkout.
            if getattr(dbapi_connection, "closed", False):
                return
            dbapi_connection.rollback()
            with dbapi_connection.cursor() as cursor:
                cursor.execute("RESET ALL")
            dbapi_connection.commit()

        @sa.event.listens_for(engine.engine, "checkout")
        def _read_only_transactions(dbapi_connection, _record, _proxy):  # noqa: ANN001
            # SQLAlchemy resets psycopg's read_only to False when a connection returns, and
            # False means an explicit BEGIN READ WRITE, which would override the session
            # default above. True makes every transaction BEGIN READ ONLY.
            dbapi_connection.read_only = True

    elif backend in ("mysql", "mariadb"):

        @sa.event.listens_for(engine, "checkout")
        def _read_only_session(dbapi_connection, _record, _proxy):  # noqa: ANN001
            # Re-applied on every checkout: a session variable changed during the last use
            # does not survive into the next.
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET SESSION TRANSACTION READ ONLY")
                # MariaDB's name for a per-statement time limit, in seconds.
                cursor.execute(f"SET SESSION max_statement_time = {float(seconds)}")

    _refuse_non_reads(engine.engine)
    options = _schema_options(settings.schema)
    return engine.execution_options(**options) if options else engine


def _clickhouse_engine(url: sa.URL, settings: Settings) -> sa.Engine:
    """Return a ClickHouse engine whose every query runs with readonly=1 and a time limit."""
    # A setting given in the URL wins: a cluster whose fact tables are not all sharded by
    # decision_id needs distributed_product_mode=global (each join ships its right side).
    given = {name: url.query[name] for name in CLICKHOUSE_SETTINGS if name in url.query}
    query_settings = {
        **CLICKHOUSE_SETTINGS,
        **given,
        "max_execution_time": settings.query_timeout_seconds,
        # Last: the server applies a query's settings in order, and once readonly=1 holds
        # it refuses to change any other setting.
        "readonly": 1,
    }
    engine = sa.create_engine(split_cluster(url)[0], pool_pre_ping=True)
    _refuse_non_reads(engine)
    engine = engine.execution_options(settings=query_settings)
    options = _schema_options(settings.schema)
    if not settings.use_rollups:
        options["modqa_rollups"] = False
    return engine.execution_options(**options) if options else engine


def writable_engine(url: str, schema: str | None = None) -> sa.Engine:
    """Return an engine for the demo generator, the only code that writes."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "clickhouse":
        engine = sa.create_engine(split_cluster(parsed)[0])
        return engine.execution_options(settings=dict(CLICKHOUSE_SETTINGS))
    connect_args = (
        {"local_infile": True} if parsed.get_backend_name() in ("mysql", "mariadb") else {}
    )
    engine = sa.create_engine(parsed, connect_args=connect_args)
    options = _schema_options(schema)
    return engine.execution_options(**options) if options else engine


def describe(engine: sa.Engine) -> str:
    """Return a password-free description of the warehouse for messages."""
    return redacted(engine.url.render_as_string(hide_password=False))
