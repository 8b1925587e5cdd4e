"""Real warehouses for the tests: DuckDB in a temp dir, the local PostgreSQL and MariaDB, and
a two-shard ClickHouse cluster started for the session (``tests/clickhouse_cluster.py``).

Each is built once per session from the same seeded demo spec, so the four hold the same
rows. When a server is down (or ClickHouse is not installed) the tests that need it are
skipped, unless ``MODQA_REQUIRE_SERVICES=1`` (set by CI), where it fails the run instead.
"""

from __future__ import annotations

import datetime as dt
import os

import duckdb
import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings

from data_access import demo
from data_access.config import Settings
from data_access.engine import duckdb_read_only_args, read_only_engine
from tests.clickhouse_cluster import ClickHouseCluster, ClusterUnavailable

# A busy CI machine must not fail a good submission: no per-example deadline and no
# too-slow health check anywhere in the suite (property tests bound their own sizes).
settings.register_profile(
    "modqa", deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.load_profile("modqa")

POSTGRES_URL = os.environ.get(
    "MODQA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
MARIADB_URL = os.environ.get("MODQA_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test")
# Each test session loads its own schema (PostgreSQL) or database (MariaDB), so two runs
# on one machine never drop each other's tables.
SESSION_NAMESPACE = f"modqa_test_{os.getpid()}"
REQUIRE_SERVICES = os.environ.get("MODQA_REQUIRE_SERVICES") == "1"

# Small enough to load three times in seconds, large enough for every group to have data.
TEST_SPEC = demo.DemoSpec(decisions=60_000, weeks=10, seed=11, end=dt.date(2026, 11, 22))
WAREHOUSES = ("duckdb", "postgresql", "mariadb", "clickhouse")
# The README's demo at its default size, with and without the planted signals.
PLANTED_SPEC = demo.DemoSpec(end=dt.date(2026, 11, 22))
UNPLANTED_SPEC = demo.DemoSpec(end=dt.date(2026, 11, 22), signals=None)


def _unavailable(name: str, error: Exception) -> None:
    message = f"{name} is not reachable: {error}"
    if REQUIRE_SERVICES:
        pytest.fail(message + " (MODQA_REQUIRE_SERVICES=1 forbids skipping)")
    pytest.skip(message)


def _server_reachable(url: str) -> Exception | None:
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        return error
    finally:
        engine.dispose()
    return None


RAW_TABLES = (
    "decisions",
    "qa_inspections",
    "appeals",
    "penalties",
    "markets",
    "policy_labels",
    "vendors",
)


@pytest.fixture(scope="session")
def duckdb_warehouse(tmp_path_factory) -> tuple[str, dict[str, pd.DataFrame]]:
    """Return the URL of a DuckDB file holding the test spec's demo data, and its raw rows."""
    path = tmp_path_factory.mktemp("warehouse") / "demo.duckdb"
    demo.build(f"duckdb:///{path}", TEST_SPEC)
    # Read the raw rows now, before any engine holds the file open with other settings.
    connection = duckdb.connect(str(path), read_only=True)
    try:
        raw = {name: connection.execute(f"SELECT * FROM {name}").df() for name in RAW_TABLES}
    finally:
        connection.close()
    return f"duckdb:///{path}", raw


@pytest.fixture(scope="session")
def planted_url(tmp_path_factory) -> str:
    """Return the URL of a DuckDB demo warehouse of default size with the planted signals."""
    path = tmp_path_factory.mktemp("planted") / "demo.duckdb"
    demo.build(f"duckdb:///{path}", PLANTED_SPEC)
    return f"duckdb:///{path}"


@pytest.fixture(scope="session")
def unplanted_url(tmp_path_factory) -> str:
    """Return the URL of the same demo warehouse generated with no planted signals."""
    path = tmp_path_factory.mktemp("unplanted") / "demo.duckdb"
    demo.build(f"duckdb:///{path}", UNPLANTED_SPEC)
    return f"duckdb:///{path}"


def read_only(url: str) -> sa.Engine:
    """Return an engine that opens a test DuckDB file the way the app does."""
    return sa.create_engine(url, connect_args=duckdb_read_only_args())


@pytest.fixture(scope="session")
def duckdb_url(duckdb_warehouse) -> str:
    """Return the URL of the DuckDB test warehouse."""
    return duckdb_warehouse[0]


def _admin(url: str, statement: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """Return the URL of a fresh PostgreSQL schema loaded with the test spec."""
    error = _server_reachable(POSTGRES_URL)
    if error:
        _unavailable("PostgreSQL", error)
    _admin(POSTGRES_URL, f"DROP SCHEMA IF EXISTS {SESSION_NAMESPACE} CASCADE")
    _admin(POSTGRES_URL, f"CREATE SCHEMA {SESSION_NAMESPACE}")
    url = sa.make_url(POSTGRES_URL).update_query_dict(
        {"options": f"-c search_path={SESSION_NAMESPACE}"}
    )
    url = url.render_as_string(hide_password=False)
    demo.build(url, TEST_SPEC)
    yield url
    _admin(POSTGRES_URL, f"DROP SCHEMA IF EXISTS {SESSION_NAMESPACE} CASCADE")


@pytest.fixture(scope="session")
def mariadb_url() -> str:
    """Return the URL of a fresh MariaDB database loaded with the test spec."""
    error = _server_reachable(MARIADB_URL)
    if error:
        _unavailable("MariaDB", error)
    _admin(MARIADB_URL, f"DROP DATABASE IF EXISTS {SESSION_NAMESPACE}")
    _admin(MARIADB_URL, f"CREATE DATABASE {SESSION_NAMESPACE}")
    url = sa.make_url(MARIADB_URL).set(database=SESSION_NAMESPACE)
    url = url.render_as_string(hide_password=False)
    demo.build(url, TEST_SPEC)
    yield url
    _admin(MARIADB_URL, f"DROP DATABASE IF EXISTS {SESSION_NAMESPACE}")


@pytest.fixture(scope="session")
def clickhouse_url() -> str:
    """Return the URL of a fresh two-shard ClickHouse cluster loaded with the test spec."""
    cluster = ClickHouseCluster()
    try:
        cluster.start()
    except ClusterUnavailable as error:
        _unavailable("ClickHouse", error)
    try:
        demo.build(cluster.url, TEST_SPEC)
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture(scope="session", params=WAREHOUSES)
def warehouse(request) -> sa.Engine:
    """Return an engine on each warehouse in turn, all four holding the same rows."""
    url = request.getfixturevalue(
        {
            "duckdb": "duckdb_url",
            "postgresql": "postgres_url",
            "mariadb": "mariadb_url",
            "clickhouse": "clickhouse_url",
        }[request.param]
    )
    if request.param == "clickhouse":
        # The app's own engine: readonly=1 and the settings ClickHouse needs to count alike.
        engine = read_only_engine(Settings(warehouse_url=url, is_embedded_demo=False))
    else:
        engine = sa.create_engine(
            url, connect_args=duckdb_read_only_args() if request.param == "duckdb" else {}
        )
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def raw(duckdb_warehouse) -> dict[str, pd.DataFrame]:
    """Return every contract table's raw rows, as the demo generator wrote them."""
    return duckdb_warehouse[1]
