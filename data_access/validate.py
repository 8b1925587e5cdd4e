"""Check a warehouse against the table contract and say, in plain words, what is wrong.

    python -m data_access.validate [--url URL] [--schema SCHEMA]

Then it checks the data: NULL keys, unreadable and future timestamps, duplicate ids,
unknown codes and empty tables, each with a count and examples, and warns when the role it
connects as could write.

Exit status: 0 when the tables meet the contract and the data has no problem; 1 when a
table or column is missing or of the wrong kind (each problem on its own line); 2 when the
arguments or the URL are malformed or the warehouse cannot be reached; 3 when the schema is
right but the data has problems.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

import sqlalchemy as sa

from data_access.config import ConfigurationError, load_settings, redacted
from data_access.data_checks import data_problems, write_access
from data_access.dialect import clickhouse_catalogue
from data_access.engine import dialect_name, read_only_engine
from data_access.schema import CONTRACT_TABLES

# Kinds judged from information_schema's data_type text, which every supported dialect but
# ClickHouse 18.16 has (it has system.columns instead; duckdb-engine's SQLAlchemy
# reflection does not work on DuckDB 2.0).
KIND_WORDS_IN_TYPE: dict[str, tuple[str, ...]] = {
    "text": ("char", "text", "string", "enum"),
    "identifier": ("char", "text", "string", "int"),
    "timestamp": ("timestamp", "datetime"),
    # MariaDB stores booleans as TINYINT(1), ClickHouse 18.16 as UInt8.
    "boolean": ("bool", "tinyint", "uint8"),
    "integer": ("int",),
    "number": ("int", "double", "float", "real", "numeric", "decimal"),
}

KIND_DESCRIPTIONS = {
    "text": "text",
    "identifier": "identifiers (text or whole numbers)",
    "timestamp": "timestamps",
    "boolean": "true/false values",
    "integer": "whole numbers",
    "number": "numbers",
}

_information_columns = sa.Table(
    "columns",
    sa.MetaData(),
    sa.Column("table_schema", sa.String),
    sa.Column("table_name", sa.String),
    sa.Column("column_name", sa.String),
    sa.Column("data_type", sa.String),
    schema="information_schema",
)


def warehouse_columns(engine: sa.Engine, schema: str | None = None) -> dict[str, dict[str, str]]:
    """Return {table name: {column name: data type}} for the tables and views of a schema."""
    if dialect_name(engine) == "clickhouse":
        statement = clickhouse_catalogue(schema)
    else:
        statement = _information_schema_columns(engine, schema)
    found: dict[str, dict[str, str]] = {}
    with engine.connect() as connection:
        for table_name, column_name, data_type in connection.execute(statement):
            found.setdefault(table_name.lower(), {})[column_name.lower()] = str(data_type)
    return found


def _information_schema_columns(engine: sa.Engine, schema: str | None) -> sa.Select:
    """Return the (table, column, data type) rows of a schema from information_schema."""
    columns = _information_columns.c
    if schema is not None:
        in_schema = columns.table_schema == schema
    elif dialect_name(engine) == "mysql":
        in_schema = columns.table_schema == sa.func.database()
    else:
        in_schema = columns.table_schema == sa.func.current_schema()
    return sa.select(columns.table_name, columns.column_name, columns.data_type).where(in_schema)


def contract_problems(
    engine: sa.Engine, schema: str | None = None, found: dict[str, dict[str, str]] | None = None
) -> list[str]:
    """Return one plain sentence per missing table, missing column or column of the wrong kind."""
    found = warehouse_columns(engine, schema) if found is None else found
    problems = []
    for table in CONTRACT_TABLES:
        present = found.get(table.name)
        if present is None:
            needed = ", ".join(table.columns.keys())
            problems.append(f"Table '{table.name}' is missing (it needs the columns {needed}).")
            continue
        for column in table.columns:
            kind = column.info["kind"]
            data_type = present.get(column.name)
            if data_type is None:
                problems.append(
                    f"Table '{table.name}' has no column '{column.name}' "
                    f"(it should hold {KIND_DESCRIPTIONS[kind]})."
                )
            elif not any(word in data_type.lower() for word in KIND_WORDS_IN_TYPE[kind]):
                problems.append(
                    f"Column '{table.name}.{column.name}' should hold {KIND_DESCRIPTIONS[kind]}, "
                    f"but its type is {data_type}."
                )
    return problems


def _parse_url(url: str) -> sa.URL | None:
    try:
        parsed = sa.make_url(url)
        _ = parsed.port  # a port that is not a number raises ValueError here
    except (sa.exc.ArgumentError, ValueError):
        return None
    return parsed


def main(argv: list[str] | None = None) -> int:
    """Validate a warehouse from the command line; return the exit status."""
    # argparse itself exits with status 2 and a usage line on bad arguments.
    parser = argparse.ArgumentParser(
        prog="python -m data_access.validate",
        description="Check a warehouse against the dashboard's table contract and its data.",
    )
    parser.add_argument("--url", help="SQLAlchemy URL (default: the configured warehouse)")
    parser.add_argument("--schema", help="schema holding the tables (default: the configured one)")
    arguments = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ConfigurationError as error:
        print(f"The settings are not usable: {error}", file=sys.stderr)
        return 2
    url = arguments.url or settings.warehouse_url
    schema = arguments.schema or settings.schema
    if _parse_url(url) is None:
        print(
            f"{redacted(url)} is not a database URL like postgresql+psycopg://user@host/db "
            "(is the port a number?).",
            file=sys.stderr,
        )
        return 2
    engine = None
    try:
        engine = read_only_engine(replace(settings, warehouse_url=url, schema=schema))
        found = warehouse_columns(engine, schema)
        problems = contract_problems(engine, schema, found)
        findings = data_problems(engine, found)
        writes = write_access(engine)
    except (sa.exc.SQLAlchemyError, ImportError, ValueError) as error:
        reason = getattr(error, "orig", None) or error
        print(f"Could not read the warehouse at {redacted(url)}: {reason}", file=sys.stderr)
        return 2
    finally:
        if engine is not None:
            engine.dispose()
    if writes:
        print(f"Warning: {writes}. Give the dashboard a SELECT-only role; see the README.")
    if problems:
        print(f"The warehouse at {redacted(url)} does not meet the contract:")
        for problem in problems:
            print(f"  - {problem}")
        print(f"{len(problems)} problem(s) found.")
    else:
        print(
            f"The warehouse at {redacted(url)} meets the contract: all 7 tables and their columns."
        )
    if findings:
        print("The data has problems; the dashboard leaves such rows out or shows a message:")
        for finding in findings:
            print(f"  - {finding.describe()}")
        print(f"{len(findings)} data problem(s) found.")
    if problems:
        return 1
    return 3 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
