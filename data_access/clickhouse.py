"""Writing the contract to a ClickHouse cluster: shard tables, Distributed tables, bulk load.

Layout, for a cluster named in the URL's ``cluster`` query parameter
(``clickhouse+native://user@host:9000/modqa?cluster=modqa``):

- each fact table ``T`` is a ``MergeTree`` table ``T_local`` on every server of the cluster,
  and a ``Distributed`` table ``T`` over them, sharded by ``cityHash64(decision_id)``, so a
  decision's inspections, appeals and penalties live on its shard and join there;
- the three small dimension tables are whole ``MergeTree`` copies on every server, so any
  server answers for them alone.

``ON CLUSTER`` DDL needs ZooKeeper, which a plain cluster lacks, so the servers are read
from ``system.clusters`` and each one is given its tables directly. Without a ``cluster``
parameter the contract tables are plain ``MergeTree`` tables on the one server.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
import sqlalchemy as sa
from clickhouse_sqlalchemy.drivers.native import connector as _connector
from clickhouse_sqlalchemy.drivers.native.base import ClickHouseDialect_native
from clickhouse_sqlalchemy.exceptions import DatabaseException

from data_access.dialect import split_cluster  # noqa: F401 - re-exported for writers
from data_access.schema import CONTRACT_TABLES, DIMENSION_TABLES, FACT_TABLES

SHARD_SUFFIX = "_local"
SHARDING_KEY = "cityHash64(decision_id)"
# Time order first, so a date filter reads only the granules of its days.
SORTING_KEYS = {
    "decisions": "(decided_at, decision_id)",
    "qa_inspections": "(decision_id, inspection_id)",
    "appeals": "(decision_id, appeal_id)",
    "penalties": "(decision_id, penalty_id)",
    "markets": "market_code",
    "policy_labels": "label_code",
    "vendors": "vendor_code",
}
_TYPES = (
    (sa.BigInteger, "Int64"),
    (sa.Integer, "Int32"),
    (sa.DateTime, "DateTime"),
    # ClickHouse 18.16 has no boolean type; UInt8 holding 0/1 is its convention.
    (sa.Boolean, "UInt8"),
    (sa.Double, "Float64"),
    (sa.String, "String"),
)


class NativeDialect(ClickHouseDialect_native):
    """clickhouse-sqlalchemy's native-protocol dialect, with errors SQLAlchemy can wrap.

    Its DBAPI module raises ``DatabaseException``, which is not that module's ``Error``, so
    SQLAlchemy would let every ClickHouse error escape unwrapped and the app's handling of
    ``DBAPIError`` (a clear message, never a traceback) would not see it. This DBAPI is
    the same module with ``Error`` naming the class it really raises.
    """

    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls):  # noqa: ANN206 - SQLAlchemy's hook, returns a DBAPI module
        """Return the package's native DBAPI module with its real error class as ``Error``."""
        return types.SimpleNamespace(
            apilevel=_connector.apilevel,
            threadsafety=_connector.threadsafety,
            paramstyle=_connector.paramstyle,
            connect=_connector.connect,
            Error=DatabaseException,
        )

    def do_execute(self, cursor, statement, parameters, context=None) -> None:  # noqa: ANN001
        """Run a statement; a server error keeps its code and message, not its stack trace."""
        try:
            super().do_execute(cursor, statement, parameters, context=context)
        except DatabaseException as error:
            # ClickHouse 18.16 appends the server's C++ stack trace to every message, which
            # would fill the validate command's output and the logs.
            message = getattr(error.orig, "message", None)
            if isinstance(message, str) and "Stack trace:" in message:
                error.orig.message = message.split("Stack trace:")[0].strip()
            raise


def _column_type(column: sa.Column) -> str:
    for sql_type, clickhouse_type in _TYPES:
        if isinstance(column.type, sql_type):
            return f"Nullable({clickhouse_type})" if column.nullable else clickhouse_type
    raise TypeError(f"no ClickHouse type for {column.table.name}.{column.name}")


def _columns(table: sa.Table) -> str:
    return ", ".join(f"{column.name} {_column_type(column)}" for column in table.columns)


def _merge_tree(table: sa.Table, name: str) -> str:
    return (
        f"CREATE TABLE {name} ({_columns(table)}) "
        f"ENGINE = MergeTree() ORDER BY {SORTING_KEYS[table.name]}"
    )


