"""Rollups give the same numbers as the fact tables, and a refresh equals a full rebuild."""

from __future__ import annotations

import datetime as dt
import shutil

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from data_access import dialect, queries, rollup_tables, rollups
from data_access.filters import Filters
from data_access.statements import recorded
from tests.conftest import read_only

WEEKS = Filters(start=dt.date(2026, 9, 14), end=dt.date(2026, 11, 22), grain="week")
NARROW = Filters(
    start=dt.date(2026, 10, 1),
    end=dt.date(2026, 11, 15),
    grain="month",
    markets=("ID", "US", "SG"),
    policy_areas=("listing", "ipr"),
    queues=("new_listing", "user_report"),
    labels=("listing_keyword_stuffing", "ipr_counterfeit", "listing_duplicate"),
)
ONE_MODERATOR = Filters(
    start=dt.date(2026, 10, 5), end=dt.date(2026, 11, 22), moderators=("M0042", "M0100")
)
COUNT_REQUESTS = [
    ("decision_counts", WEEKS, ("period", "market_code", "policy_area")),
    ("inspection_counts", WEEKS, ("period", "market_code", "policy_area")),
    ("inspection_counts", NARROW, ("period", "vendor_code", "is_automated")),
    ("inspection_counts", ONE_MODERATOR, ("period", "moderator_id")),
    ("inspection_counts", WEEKS, ("moderator_id", "label_code")),
    ("appeal_counts", WEEKS, ()),
    ("appeal_counts", NARROW, ("label_code", "queue")),
    ("penalty_counts", WEEKS, ("period", "market_code")),
    ("penalty_counts", NARROW, ("period", "penalty_type")),
    ("penalty_counts", WEEKS, ("vendor_code", "penalty_type")),
]


@pytest.fixture(scope="module")
def with_rollups(request, tmp_path_factory) -> sa.Engine:
    """Return an engine on each test warehouse after ``rollups build``, dropped afterwards."""
    engines = {}

    def make(dialect: str) -> sa.Engine:
        if dialect in engines:
            return engines[dialect]
        if dialect == "duckdb":
            # A copy, so the session's read-only DuckDB file stays as every other test sees it.
            source = sa.make_url(request.getfixturevalue("duckdb_url")).database
            path = tmp_path_factory.mktemp("rollups") / "warehouse.duckdb"
            shutil.copy(source, path)
            url = f"duckdb:///{path}"
        else:
            url = request.getfixturevalue(
                {"postgresql": "postgres_url", "mariadb": "mariadb_url"}[dialect]
            )
        rollups.build(url)
        engines[dialect] = (url, read_only(url) if dialect == "duckdb" else sa.create_engine(url))
        return engines[dialect]

    yield make
    for url, engine in engines.values():
        engine.dispose()
        if not url.startswith("duckdb"):
            # The server warehouses are shared by the session: leave them without rollups.
            writer = sa.create_engine(url)
            with writer.begin() as connection:
                rollup_tables.rollup_metadata.drop_all(connection)
            writer.dispose()
    rollup_tables.forget_status()


def _both(with_rollups, dialect: str) -> tuple[sa.Engine, sa.Engine]:
    _, engine = with_rollups(dialect)
    return engine, engine.execution_options(modqa_rollups=False)


def _assert_same(rolled: pd.DataFrame, facts: pd.DataFrame) -> None:
    keys = [c for c in facts.columns if facts[c].dtype == object or c == "period"]
    rolled, facts = rolled.copy(), facts.copy()
    for frame in (rolled, facts):
        for key in keys:
            frame[key] = frame[key].astype(object).where(frame[key].notna(), None)
    if keys:
        rolled = rolled.sort_values(keys, ignore_index=True)
        facts = facts.sort_values(keys, ignore_index=True)
    assert len(facts) > 0, "the request should select some rows"
    pd.testing.assert_frame_equal(rolled, facts, check_dtype=False, rtol=1e-9)


@pytest.mark.parametrize("dialect", ["duckdb", "postgresql", "mariadb"])
@pytest.mark.parametrize(("name", "filters", "by"), COUNT_REQUESTS)
def test_count_queries_give_the_same_frame_with_and_without_rollups(
    with_rollups, dialect, name, filters, by
):
    rolled_engine, facts_engine = _both(with_rollups, dialect)
    function = getattr(queries, name)
    _assert_same(function(rolled_engine, filters, by), function(facts_engine, filters, by))


