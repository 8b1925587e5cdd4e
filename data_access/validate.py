"""Check a warehouse against the table contract and say, in plain words, what is wrong.

    python -m data_access.validate [--url URL] [--schema SCHEMA]

Exit status: 0 when every table and column is there with the right kind, 1 when something
is missing or of the wrong kind (each problem on its own line), 2 when the warehouse
cannot be reached.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

import sqlalchemy as sa

from data_access.config import load_settings, redacted
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


def contract_problems(engine: sa.Engine, schema: str | None = None) -> list[str]:
    """Return one plain sentence per missing table, missing column or column of the wrong kind."""
    found = warehouse_columns(engine, schema)
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


def main(argv: list[str] | None = None) -> int:
    """Validate a warehouse from the command line; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m data_access.validate",
        description="Check a warehouse against the dashboard's table contract.",
    )
    parser.add_argument("--url", help="SQLAlchemy URL (default: the configured warehouse)")
    parser.add_argument("--schema", help="schema holding the tables (default: the configured one)")
    arguments = parser.parse_args(argv)
    settings = load_settings()
    url = arguments.url or settings.warehouse_url
    schema = arguments.schema or settings.schema
    engine = None
    try:
        engine = read_only_engine(replace(settings, warehouse_url=url, schema=schema))
        problems = contract_problems(engine, schema)
    except (sa.exc.SQLAlchemyError, ImportError) as error:
        reason = getattr(error, "orig", None) or error
        print(f"Could not read the warehouse at {redacted(url)}: {reason}", file=sys.stderr)
        return 2
    finally:
        if engine is not None:
            engine.dispose()
    if problems:
        print(f"The warehouse at {redacted(url)} does not meet the contract:")
        for problem in problems:
            print(f"  - {problem}")
        print(f"{len(problems)} problem(s) found.")
        return 1
    print(f"The warehouse at {redacted(url)} meets the contract: all 7 tables and their columns.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
