"""SQL expressions whose spelling differs by dialect, compiled per warehouse.

Period buckets must agree on DuckDB, PostgreSQL and MariaDB: days are UTC dates, weeks
start on Monday (ISO), months on the first. The grain is validated against ``GRAINS``
and rendered as a literal, never taken from user text, because PostgreSQL only matches
a ``GROUP BY`` expression to its ``SELECT`` twin when no bound parameter differs.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal

from data_access.filters import GRAINS


class period_start(FunctionElement):  # noqa: N801 - reads like the SQL function it is
    """The first day of the day, ISO week or month containing a timestamp, as a DATE."""

    type = sa.Date()
    inherit_cache = True
    name = "period_start"
    # The grain changes the SQL text, so it must be part of the statement cache key.
    _traverse_internals = FunctionElement._traverse_internals + [
        ("grain", InternalTraversal.dp_string)
    ]

    def __init__(self, timestamp, grain: str):
        if grain not in GRAINS:
            raise ValueError(f"unknown grain {grain!r}")
        self.grain = grain
        super().__init__(timestamp)


class seconds_between(FunctionElement):  # noqa: N801
    """The number of seconds from the first timestamp to the second, as a number."""

    type = sa.Float()
    inherit_cache = True
    name = "seconds_between"


def _arguments(element, compiler, **kw) -> list[str]:
    return [compiler.process(argument, **kw) for argument in element.clauses]


@compiles(period_start)
def _period_start_truncating(element, compiler, **kw) -> str:
    # PostgreSQL's and DuckDB's date_trunc('week', ...) both start weeks on Monday.
    (timestamp,) = _arguments(element, compiler, **kw)
    return f"CAST(date_trunc('{element.grain}', {timestamp}) AS DATE)"


@compiles(period_start, "mysql")
@compiles(period_start, "mariadb")
def _period_start_mysql(element, compiler, **kw) -> str:
    (timestamp,) = _arguments(element, compiler, **kw)
    if element.grain == "day":
        return f"DATE({timestamp})"
    if element.grain == "week":
        # WEEKDAY() is 0 on Monday, so this lands on the ISO week's first day.
        return f"DATE_SUB(DATE({timestamp}), INTERVAL WEEKDAY({timestamp}) DAY)"
    return f"DATE_SUB(DATE({timestamp}), INTERVAL (DAYOFMONTH({timestamp}) - 1) DAY)"


@compiles(seconds_between)
def _seconds_between_postgresql(element, compiler, **kw) -> str:
    start, end = _arguments(element, compiler, **kw)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


@compiles(seconds_between, "duckdb")
def _seconds_between_duckdb(element, compiler, **kw) -> str:
    start, end = _arguments(element, compiler, **kw)
    return f"(epoch({end}) - epoch({start}))"


@compiles(seconds_between, "mysql")
@compiles(seconds_between, "mariadb")
def _seconds_between_mysql(element, compiler, **kw) -> str:
    start, end = _arguments(element, compiler, **kw)
    return f"TIMESTAMPDIFF(SECOND, {start}, {end})"
