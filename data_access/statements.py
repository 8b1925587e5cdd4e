"""Count the SQL statements a piece of code sends, and which of them scan a fact table.

Used by the benchmark and the tests to check "one scan per source and filter set": a
SQLAlchemy ``before_cursor_execute`` listener on every engine records each statement
with its bound parameters while the context is open.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa

# The fact tables a statement may scan, most specific first: a statement joining
# inspections to decisions is a scan of inspections (its source).
FACT_TABLES = ("qa_inspections", "penalties", "appeals", "decisions")
ROLLUP_PREFIX = "modqa_rollup_"
# The last count a rollup query sums, and the fact source it stands for.
ROLLUP_SOURCES = {
    "automated": "decisions",
    "weight_sq": "qa_inspections",
    "pending": "appeals",
    "points": "penalties",
    "reversed": "penalties",
}
# Rollups read without a SUM: DuckDB lists the resolution-time histogram's values.
UNSUMMED_SOURCES = {f"{ROLLUP_PREFIX}resolution_times": "appeals"}


@dataclass
class Statement:
    """One statement sent to a warehouse: its SQL, bound parameters and seconds taken."""

    sql: str
    parameters: object
    seconds: float = 0.0

    @property
    def source(self) -> str | None:
        """Return the fact table or rollup this statement reads, or None (dimension tables)."""
        rollup = re.search(rf"\b({ROLLUP_PREFIX}\w+)", self.sql)
        if rollup:
            # One rollup answers several sources' queries: name the source by its last count.
            sums = re.findall(rf"sum\({rollup.group(1)}\.(\w+)\)", self.sql, re.IGNORECASE)
            count = sums[-1] if sums else ""
            source = ROLLUP_SOURCES.get(count, count) or UNSUMMED_SOURCES.get(rollup.group(1), "")
            return f"{rollup.group(1)} ({source})"
        read = [
            table
            for table in FACT_TABLES
            if re.search(rf"\b(FROM|JOIN)\s+(\w+\.)?{table}\b", self.sql, re.IGNORECASE)
        ]
        if not read:
            return None
        if "UNION ALL" in self.sql.upper() and len(read) == len(FACT_TABLES):
            # The freshness line: one pass over every fact table's timestamp column.
            return "all fact tables"
        return read[0]

    @property
    def date_range(self) -> tuple:
        """Return the statement's date and time parameters: the filter set's range."""
        values = self.parameters.values() if isinstance(self.parameters, dict) else ()
        if isinstance(self.parameters, list | tuple):
            values = self.parameters
        return tuple(v for v in values if isinstance(v, dt.date | dt.datetime))


@dataclass
class StatementLog:
    """The statements recorded while a ``recorded`` context was open."""

    statements: list[Statement] = field(default_factory=list)

    def scans(self) -> Counter:
        """Return how many statements read each (source, date range), fact tables only."""
        return Counter(
            (statement.source, statement.date_range)
            for statement in self.statements
            if statement.source is not None
        )

    @property
    def seconds(self) -> float:
        """Return the summed time of the recorded statements."""
        return sum(statement.seconds for statement in self.statements)


@contextmanager
def recorded() -> Iterator[StatementLog]:
    """Record every statement any engine in this process sends until the context closes."""
    log = StatementLog()
    started: dict[int, float] = {}

    def before(connection, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        started[id(cursor)] = time.perf_counter()
        log.statements.append(Statement(statement, parameters))

    def after(connection, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        begun = started.pop(id(cursor), None)
        if begun is not None and log.statements:
            log.statements[-1].seconds = time.perf_counter() - begun

    sa.event.listen(sa.Engine, "before_cursor_execute", before)
    sa.event.listen(sa.Engine, "after_cursor_execute", after)
    try:
        yield log
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", before)
        sa.event.remove(sa.Engine, "after_cursor_execute", after)
