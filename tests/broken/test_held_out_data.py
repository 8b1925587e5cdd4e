"""Data the contract allows but the demo does not hold: text decision ids, points = 0."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from data_access import queries
from data_access.config import Settings
from data_access.engine import read_only_engine
from data_access.filters import Filters
from tests.broken.conftest import _break_duckdb

FULL_RANGE = Filters(start=dt.date(2026, 9, 14), end=dt.date(2026, 11, 22))
FACTS = ("decisions", "qa_inspections", "appeals", "penalties")


def _engine(duckdb_url, tmp_path, statements) -> sa.Engine:
    path = tmp_path / "held_out.duckdb"
    _break_duckdb(sa.make_url(duckdb_url).database, str(path), tuple(statements))
    return read_only_engine(Settings(warehouse_url=f"duckdb:///{path}", is_embedded_demo=False))


def test_drill_through_keeps_text_decision_ids(duckdb_url, tmp_path):
    statements = [
        statement
        for table in FACTS
        for statement in (
            f"ALTER TABLE {table} ALTER COLUMN decision_id TYPE VARCHAR",
            f"UPDATE {table} SET decision_id = 'D-' || decision_id",
        )
    ]
    engine = _engine(duckdb_url, tmp_path, statements)
    try:
        page = queries.drill_through(engine, FULL_RANGE, page_size=20, cap=100)
    finally:
        engine.dispose()
    assert page.total == 100 and len(page.rows) == 20
    assert all(str(value).startswith("D-") for value in page.rows["decision_id"])


def test_penalties_with_zero_points_do_not_count_as_carrying_points(duckdb_url, tmp_path):
    # Every penalty without points gets 0 instead of NULL; the histogram must not change.
    engine = _engine(duckdb_url, tmp_path, ["UPDATE penalties SET points = 0 WHERE points IS NULL"])
    try:
        zeros = queries.penalty_points_distribution(engine, FULL_RANGE)
        with engine.connect() as connection:
            carrying = connection.execute(
                sa.text(
                    "SELECT count(*) FROM penalties p JOIN decisions d USING (decision_id) "
                    "WHERE p.points > 0 AND d.decided_at >= TIMESTAMP '2026-09-14' "
                    "AND d.decided_at < TIMESTAMP '2026-11-23'"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    assert zeros["penalties"].sum() == carrying
