"""Data problems the table contract cannot express as types: NULL keys, unreadable or future
timestamps, duplicate ids, unknown codes and empty tables, each counted with examples.

Every check is one aggregate query built from the contract in ``schema.py`` (not-null and
primary-key columns, the code lists), so a column added to the contract is checked too.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from data_access.engine import dialect_name
from data_access.schema import (
    APPEAL_OUTCOMES,
    CONTRACT_TABLES,
    OUTCOMES,
    PENALTY_TYPES,
    POLICY_AREAS,
    SEVERITIES,
    appeals,
    decisions,
    markets,
    penalties,
    policy_labels,
    qa_inspections,
    vendors,
)

EXAMPLES = 3
# A timestamp this far past the check's clock is a typing or loading mistake, not a
# time zone: the future dates of the issue (9999-12-31) moved every page's default range.
FUTURE_MARGIN = dt.timedelta(days=1)
# A timestamp held as text must at least start like an ISO date and time.
ISO_TIMESTAMP = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?$"

# Codes a fact or dimension column must take from a dimension table or a fixed list.
KNOWN_CODES: Mapping[sa.Column, sa.Column | tuple[str, ...]] = {
    decisions.c.market_code: markets.c.market_code,
    decisions.c.vendor_code: vendors.c.vendor_code,
    decisions.c.rejection_label: policy_labels.c.label_code,
    decisions.c.policy_area: POLICY_AREAS,
    decisions.c.outcome: OUTCOMES,
    qa_inspections.c.qa_outcome: OUTCOMES,
    qa_inspections.c.qa_label: policy_labels.c.label_code,
    policy_labels.c.policy_area: POLICY_AREAS,
    policy_labels.c.severity: SEVERITIES,
    penalties.c.penalty_type: PENALTY_TYPES,
    appeals.c.appeal_outcome: APPEAL_OUTCOMES,
}


@dataclass(frozen=True)
class DataFinding:
    """One data problem: which column, how many rows, a few examples, in a plain sentence."""

    table: str
    column: str
    count: int
    sentence: str
    examples: tuple[str, ...] = ()

    def describe(self) -> str:
        """Return the finding in words, with its examples."""
        shown = ", ".join(repr(example) for example in self.examples)
        return self.sentence + (f" For example: {shown}." if shown else "")


def _examples(connection: sa.Connection, statement: sa.Select) -> tuple[str, ...]:
    return tuple(str(row[0]) for row in connection.execute(statement.limit(EXAMPLES)))


def _count(connection: sa.Connection, table: sa.Table, condition) -> int:  # noqa: ANN001
    statement = sa.select(sa.func.count()).select_from(table).where(condition)
    return int(connection.execute(statement).scalar_one())


def _key(table: sa.Table) -> sa.Column:
    return next(iter(table.primary_key.columns))


def _empty(connection: sa.Connection, table: sa.Table) -> list[DataFinding]:
    rows = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    if rows:
        return []
    return [DataFinding(table.name, "", 0, f"Table '{table.name}' has no rows.")]


def _nulls(connection: sa.Connection, table: sa.Table, present: set[str]) -> list[DataFinding]:
    findings = []
    key = _key(table)
    for column in table.columns:
        if column.nullable and not column.primary_key or column.name not in present:
            continue
        count = _count(connection, table, column.is_(None))
        if count:
            examples = ()
            if column is not key and key.name in present:
                examples = _examples(connection, sa.select(key).where(column.is_(None)))
            noun = f"{table.name} rows" if column.primary_key else table.name
            findings.append(
                DataFinding(
                    table.name,
                    column.name,
                    count,
                    f"{count:,} {noun} have no {column.name}"
                    + (f" (by {key.name})." if examples else "."),
                    examples,
                )
            )
    return findings


def _duplicates(connection: sa.Connection, table: sa.Table, present: set[str]) -> list[DataFinding]:
    key = _key(table)
    if key.name not in present:
        return []
    repeated = (
        sa.select(key).where(key.is_not(None)).group_by(key).having(sa.func.count() > 1).subquery()
    )
    count = int(connection.execute(sa.select(sa.func.count()).select_from(repeated)).scalar_one())
    if not count:
        return []
    examples = _examples(connection, sa.select(repeated.c[key.name]).order_by(repeated.c[key.name]))
    return [
        DataFinding(
            table.name,
            key.name,
            count,
            f"{count:,} {key.name} values repeat in {table.name}.",
            examples,
        )
    ]


def _unknown_codes(connection: sa.Connection, present: Mapping[str, set[str]]) -> list[DataFinding]:
    findings = []
    for column, known in KNOWN_CODES.items():
        table = column.table
        if column.name not in present.get(table.name, set()):
            continue
        if isinstance(known, tuple):
            unknown = column.not_in(known)
            where = f"one of {', '.join(known)}"
        else:
            if known.name not in present.get(known.table.name, set()):
                continue
            # The dimension tables are small: read their codes and bind them, rather than a
            # subquery, which ClickHouse's shards resolve in their own default database.
            codes = connection.execute(sa.select(known).where(known.is_not(None)).distinct())
            unknown = column.not_in([row[0] for row in codes])
            where = f"in {known.table.name}"
        condition = sa.and_(column.is_not(None), unknown)
        count = _count(connection, table, condition)
        if count:
            examples = _examples(
                connection, sa.select(column).where(condition).distinct().order_by(column)
            )
            findings.append(
                DataFinding(
                    table.name,
                    column.name,
                    count,
                    f"{count:,} {table.name} rows have a {column.name} that is not {where}.",
                    examples,
                )
            )
    return findings


def _text_is_not_timestamp(engine: sa.Engine, column: sa.ColumnElement):  # noqa: ANN202
    if dialect_name(engine) == "duckdb":
        return sa.func.try_cast(sa.literal_column(f'"{column.name}" AS TIMESTAMP')).is_(None)
    return sa.not_(column.regexp_match(ISO_TIMESTAMP))


def _timestamps(
    engine: sa.Engine,
    connection: sa.Connection,
    table: sa.Table,
    types: Mapping[str, str],
    now: dt.datetime,
) -> list[DataFinding]:
    findings = []
    for column in table.columns:
        if column.info["kind"] != "timestamp" or column.name not in types:
            continue
        data_type = types[column.name].lower()
        if not any(word in data_type for word in ("timestamp", "datetime", "date")):
            text = sa.cast(column, sa.String)
            condition = sa.and_(column.is_not(None), _text_is_not_timestamp(engine, column))
            count = _count(connection, table, condition)
            if count:
                examples = _examples(connection, sa.select(text).where(condition).distinct())
                findings.append(
                    DataFinding(
                        table.name,
                        column.name,
                        count,
                        f"{count:,} {table.name}.{column.name} values cannot be read as "
                        "timestamps.",
                        examples,
                    )
                )
            continue
        limit = now.replace(tzinfo=None) + FUTURE_MARGIN
        condition = column > limit
        count = _count(connection, table, condition)
        if count:
            examples = _examples(
                connection, sa.select(column).where(condition).order_by(column.desc())
            )
            findings.append(
                DataFinding(
                    table.name,
                    column.name,
                    count,
                    f"{count:,} {table.name}.{column.name} values lie in the future "
                    f"(after {limit:%Y-%m-%d}).",
                    examples,
                )
            )
    return findings


def data_problems(
    engine: sa.Engine,
    columns: Mapping[str, Mapping[str, str]],
    now: dt.datetime | None = None,
) -> list[DataFinding]:
    """Return every data problem in the warehouse's contract tables, with counts and examples.

    ``columns`` is ``{table: {column: data type}}`` as found in the warehouse; checks on a
    missing table or column are skipped (the schema check reports those).
    """
    now = now or dt.datetime.now(dt.UTC)
    present = {name: set(found) for name, found in columns.items()}
    findings: list[DataFinding] = []
    with engine.connect() as connection:
        for table in CONTRACT_TABLES:
            if table.name not in present:
                continue
            findings += _empty(connection, table)
            findings += _nulls(connection, table, present[table.name])
            findings += _duplicates(connection, table, present[table.name])
            findings += _timestamps(engine, connection, table, columns[table.name], now)
        findings += _unknown_codes(connection, present)
    return findings


def write_access(engine: sa.Engine) -> str | None:
    """Return a sentence saying how the connecting role could write, or None if it cannot."""
    dialect = dialect_name(engine)
    with engine.connect() as connection:
        if dialect == "postgresql":
            rows = connection.execute(
                sa.text(
                    "SELECT table_name FROM information_schema.table_privileges "
                    "WHERE grantee IN (current_user, 'PUBLIC') "
                    "AND privilege_type IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE') "
                    "AND table_schema = current_schema()"
                )
            ).fetchall()
            superuser = connection.execute(
                sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            ).scalar()
            if superuser:
                return "the role connects as a PostgreSQL superuser and can write anything"
            if rows:
                return f"the role may insert, update or delete rows in {rows[0][0]}"
            return None
        if dialect == "mysql":
            grants = [row[0].upper() for row in connection.execute(sa.text("SHOW GRANTS"))]
            for grant in grants:
                if any(word in grant for word in ("ALL PRIVILEGES", "INSERT", "UPDATE", "DELETE")):
                    return f"the role can write; its grants include {grant[:80]}"
            return None
    if dialect == "duckdb":
        path = engine.url.database
        if path and path != ":memory:" and os.access(path, os.W_OK):
            return (
                "this user can write the DuckDB file (the app still opens it read-only); "
                "make it read-only for the account that runs the dashboard"
            )
    return None
