"""SQL expressions whose spelling differs by dialect, compiled per warehouse.

Period buckets must agree on DuckDB, PostgreSQL and MariaDB: days are UTC dates, weeks
start on Monday (ISO), months on the first. The grain is validated against ``GRAINS``
and rendered as a literal, never taken from user text, because PostgreSQL only matches
a ``GROUP BY`` expression to its ``SELECT`` twin when no bound parameter differs.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import operators
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


@compiles(period_start, "clickhouse")
def _period_start_clickhouse(element, compiler, **kw) -> str:
    # ClickHouse 18.16 has no date_trunc; toMonday is the ISO week's Monday.
    (timestamp,) = _arguments(element, compiler, **kw)
    function = {"day": "toDate", "week": "toMonday", "month": "toStartOfMonth"}[element.grain]
    return f"{function}({timestamp})"


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


@compiles(seconds_between, "clickhouse")
def _seconds_between_clickhouse(element, compiler, **kw) -> str:
    start, end = _arguments(element, compiler, **kw)
    return f"(toUnixTimestamp({end}) - toUnixTimestamp({start}))"


def order_statistics(
    dialect: str,
    groups: Sequence[sa.Label],
    value: sa.ColumnElement,
    *,
    source: sa.FromClause,
    conditions: Sequence[sa.ColumnElement[bool]],
    quantiles: Mapping[str, float],
) -> sa.Select:
    """Return a statement giving, per group, ``resolved`` (the number of values) and, per
    quantile ``name``, ``name_low`` and ``name_high``: the order statistics at positions
    floor and ceil of ``(resolved - 1) * quantile`` (counting from 0), which type-7
    interpolation needs.

    Most dialects number the sorted values with window functions (MariaDB has no
    ordered-set aggregate). ClickHouse 18.16 has no window functions; it sorts each group's
    values into an array and indexes it, which is exact too (its ``quantile`` functions
    sample or pick one element, so they would not give the same numbers).
    """
    keys = [group.name for group in groups]
    if dialect == "clickhouse":
        ordered = sa.func.arraySort(sa.func.groupArray(value))
        count = sa.func.count()
        picked = []
        for name, quantile in quantiles.items():
            rank = (count - 1) * quantile
            for side, bound in (("low", sa.func.floor(rank)), ("high", sa.func.ceil(rank))):
                position = sa.func.toUInt64(bound) + 1
                # NULL over no values, as the other dialects' MAX(CASE ...) gives.
                element = sa.case((count > 0, sa.func.arrayElement(ordered, position)))
                picked.append(element.label(f"{name}_{side}"))
        return (
            sa.select(*groups, count.label("resolved"), *picked)
            .select_from(source)
            .where(*conditions)
            .group_by(*groups)
        )
    window = {"partition_by": list(groups) or None}
    ranked = (
        sa.select(
            *groups,
            value.label("value"),
            sa.func.row_number().over(order_by=value, **window).label("position"),
            sa.func.count().over(**window).label("resolved"),
        )
        .select_from(source)
        .where(*conditions)
        .subquery("ranked")
    )
    outer_groups = [ranked.c[key] for key in keys]
    picked = []
    for name, quantile in quantiles.items():
        rank = (ranked.c.resolved - 1) * quantile
        for side, bound in (("low", sa.func.floor(rank)), ("high", sa.func.ceil(rank))):
            chosen = sa.case((ranked.c.position == bound + 1, ranked.c.value))
            picked.append(sa.func.max(chosen).label(f"{name}_{side}"))
    return sa.select(
        *outer_groups, sa.func.max(ranked.c.resolved).label("resolved"), *picked
    ).group_by(*outer_groups)


def weighted_order_statistics(
    dialect: str,
    groups: Sequence[sa.Label],
    value: sa.ColumnElement,
    weight: sa.ColumnElement,
    *,
    source: sa.FromClause,
    conditions: Sequence[sa.ColumnElement[bool]],
    quantiles: Mapping[str, float],
) -> sa.Select:
    """Return what ``order_statistics`` returns, from rows that each hold a value and how
    many times it occurs (a histogram whose buckets are the values themselves).

    PostgreSQL and MariaDB number the rows with window functions: sorted by value, the
    value at 0-based position p is the first whose running count exceeds p (ties share a
    value, so they need no merging). DuckDB's window sort took 1.1 s over a quarter of the
    100M demo's histogram; there each value is repeated as often as it occurs (``unnest``)
    and each group's values are sorted into a list that is indexed, in 0.17 s.
    """
    if dialect == "duckdb":
        return _listed_order_statistics(
            groups, value, weight, source=source, conditions=conditions, quantiles=quantiles
        )
    keys = [group.name for group in groups]
    window = {"partition_by": list(groups) or None}
    running = (
        sa.select(
            *groups,
            value.label("value"),
            sa.func.sum(weight).over(order_by=value, rows=(None, 0), **window).label("running"),
            sa.func.sum(weight).over(**window).label("resolved"),
        )
        .select_from(source)
        .where(*conditions)
        .subquery("running")
    )
    outer_groups = [running.c[key] for key in keys]
    picked = []
    for name, quantile in quantiles.items():
        rank = (running.c.resolved - 1) * quantile
        for side, bound in (("low", sa.func.floor(rank)), ("high", sa.func.ceil(rank))):
            chosen = sa.case((running.c.running > bound, running.c.value))
            picked.append(sa.func.min(chosen).label(f"{name}_{side}"))
    return sa.select(
        *outer_groups, sa.func.max(running.c.resolved).label("resolved"), *picked
    ).group_by(*outer_groups)


def _listed_order_statistics(
    groups: Sequence[sa.Label],
    value: sa.ColumnElement,
    weight: sa.ColumnElement,
    *,
    source: sa.FromClause,
    conditions: Sequence[sa.ColumnElement[bool]],
    quantiles: Mapping[str, float],
) -> sa.Select:
    """Return ``weighted_order_statistics`` on DuckDB: each group's values, repeated by their
    weights, sorted into a list that is indexed at the quantiles' positions."""
    keys = [group.name for group in groups]
    expanded = (
        sa.select(*groups, value.label("value"), sa.func.unnest(sa.func.range(weight)))
        .select_from(source)
        .where(*conditions)
        .subquery("expanded")
    )
    outer_keys = [expanded.c[key] for key in keys]
    listed = (
        sa.select(
            *outer_keys,
            sa.func.count().label("resolved"),
            sa.func.list_sort(sa.func.list(expanded.c.value)).label("ordered"),
        )
        .group_by(*outer_keys)
        .subquery("listed")
    )
    picked = []
    for name, quantile in quantiles.items():
        rank = (listed.c.resolved - 1) * quantile
        for side, bound in (("low", sa.func.floor(rank)), ("high", sa.func.ceil(rank))):
            position = sa.cast(bound, sa.BigInteger) + 1
            picked.append(sa.func.list_extract(listed.c.ordered, position).label(f"{name}_{side}"))
    return sa.select(*(listed.c[key] for key in keys), listed.c.resolved, *picked)


