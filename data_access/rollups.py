"""Build and refresh the daily rollup tables in a warehouse (the app itself never writes).

    python -m data_access.rollups build --url URL      # every day, from scratch
    python -m data_access.rollups refresh --url URL    # only the days that changed

The counts come from the aggregate queries themselves (``data_access.queries``) grouped by
day and every rollup dimension, a block of days at a time, so a rollup holds exactly what
the queries would count and memory stays bounded by the block, not by the warehouse.

Refresh finds the decision days whose rows changed since the last build: decisions,
inspections, appeals (made or resolved) and penalties (issued or reversed) with a timestamp
after the rollup's watermark (the newest source timestamp it has seen). It recomputes those
days only. Rows loaded later with a timestamp older than the watermark are not seen: run
``build`` after such a backfill.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import replace

import pandas as pd
import sqlalchemy as sa

from data_access import queries
from data_access.config import load_settings, redacted
from data_access.dialect import period_start
from data_access.engine import writable_engine
from data_access.filters import Filters
from data_access.rollup_tables import (
    DIMENSIONS,
    LABEL_DIMENSIONS,
    LABEL_PAIR_KEYS,
    MODERATOR_DIMENSIONS,
    MODERATOR_WINDOW_DAYS,
    RESOLUTION_KEYS,
    ROLLUP_TABLES,
    daily,
    forget_status,
    label_pairs,
    meta,
    moderators,
    penalty_points,
    penalty_types,
    resolution_times,
    rollup_metadata,
)
from data_access.schema import appeals, decisions, penalties, qa_inspections

# Decisions rolled up per round trip: at the demo's mix, a few hundred thousand rollup rows,
# so memory stays bounded however large the warehouse; small warehouses take one trip.
BLOCK_DECISIONS = 5_000_000

# DuckDB's own default is 80% of the machine; a rollup build spills to disk beyond this.
DUCKDB_MEMORY_LIMIT = "1GB"

Progress = Callable[[float, str], None]
SOURCE_TIMES = (
    (decisions, (decisions.c.decided_at,)),
    (qa_inspections, (qa_inspections.c.inspected_at,)),
    (appeals, (appeals.c.appealed_at, appeals.c.resolved_at)),
    (penalties, (penalties.c.issued_at, penalties.c.reversed_at)),
)


def _union_select(table: sa.Table, parts: list[sa.Select], keys: tuple[str, ...]) -> sa.Select:
    """Return the SELECT summing several count statements into one row per key of ``table``.

    Each part is one query's fact-table statement; a count a part lacks is a zero, so a
    UNION ALL of the parts followed by a GROUP BY adds them up (NULL keys group together,
    where a join on them would not match).
    """
    counts = [column for column in table.columns if column.name not in ("day", *keys)]
    selects = []
    for part in parts:
        sub = part.subquery()
        columns = [sub.c["period"].label("day"), *(sub.c[key].label(key) for key in keys)]
        for column in counts:
            if column.name in sub.c:
                columns.append(sa.cast(sub.c[column.name], column.type).label(column.name))
            else:
                columns.append(sa.cast(sa.literal_column("0"), column.type).label(column.name))
        selects.append(sa.select(*columns))
    union = sa.union_all(*selects).subquery("parts")
    groups = [union.c.day, *(union.c[key] for key in keys)]
    return sa.select(
        *groups, *(sa.func.sum(union.c[c.name]).label(c.name) for c in counts)
    ).group_by(*groups)


def _daily_select(span: Filters) -> sa.Select:
    """Return the daily rollup's rows of a span: every count per day and dimension."""
    by = ("period", *DIMENSIONS)
    parts = [
        queries.decision_statement(span, by),
        queries.inspection_statement(span, by),
        # Their rejections are the decisions' own; counted once, from decision_statement.
        _without(queries.appeal_statement(span, by), "rejections"),
        _without(queries.penalty_statement(span, by), "rejections"),
    ]
    return _union_select(daily, parts, DIMENSIONS)


def _without(statement: sa.Select, name: str) -> sa.Select:
    """Return the statement without one of its output columns."""
    kept = [column for column in statement.selected_columns if column.name != name]
    return statement.with_only_columns(*kept)


def _penalty_type_select(span: Filters) -> sa.Select:
    """Return the penalty rollup's rows of a span: penalties per day, dimension and type."""
    statement = queries.penalty_statement(span, ("period", *DIMENSIONS, "penalty_type"))
    return _union_select(penalty_types, [statement], (*DIMENSIONS, "penalty_type"))


def _moderator_select(span: Filters) -> sa.Select:
    """Return the moderator rollup's rows of a span: decisions and inspections per moderator."""
    by = ("period", *MODERATOR_DIMENSIONS)
    parts = [queries.decision_statement(span, by), queries.inspection_statement(span, by)]
    return _union_select(moderators, parts, MODERATOR_DIMENSIONS)