def test_the_rollups_answer_the_requests_they_cover(with_rollups):
    engine, _ = _both(with_rollups, "duckdb")
    assert rollup_tables.covering(engine, "inspection_counts", WEEKS, ("period",)) is not None
    assert rollup_tables.covering(engine, "penalty_counts", NARROW, ("penalty_type",))
    moderator = rollup_tables.covering(engine, "inspection_counts", ONE_MODERATOR, ("period",))
    assert moderator.table is rollup_tables.moderators
    # Label counts come from the label-pair rollup; it has no moderator dimension.
    pairs = (*rollup_tables.LABEL_PAIR_KEYS,)
    assert rollup_tables.covering(engine, "label_pairs", WEEKS, pairs).table is (
        rollup_tables.label_pairs
    )
    assert rollup_tables.covering(engine, "label_pairs", ONE_MODERATOR, pairs) is None
    with recorded() as log:
        queries.label_counts(engine, NARROW, ())
        queries.confusion_counts(engine, NARROW)
    assert {statement.source for statement in log.statements} == {
        "modqa_rollup_label_pairs (inspections)"
    }
    # Resolution-time quantiles come from the histogram, never from the appeals join.
    with recorded() as log:
        queries.appeal_resolution_times(engine, WEEKS, ("period", "market_code"))
        queries.appeal_resolution_times(engine, NARROW, (), view="flow")
    assert {statement.source for statement in log.statements} == {
        "modqa_rollup_resolution_times (appeals)"
    }
    with recorded() as log:
        queries.penalty_points_distribution(engine, NARROW, ("market_code",), bin_width=2)
        queries.penalty_points_distribution(engine, WEEKS, ("period", "queue"))
    assert {statement.source for statement in log.statements} == {
        "modqa_rollup_penalty_points (penalties)"
    }
    # The rollup ends with the data's last day.
    later = Filters(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 29))
    assert rollup_tables.covering(engine, "inspection_counts", later, ()) is None


@pytest.mark.parametrize("dialect", ["duckdb", "postgresql", "mariadb"])
def test_every_other_query_gives_the_same_answer_with_and_without_rollups(with_rollups, dialect):
    rolled_engine, facts_engine = _both(with_rollups, dialect)
    for rolled, facts in (
        (
            queries.label_counts(rolled_engine, NARROW, ()),
            queries.label_counts(facts_engine, NARROW, ()),
        ),
        (
            queries.label_counts(rolled_engine, WEEKS, ("period", "market_code")),
            queries.label_counts(facts_engine, WEEKS, ("period", "market_code")),
        ),
        (
            queries.confusion_counts(rolled_engine, WEEKS),
            queries.confusion_counts(facts_engine, WEEKS),
        ),
        (
            queries.appeal_flow_counts(rolled_engine, WEEKS, ("period",)),
            queries.appeal_flow_counts(facts_engine, WEEKS, ("period",)),
        ),
        (
            queries.appeal_resolution_times(rolled_engine, WEEKS, ("market_code",)),
            queries.appeal_resolution_times(facts_engine, WEEKS, ("market_code",)),
        ),
        (
            queries.appeal_resolution_times(rolled_engine, WEEKS, ("period", "policy_area")),
            queries.appeal_resolution_times(facts_engine, WEEKS, ("period", "policy_area")),
        ),
        (
            queries.appeal_resolution_times(rolled_engine, NARROW, ("queue",), view="flow"),
            queries.appeal_resolution_times(facts_engine, NARROW, ("queue",), view="flow"),
        ),
        (
            queries.appeal_resolution_times(rolled_engine, NARROW, ()),
            queries.appeal_resolution_times(facts_engine, NARROW, ()),
        ),
        (
            queries.confusion_counts(rolled_engine, NARROW),
            queries.confusion_counts(facts_engine, NARROW),
        ),
        (
            queries.penalty_points_distribution(rolled_engine, WEEKS, ()),
            queries.penalty_points_distribution(facts_engine, WEEKS, ()),
        ),
        (
            queries.penalty_points_distribution(rolled_engine, WEEKS, ("period",), bin_width=3),
            queries.penalty_points_distribution(facts_engine, WEEKS, ("period",), bin_width=3),
        ),
        (queries.moderator_options(rolled_engine), queries.moderator_options(facts_engine)),
    ):
        _assert_same(rolled, facts)
    assert (
        queries.filter_options(rolled_engine).queues == queries.filter_options(facts_engine).queues
    )