# ClickHouse 18.16, on Distributed tables, as tried here:
# - a JOIN must be ``USING``; ``ON`` is refused. Every join in ``queries`` is an equality of
#   two same-named columns (``decision_id``), which is exactly what USING says, so the
#   compiler below turns it into USING and refuses anything else by name.
# - the joined (right) side must be a subquery: a bare Distributed table there is looked
#   up in the shard's default database and not found. A bare table is wrapped as
#   ``(SELECT * FROM t) AS t``, so the query's ``t.column`` references still resolve.
# - inside such a subquery the shard swaps the table for its local one, after which a
#   ``t.column`` qualifier no longer names anything; a SELECT reading one table therefore
#   names its columns bare, which is unambiguous there on every dialect.
# - ``ALL`` says every matching row joins (SQL's meaning); a server may default to none.


@compiles(sa.sql.selectable.Join, "clickhouse")
def _join_using_clickhouse(join, compiler, asfrom=False, from_linter=None, **kw) -> str:
    condition = join.onclause
    if not (
        isinstance(condition, sa.sql.elements.BinaryExpression)
        and condition.operator is operators.eq
        and isinstance(condition.left, sa.sql.elements.ColumnClause)
        and isinstance(condition.right, sa.sql.elements.ColumnClause)
        and condition.left.name == condition.right.name
    ):
        raise sa.exc.CompileError(
            "ClickHouse joins Distributed tables only with USING: join on one column of "
            f"the same name on both sides, not on {condition}"
        )
    if join.full:
        raise sa.exc.CompileError("FULL joins are not used with ClickHouse")
    right = join.right
    if isinstance(right, sa.Table):
        right = sa.select(right).subquery(right.name)
    if from_linter is not None:
        # As SQLAlchemy's own visit_join does, so its cartesian-product check sees the join.
        from_linter.edges.update(itertools.product(join.left._from_objects, right._from_objects))
    left = compiler.process(join.left, asfrom=True, from_linter=from_linter, **kw)
    right_sql = compiler.process(right, asfrom=True, from_linter=from_linter, **kw)
    kind = "ALL LEFT OUTER JOIN" if join.isouter else "ALL INNER JOIN"
    return f"{left} {kind} {right_sql} USING ({compiler.preparer.quote(condition.left.name)})"