def _label_pair_select(span: Filters) -> sa.Select:
    """Return the label rollup's rows of a span: inspections per day, dimension and labels."""
    statement = queries.label_pair_statement(span, ("period", *LABEL_DIMENSIONS))
    return _union_select(label_pairs, [statement], (*LABEL_DIMENSIONS, *LABEL_PAIR_KEYS))


def _resolution_select(span: Filters) -> sa.Select:
    """Return the resolution-time rollup's rows of a span: resolved appeals per decision day,
    dimension, resolution day and resolution time."""
    statement = queries.resolution_histogram_statement(span)
    keys = (*DIMENSIONS, *RESOLUTION_KEYS)
    return _union_select(resolution_times, [statement], keys)


def _penalty_points_select(span: Filters) -> sa.Select:
    """Return the points rollup's rows of a span: penalties carrying points per day,
    dimension and points value."""
    by = ("period", *DIMENSIONS)
    statement = queries.penalty_points_statement(span, by, penalties.c.points.label("points"))
    renamed = statement.with_only_columns(
        *(
            column.label("penalties") if column.name == "penalty_rows" else column
            for column in statement.selected_columns
        )
    )
    return _union_select(penalty_points, [renamed], (*DIMENSIONS, "points"))


SELECTS = {
    daily.name: _daily_select,
    penalty_types.name: _penalty_type_select,
    moderators.name: _moderator_select,
    label_pairs.name: _label_pair_select,
    resolution_times.name: _resolution_select,
    penalty_points.name: _penalty_points_select,
}


def _day_condition(column: sa.ColumnElement, days: Iterable[dt.date]) -> sa.ColumnElement:
    """Return the condition keeping rows whose day is one of ``days``."""
    return column.in_(sorted(days))


def _watermark(engine: sa.Engine) -> dt.datetime | None:
    """Return the newest timestamp in any fact table: what a rollup built now has seen."""
    latest = None
    with engine.connect() as connection:
        for _table, columns in SOURCE_TIMES:
            for column in columns:
                value = connection.execute(sa.select(sa.func.max(column))).scalar()
                if value is not None:
                    value = pd.Timestamp(value).to_pydatetime()
                    latest = value if latest is None else max(latest, value)
    return latest


def _data_days(engine: sa.Engine) -> tuple[dt.date, dt.date] | None:
    """Return the first and last decision day of the warehouse, or None when it is empty."""
    with engine.connect() as connection:
        first, last = connection.execute(
            sa.select(sa.func.min(decisions.c.decided_at), sa.func.max(decisions.c.decided_at))
        ).one()
    if first is None:
        return None
    return pd.Timestamp(first).date(), pd.Timestamp(last).date()


def changed_days(engine: sa.Engine, watermark: dt.datetime) -> list[dt.date]:
    """Return the decision days holding any row with a timestamp after ``watermark``."""
    day = period_start(decisions.c.decided_at, "day").label("day")
    parts = []
    for table, columns in SOURCE_TIMES:
        newer = sa.or_(*(column > watermark for column in columns))
        if table is decisions:
            parts.append(sa.select(day).where(newer).distinct())
        else:
            joined = table.join(decisions, table.c.decision_id == decisions.c.decision_id)
            parts.append(sa.select(day).select_from(joined).where(newer).distinct())
    days: set[dt.date] = set()
    with engine.connect() as connection:
        for part in parts:
            days |= {pd.Timestamp(row[0]).date() for row in connection.execute(part)}
    return sorted(days)


def _block_days(engine: sa.Engine, span: tuple[dt.date, dt.date]) -> int:
    """Return how many days to roll up per round trip: about ``BLOCK_DECISIONS`` decisions."""
    with engine.connect() as connection:
        total = connection.execute(sa.select(sa.func.count()).select_from(decisions)).scalar()
    per_day = max(1, int(total or 0)) / max(1, (span[1] - span[0]).days + 1)
    return max(1, min(366, int(BLOCK_DECISIONS / per_day)))


def _blocks(days: list[dt.date], block_days: int) -> list[tuple[dt.date, dt.date]]:
    """Return runs of consecutive days, each at most ``block_days`` long."""
    blocks: list[tuple[dt.date, dt.date]] = []
    for day in days:
        follows = blocks and day - blocks[-1][1] == dt.timedelta(days=1)
        if follows and (day - blocks[-1][0]).days < block_days:
            blocks[-1] = (blocks[-1][0], day)
        else:
            blocks.append((day, day))
    return blocks


def _rebuild_days(
    engine: sa.Engine,
    days: list[dt.date],
    first_moderator_day: dt.date,
    block_days: int,
    progress: Progress,
) -> None:
    """Recompute every rollup's rows for ``days``: delete them, then insert the new counts."""
    blocks = _blocks(days, block_days)
    for index, (start, end) in enumerate(blocks):
        span = Filters(start=start, end=end, grain="day")
        covered = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
        with engine.begin() as connection:
            for table in ROLLUP_TABLES:
                connection.execute(table.delete().where(_day_condition(table.c.day, covered)))
                chosen = span
                if table is moderators:
                    if end < first_moderator_day:
                        continue
                    chosen = replace(span, start=max(start, first_moderator_day))
                select = SELECTS[table.name](chosen)
                names = [column.name for column in table.columns]
                connection.execute(table.insert().from_select(names, select))
        progress((index + 1) / len(blocks), f"Rolled up {start} – {end}")


