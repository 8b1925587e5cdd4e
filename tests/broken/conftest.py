"""Broken warehouses, one per problem, built from the test warehouse on DuckDB and PostgreSQL.

Each copies the seven tables without constraints (CREATE TABLE … AS SELECT), then breaks
them with the statements below, which run unchanged on both engines.
"""

from __future__ import annotations

import duckdb
import pytest
import sqlalchemy as sa

from tests.conftest import POSTGRES_URL, RAW_TABLES, SESSION_NAMESPACE, _admin

# name: (statements that break the copy, words validate must print, words the pages show)
BREAKS: dict[str, tuple[tuple[str, ...], str]] = {
    "null_market_code_in_markets": (
        (
            "UPDATE markets SET market_code = NULL "
            "WHERE market_code = (SELECT min(market_code) FROM markets)",
        ),
        "1 markets rows have no market_code",
    ),
    "null_queue": (
        ("UPDATE decisions SET queue = NULL WHERE mod(decision_id, 50) = 0",),
        "decisions have no queue",
    ),
    "null_fact_keys": (
        (
            "UPDATE decisions SET market_code = NULL WHERE mod(decision_id, 40) = 1",
            "UPDATE decisions SET policy_area = NULL WHERE mod(decision_id, 40) = 2",
            "UPDATE decisions SET vendor_code = NULL WHERE mod(decision_id, 40) = 3",
        ),
        "decisions have no market_code",
    ),
    "future_dates": (
        (
            "UPDATE decisions SET decided_at = TIMESTAMP '9999-12-31 00:00:00' "
            "WHERE mod(decision_id, 1000) = 7",
        ),
        "values lie in the future",
    ),
    "duplicate_labels": (
        (
            "INSERT INTO policy_labels SELECT * FROM policy_labels "
            "WHERE label_code = (SELECT min(label_code) FROM policy_labels)",
        ),
        "label_code values repeat in policy_labels",
    ),
    "duplicate_decision_ids": (
        ("INSERT INTO decisions SELECT * FROM decisions WHERE mod(decision_id, 1000) = 5",),
        "decision_id values repeat in decisions",
    ),
    "unknown_vendor_code": (
        ("UPDATE decisions SET vendor_code = 'ghost_vendor' WHERE mod(decision_id, 100) = 3",),
        "have a vendor_code that is not in vendors",
    ),
    "unparseable_decided_at": (
        (
            "ALTER TABLE decisions ALTER COLUMN decided_at TYPE VARCHAR(40)",
            "UPDATE decisions SET decided_at = 'yesterday' WHERE mod(decision_id, 500) = 0",
        ),
        "values cannot be read as timestamps",
    ),
    "empty_inspections": (("DELETE FROM qa_inspections",), "Table 'qa_inspections' has no rows"),
    "missing_column": (
        ("ALTER TABLE decisions DROP COLUMN queue",),
        "Table 'decisions' has no column 'queue'",
    ),
    "missing_table": (("DROP TABLE appeals",), "Table 'appeals' is missing"),
}
SCHEMA_BREAKS = {"missing_column", "missing_table", "unparseable_decided_at"}


def _break_duckdb(source: str, target: str, statements: tuple[str, ...]) -> None:
    connection = duckdb.connect(target)
    try:
        connection.execute(f"ATTACH '{source}' AS good (READ_ONLY)")
        for table in RAW_TABLES:
            connection.execute(f"CREATE TABLE {table} AS SELECT * FROM good.{table}")
        connection.execute("DETACH good")
        for statement in statements:
            connection.execute(statement)
    finally:
        connection.close()


@pytest.fixture(scope="session")
def broken_duckdb(duckdb_url, tmp_path_factory):
    """Return ``url_of(name)``: the URL of a DuckDB copy with one break, built on first use."""
    source = sa.make_url(duckdb_url).database
    folder = tmp_path_factory.mktemp("broken")
    built: dict[str, str] = {}

    def url_of(name: str) -> str:
        if name not in built:
            path = folder / f"{name}.duckdb"
            _break_duckdb(source, str(path), BREAKS[name][0])
            built[name] = f"duckdb:///{path}"
        return built[name]

    return url_of


@pytest.fixture(scope="session")
def broken_postgres(postgres_url):
    """Return ``url_of(name)``: a PostgreSQL schema with one break, built on first use."""
    built: dict[str, str] = {}

    def url_of(name: str) -> str:
        if name not in built:
            schema = f"{SESSION_NAMESPACE}_{name}"[:63]
            _admin(POSTGRES_URL, f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            _admin(POSTGRES_URL, f"CREATE SCHEMA {schema}")
            engine = sa.create_engine(POSTGRES_URL)
            try:
                with engine.begin() as connection:
                    connection.exec_driver_sql(f"SET search_path = {schema}")
                    for table in RAW_TABLES:
                        connection.exec_driver_sql(
                            f"CREATE TABLE {table} AS SELECT * FROM {SESSION_NAMESPACE}.{table}"
                        )
                    for statement in BREAKS[name][0]:
                        connection.exec_driver_sql(statement)
            finally:
                engine.dispose()
            url = sa.make_url(POSTGRES_URL).update_query_dict(
                {"options": f"-c search_path={schema}"}
            )
            built[name] = url.render_as_string(hide_password=False)
        return built[name]

    yield url_of
    for name in built:
        _admin(POSTGRES_URL, f"DROP SCHEMA IF EXISTS {f'{SESSION_NAMESPACE}_{name}'[:63]} CASCADE")