# A Wednesday: the week of 9 Nov is read partly from the rollups and partly from the facts.
STALE_AFTER = dt.date(2026, 11, 11)


def _make_stale(url: str, last_day: dt.date) -> None:
    """Leave the rollups as if last refreshed on ``last_day``: later days are not in them."""
    writer = sa.create_engine(url)
    with writer.begin() as connection:
        for table in rollup_tables.ROLLUP_TABLES:
            connection.execute(sa.delete(table).where(table.c.day > last_day))
        connection.execute(sa.update(rollup_tables.meta).values(last_day=last_day))
    writer.dispose()
    rollup_tables.forget_status()


@pytest.mark.parametrize("dialect", ["duckdb", "postgresql", "mariadb"])
def test_a_range_past_the_rollups_last_day_reads_the_rest_from_the_facts(with_rollups, dialect):
    url, _ = with_rollups(dialect)
    rolled_engine, facts_engine = _both(with_rollups, dialect)
    covered = [
        rollup_tables.covering(rolled_engine, name, filters, by) is not None
        for name, filters, by in COUNT_REQUESTS
    ]
    rolled_engine.dispose()
    _make_stale(url, STALE_AFTER)
    rollup_tables.status(rolled_engine)  # read once, so the log holds only the counts
    try:
        for (name, filters, by), was_covered in zip(COUNT_REQUESTS, covered, strict=True):
            function = getattr(queries, name)
            with recorded() as log:
                rolled = function(rolled_engine, filters, by)
            _assert_same(rolled, function(facts_engine, filters, by))
            sources = {
                statement.source.split(" ")[0]
                for statement in log.statements
                if statement.source is not None
            }
            # What the rollups answered when fresh, they now answer up to their last day.
            split = len(sources) == 2 and any(s.startswith("modqa_rollup") for s in sources)
            assert split == was_covered, (name, by, sources)
        assert sum(covered) >= 8
        # A range that starts after the last day is the facts' alone.
        later = WEEKS.with_range(STALE_AFTER + dt.timedelta(days=1), WEEKS.end)
        assert rollup_tables.covering_until(rolled_engine, "decision_counts", later, ()) is None
    finally:
        rolled_engine.dispose()
        rollups.build(url)
        rollup_tables.forget_status()


LATE = dt.datetime(2026, 11, 23, 9, 0)


