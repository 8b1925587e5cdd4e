"""The app's engine cannot write, escape its time limit or read outside the warehouse, on
every engine, even when a statement gets past the application."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from data_access.config import Settings
from data_access.engine import WriteRefused, read_only_engine
from data_access.errors import WarehouseBusy, classify

TIMEOUT_SECONDS = 7
# Statements the app never sends; each must fail through its engine.
ESCAPES = {
    "duckdb": [
        "SET TRANSACTION READ WRITE",
        "INSERT INTO markets VALUES ('ZZ', 'Nowhere', 'none')",
        "COPY (SELECT 1) TO '/tmp/modqa-escape.csv'",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SET enable_external_access = true",
        "SELECT 1; DROP TABLE markets",
    ],
    "postgresql": [
        "SET TRANSACTION READ WRITE",
        "SET statement_timeout = 0",
        "INSERT INTO markets VALUES ('ZZ', 'Nowhere', 'none')",
        "WITH gone AS (DELETE FROM markets RETURNING 1) SELECT count(*) FROM gone",
        "SELECT 1; SET TRANSACTION READ WRITE; INSERT INTO markets VALUES ('ZZ', 'N', 'n')",
    ],
    "mariadb": [
        "SET TRANSACTION READ WRITE",
        "SET SESSION max_statement_time = 0",
        "INSERT INTO markets VALUES ('ZZ', 'Nowhere', 'none')",
        "SELECT 1; INSERT INTO markets VALUES ('ZZ', 'Nowhere', 'none')",
    ],
}


@pytest.fixture(scope="module", params=tuple(ESCAPES))
def app_engine(request):
    """Return (engine name, the app's read-only engine) on each warehouse in turn."""
    url = request.getfixturevalue(
        {"duckdb": "duckdb_url", "postgresql": "postgres_url", "mariadb": "mariadb_url"}[
            request.param
        ]
    )
    settings = Settings(
        warehouse_url=url, is_embedded_demo=False, query_timeout_seconds=TIMEOUT_SECONDS
    )
    engine = read_only_engine(settings)
    yield request.param, engine
    engine.dispose()


def _market_count(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text("SELECT count(*) FROM markets")).scalar_one()


def test_every_escape_fails_through_the_apps_engine(app_engine):
    name, engine = app_engine
    before = _market_count(engine)
    for statement in ESCAPES[name]:
        with pytest.raises(sa.exc.DBAPIError), engine.connect() as connection:
            connection.execute(sa.text(statement))
            connection.commit()
    assert _market_count(engine) == before


def _raw_execute(engine: sa.Engine, *statements: str) -> None:
    """Run statements on a pooled connection below SQLAlchemy's events, then return it."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement in statements:
            cursor.execute(statement)
        cursor.close()
    finally:
        raw.close()


def _setting(engine: sa.Engine, statement: str) -> str:
    with engine.connect() as connection:
        return str(connection.exec_driver_sql(statement).scalar_one())


def test_settings_changed_below_the_app_do_not_survive_in_the_pool(app_engine):
    name, engine = app_engine
    if name == "duckdb":
        # Its configuration is locked: the SET itself fails, even on the raw connection.
        with pytest.raises(Exception, match="configuration"):
            _raw_execute(engine, "SET enable_external_access = true")
        return
    if name == "postgresql":
        _raw_execute(engine, "SET statement_timeout = 0", "SET default_transaction_read_only = off")
        assert _setting(engine, "SHOW statement_timeout") == f"{TIMEOUT_SECONDS}s"
        assert _setting(engine, "SHOW default_transaction_read_only") == "on"
    else:
        _raw_execute(
            engine, "SET SESSION max_statement_time = 0", "SET SESSION TRANSACTION READ WRITE"
        )
        assert float(_setting(engine, "SELECT @@max_statement_time")) == TIMEOUT_SECONDS
        assert _setting(engine, "SELECT @@session.tx_read_only") == "1"
    # A plain write on the next checkout is refused by the session, not just by the app.
    with pytest.raises(Exception, match="(?i)read.only"):
        _raw_execute(engine, "INSERT INTO markets VALUES ('ZZ', 'Nowhere', 'none')")


def test_a_duckdb_query_past_the_limit_is_interrupted_and_reads_as_busy(duckdb_url):
    settings = Settings(warehouse_url=duckdb_url, is_embedded_demo=False, query_timeout_seconds=1)
    engine = read_only_engine(settings)
    # A cross join far too large to finish in a second (10^10 pairs).
    heavy = (
        "SELECT count(*) FROM range(100000) a, range(100000) b WHERE (a.range * b.range) % 7 = 3"
    )
    try:
        with pytest.raises(sa.exc.DBAPIError) as raised, engine.connect() as connection:
            connection.execute(sa.text(heavy))
        assert type(raised.value.orig).__name__ == "InterruptException"
        assert classify(raised.value) is WarehouseBusy
        # The connection is usable again afterwards.
        assert _market_count(engine) > 0
    finally:
        engine.dispose()


def test_write_refusals_name_the_rule_not_the_data():
    error = WriteRefused("DELETE FROM x", {}, PermissionError("only single reads"))
    assert isinstance(error, sa.exc.DBAPIError)