def _server_urls(engine: sa.Engine, cluster: str | None) -> list[sa.URL]:
    """Return a URL per server of the cluster (with the engine's user and database)."""
    if cluster is None:
        return [engine.url]
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT host_address, port FROM system.clusters WHERE cluster = :cluster"
                " ORDER BY shard_num, replica_num"
            ),
            {"cluster": cluster},
        ).all()
    if not rows:
        raise ValueError(f"the ClickHouse server knows no cluster named {cluster!r}")
    return [engine.url.set(host=host, port=int(port)) for host, port in rows]


def create_contract(engine: sa.Engine, cluster: str | None) -> None:
    """Drop and create the contract tables on every server of the cluster."""
    database = engine.url.database
    for server_url in _server_urls(engine, cluster):
        server = sa.create_engine(server_url.set(database="default"))
        try:
            with server.connect() as connection:

                def run(sql: str) -> None:
                    connection.exec_driver_sql(sql)

                if database:
                    run(f"CREATE DATABASE IF NOT EXISTS {database}")
                prefix = f"{database}." if database else ""
                for table in CONTRACT_TABLES:
                    run(f"DROP TABLE IF EXISTS {prefix}{table.name}")
                    run(f"DROP TABLE IF EXISTS {prefix}{table.name}{SHARD_SUFFIX}")
                for table in DIMENSION_TABLES:
                    run(_merge_tree(table, prefix + table.name))
                for table in FACT_TABLES:
                    if cluster is None:
                        run(_merge_tree(table, prefix + table.name))
                        continue
                    shard = f"{table.name}{SHARD_SUFFIX}"
                    run(_merge_tree(table, prefix + shard))
                    run(
                        f"CREATE TABLE {prefix}{table.name} AS {prefix}{shard} ENGINE = "
                        f"Distributed({cluster}, {database or 'default'}, {shard}, "
                        f"{SHARDING_KEY})"
                    )
        finally:
            server.dispose()


@contextmanager
def _client(url: sa.URL, **settings) -> Iterator:
    """Yield a clickhouse-driver client for bulk inserts of DataFrames (numpy columns)."""
    from clickhouse_driver import Client

    client = Client(
        url.host or "127.0.0.1",
        port=url.port or 9000,
        user=url.username or "default",
        password=url.password or "",
        database=url.database or "default",
        settings={"use_numpy": True, **settings},
    )
    try:
        yield client
    finally:
        client.disconnect()


def _driver_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the frame in the types clickhouse-driver's numpy columns write.

    Missing text or whole numbers must be None in object arrays (pandas' own NA and NaN
    would be written as floats), timestamps nanosecond datetimes, booleans 0/1.
    """
    columns = {}
    for name, column in frame.items():
        if pd.api.types.is_bool_dtype(column):
            columns[name] = column.astype("uint8")
        elif pd.api.types.is_datetime64_any_dtype(column):
            columns[name] = column.astype("datetime64[ns]")
        elif pd.api.types.is_float_dtype(column) or (
            pd.api.types.is_integer_dtype(column) and not column.hasnans
        ):
            columns[name] = column.to_numpy()
        else:
            values = column.astype(object)
            columns[name] = values.where(column.notna(), None)
    return pd.DataFrame(columns)


def insert_frame(url: sa.URL, table: str, frame: pd.DataFrame) -> None:
    """Insert a frame whose columns are the table's, waiting until every shard has its rows."""
    if frame.empty:
        return
    frame = _driver_frame(frame)
    columns = ", ".join(frame.columns)
    # Synchronous: the rows are on their shards when this returns, so a query right after
    # the load (a test, a benchmark) sees them all.
    with _client(url, insert_distributed_sync=1) as client:
        client.insert_dataframe(f"INSERT INTO {table} ({columns}) VALUES", frame)


def insert_dimensions(engine: sa.Engine, cluster: str | None, rows: dict) -> None:
    """Write the dimension tables' rows to every server, each holding a whole copy."""
    for server_url in _server_urls(engine, cluster):
        for table, table_rows in rows.items():
            insert_frame(server_url, table.name, pd.DataFrame(table_rows)[table.columns.keys()])