@compiles(sa.Column, "clickhouse")
def _column_clickhouse(column, compiler, include_table=True, **kw) -> str:
    if include_table and isinstance(column.table, sa.Table) and compiler.stack:
        select = compiler.stack[-1].get("selectable")
        froms = select.get_final_froms() if isinstance(select, sa.Select) else []
        if len(froms) == 1 and froms[0] is column.table:
            include_table = False
    return compiler.visit_column(column, include_table=include_table, **kw)


@compiles(sa.Numeric, "clickhouse")
def _numeric_clickhouse(type_, compiler, **kw) -> str:
    # SQLAlchemy casts a divisor to NUMERIC for true division; ClickHouse's Decimal needs a
    # precision and scale, and a float divides the same small whole numbers exactly.
    return "Float64"


_clickhouse_columns = sa.Table(
    "columns",
    sa.MetaData(),
    sa.Column("database", sa.String),
    sa.Column("table", sa.String),
    sa.Column("name", sa.String),
    sa.Column("type", sa.String),
    schema="system",
)


def clickhouse_catalogue(schema: str | None) -> sa.Select:
    """Return (table, column, type) rows for a ClickHouse database (default: the current).

    ClickHouse 18.16 has no information_schema; system.columns holds the same facts.
    """
    columns = _clickhouse_columns.c
    database = sa.func.currentDatabase() if schema is None else sa.literal(schema)
    return sa.select(columns.table, columns.name, columns.type).where(columns.database == database)


CLUSTER_PARAMETER = "cluster"

# Settings every ClickHouse session needs to give the other dialects' numbers:
# - join_use_nulls: an unmatched LEFT JOIN row has NULLs, as in SQL, not 0 and '';
# - distributed_product_mode=local: a subquery over a Distributed table inside a query on
#   another Distributed table reads the shard's own table. Every join here is on
#   decision_id, the sharding key of every fact table, so the rows that join are always
#   on the same shard and the result is exact without shipping tables between servers.
CLICKHOUSE_SETTINGS = {"join_use_nulls": 1, "distributed_product_mode": "local"}


def split_cluster(url: str | sa.URL) -> tuple[sa.URL, str | None]:
    """Return the URL without its ``cluster`` parameter, and the cluster it named (or None).

    The parameter is ours, not a server setting, so it must not reach the driver, which
    would send it to the server as one.
    """
    parsed = sa.make_url(url)
    cluster = parsed.query.get(CLUSTER_PARAMETER)
    if isinstance(cluster, tuple):
        cluster = cluster[-1]
    return parsed.difference_update_query([CLUSTER_PARAMETER]), cluster or None


# clickhouse-sqlalchemy's own native dialect raises errors SQLAlchemy cannot wrap; this
# registers our subclass under the same URL scheme, loaded only when a URL names it.
sa.dialects.registry.register("clickhouse.native", "data_access.clickhouse", "NativeDialect")


def columnar_frame(result: sa.CursorResult) -> pd.DataFrame | None:
    """Return a statement's whole result as a DataFrame read column by column from the
    driver, or None when the driver returns rows only (then the caller builds the frame).

    DuckDB hands its result to pandas as columns: at 100M decisions a cold weekly review's
    21 count queries (22,000 rows) took 0.27 s this way against 0.43-0.63 s through
    SQLAlchemy's rows. The statement still runs through SQLAlchemy, so its events (timings,
    scan counts) see it.
    """
    if result.dialect.name != "duckdb" or result.cursor is None:
        return None
    return result.cursor.fetch_df()