def _add_late_rows(url: str) -> set[int]:
    """Add a late inspection, two late appeals, resolutions and a reversal on old decisions;
    return the decisions touched."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        run = connection.exec_driver_sql
        old = run(
            "SELECT decision_id FROM decisions WHERE outcome = 'reject' AND decided_at < "
            "'2026-10-01' AND decision_id NOT IN (SELECT decision_id FROM appeals) "
            "ORDER BY decision_id LIMIT 3"
        ).fetchall()
        pending = run(
            "SELECT appeal_id FROM appeals WHERE appeal_outcome = 'pending' ORDER BY appeal_id "
            "LIMIT 2"
        ).fetchall()
        penalty = run(
            "SELECT penalty_id FROM penalties WHERE reversed_at IS NULL ORDER BY penalty_id LIMIT 1"
        ).fetchone()
        first, second, third = (row[0] for row in old)
        run(
            "INSERT INTO qa_inspections VALUES (900000001, ?, ?, 'QA999', 'approve', NULL, 3.5)",
            (first, LATE),
        )
        run(
            "INSERT INTO appeals VALUES (900000001, ?, ?, NULL, 'pending')",
            (second, LATE),
        )
        run(
            "INSERT INTO appeals VALUES (900000002, ?, ?, ?, 'overturned')",
            (third, LATE, LATE + dt.timedelta(hours=5)),
        )
        for (appeal_id,) in pending:
            run(
                "UPDATE appeals SET appeal_outcome = 'overturned', resolved_at = ? "
                "WHERE appeal_id = ?",
                (LATE, appeal_id),
            )
        run("UPDATE penalties SET reversed_at = ? WHERE penalty_id = ?", (LATE, penalty[0]))
        touched = {first, second, third}
        for table, key, ids in (
            ("appeals", "appeal_id", [row[0] for row in pending]),
            ("penalties", "penalty_id", [penalty[0]]),
        ):
            for row_id in ids:
                touched.add(
                    run(f"SELECT decision_id FROM {table} WHERE {key} = ?", (row_id,)).scalar()
                )
    engine.dispose()
    return touched


def _contents(url: str, table: sa.Table) -> pd.DataFrame:
    engine = read_only(url)
    with engine.connect() as connection:
        frame = pd.read_sql(sa.select(table), connection)
    engine.dispose()
    keys = [
        c.name
        for c in table.columns
        if not isinstance(c.type, sa.BigInteger | sa.Float | sa.Double)
    ]
    for key in keys:
        frame[key] = frame[key].astype(object).where(frame[key].notna(), "")
    # Every column: the resolution-time histogram's rows differ only in their seconds.
    return frame.sort_values(list(frame.columns), ignore_index=True)


# Last in the module: it adds rows to the DuckDB copy the tests above read.
def test_a_refresh_after_late_rows_equals_a_full_rebuild(with_rollups, raw):
    url, engine = with_rollups("duckdb")
    engine.dispose()
    before = _contents(url, rollup_tables.daily)

    touched = _add_late_rows(url)
    days = rollups.refresh(url)
    refreshed = {table.name: _contents(url, table) for table in rollup_tables.ROLLUP_TABLES}
    rollups.build(url)

    decided = raw["decisions"].set_index("decision_id")["decided_at"]
    assert set(days) == {decided[decision].date() for decision in touched}
    for table in rollup_tables.ROLLUP_TABLES:
        pd.testing.assert_frame_equal(
            refreshed[table.name], _contents(url, table), check_exact=False
        )
    after = refreshed[rollup_tables.daily.name]
    assert after["inspections"].sum() == before["inspections"].sum() + 1
    assert after["appealed"].sum() == before["appealed"].sum() + 2
    assert after["reversed"].sum() == before["reversed"].sum() + 1


# DuckDB's list path, and the window-function path PostgreSQL and MariaDB take (run on
# DuckDB here, which speaks that SQL too).
@pytest.mark.parametrize("path", ["duckdb", "postgresql"])
def test_order_statistics_read_from_a_histogram_interpolate_like_numpy(path):
    # Six values as a histogram of three rows, and one group of a single value: the type-7
    # quantiles interpolated from the statistics must be numpy's over the expanded values.
    engine = sa.create_engine("duckdb:///:memory:")
    table = sa.Table(
        "histogram",
        sa.MetaData(),
        sa.Column("unit", sa.String),
        sa.Column("value", sa.Double),
        sa.Column("times", sa.BigInteger),
    )
    rows = [("a", 9.0, 2), ("a", 1.0, 3), ("a", 5.0, 1), ("b", 4.0, 1)]
    quantiles = {"median": 0.5, "p90": 0.9, "p25": 0.25}
    with engine.begin() as connection:
        table.create(connection)
        connection.execute(
            table.insert(), [dict(zip(("unit", "value", "times"), r, strict=True)) for r in rows]
        )
        statement = dialect.weighted_order_statistics(
            path,
            [table.c.unit.label("unit")],
            table.c.value,
            table.c.times,
            source=table,
            conditions=[],
            quantiles=quantiles,
        )
        frame = pd.DataFrame(connection.execute(statement).mappings().all()).set_index("unit")
    engine.dispose()
    expanded = {"a": [1, 1, 1, 5, 9, 9], "b": [4]}
    for unit, values in expanded.items():
        row = frame.loc[unit]
        assert row["resolved"] == len(values)
        for name, quantile in quantiles.items():
            fraction = ((len(values) - 1) * quantile) % 1
            low, high = row[f"{name}_low"], row[f"{name}_high"]
            assert low + fraction * (high - low) == pytest.approx(
                np.percentile(values, quantile * 100)
            )
    # Positions 2 and 3 of 1, 1, 1, 5, 9, 9 (from 0) straddle the median.
    assert (frame.loc["a", "median_low"], frame.loc["a", "median_high"]) == (1.0, 5.0)