def _write_meta(
    engine: sa.Engine, span: tuple[dt.date, dt.date], moderator_start: dt.date, watermark
) -> None:
    """Record each rollup's days, watermark, refresh time and row count."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        connection.execute(meta.delete())
        for table in ROLLUP_TABLES:
            rows = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            first = moderator_start if table is moderators else span[0]
            connection.execute(
                meta.insert().values(
                    rollup=table.name,
                    first_day=first,
                    last_day=span[1],
                    watermark=watermark,
                    refreshed_at=now,
                    rows=int(rows),
                )
            )


def _engine(url: str) -> sa.Engine:
    """Return a writable engine; on DuckDB, one kept to ``DUCKDB_MEMORY_LIMIT``."""
    engine = writable_engine(url)
    if engine.dialect.name == "duckdb":

        @sa.event.listens_for(engine, "connect")
        def _bounded(dbapi_connection, _record):  # noqa: ANN001
            dbapi_connection.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")

    return engine


def build(url: str, *, progress: Progress | None = None) -> dict[str, int]:
    """Create every rollup table from scratch; return the rows written per table."""
    progress = progress or (lambda fraction, message: None)
    engine = _engine(url)
    try:
        progress(0.0, "Reading the fact tables' span")
        watermark = _watermark(engine)
        span = _data_days(engine)
        with engine.begin() as connection:
            rollup_metadata.drop_all(connection)
            rollup_metadata.create_all(connection)
        if span is None:
            return {table.name: 0 for table in ROLLUP_TABLES}
        moderator_start = max(span[0], span[1] - dt.timedelta(days=MODERATOR_WINDOW_DAYS - 1))
        days = [span[0] + dt.timedelta(days=n) for n in range((span[1] - span[0]).days + 1)]
        _rebuild_days(engine, days, moderator_start, _block_days(engine, span), progress)
        _write_meta(engine, span, moderator_start, watermark)
        return _row_counts(engine)
    finally:
        engine.dispose()
        forget_status()


def refresh(url: str, *, progress: Progress | None = None) -> list[dt.date]:
    """Recompute the rollups' days that changed since the last build; return those days."""
    progress = progress or (lambda fraction, message: None)
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table(meta.name):
                raise RollupsMissing("no rollups here yet: run build first")
            recorded = connection.execute(sa.select(meta).where(meta.c.rollup == daily.name)).one()
        new_watermark = _watermark(engine)
        span = _data_days(engine)
        if recorded.watermark is None or span is None:
            days = []
        else:
            days = changed_days(engine, recorded.watermark)
        moderator_start = max(span[0], span[1] - dt.timedelta(days=MODERATOR_WINDOW_DAYS - 1))
        if days:
            _rebuild_days(engine, days, moderator_start, _block_days(engine, span), progress)
        with engine.begin() as connection:
            # Days that left the moderator window are dropped, so it stays bounded.
            connection.execute(moderators.delete().where(moderators.c.day < moderator_start))
        _write_meta(engine, span, moderator_start, new_watermark)
        return days
    finally:
        engine.dispose()
        forget_status()


class RollupsMissing(RuntimeError):
    """Refresh was asked of a warehouse without rollups; the message says what to run."""


def _row_counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: int(
                connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            )
            for table in ROLLUP_TABLES
        }


def main(argv: list[str] | None = None) -> int:
    """Build or refresh the rollups from the command line; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m data_access.rollups", description=__doc__.split("\n")[0]
    )
    parser.add_argument("action", choices=("build", "refresh"))
    parser.add_argument("--url", help="SQLAlchemy URL (default: the configured warehouse)")
    arguments = parser.parse_args(argv)
    url = arguments.url or load_settings().warehouse_url
    started = time.perf_counter()

    def report(fraction: float, message: str) -> None:
        print(f"\r[{fraction:6.1%}] {message}".ljust(70), end="", file=sys.stderr, flush=True)

    try:
        if arguments.action == "build":
            result = build(url, progress=report)
            summary = ", ".join(f"{name} {rows:,} rows" for name, rows in result.items())
        else:
            days = refresh(url, progress=report)
            summary = f"{len(days)} changed days rebuilt" + (
                f" ({days[0]} – {days[-1]})" if days else ""
            )
    except (RollupsMissing, sa.exc.SQLAlchemyError) as error:
        print(file=sys.stderr)
        print(f"Could not {arguments.action} rollups in {redacted(url)}: {error}", file=sys.stderr)
        return 1
    print(file=sys.stderr)
    elapsed = time.perf_counter() - started
    print(f"{arguments.action.capitalize()} of {redacted(url)} in {elapsed:.1f} s: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
