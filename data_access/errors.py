"""The exceptions a query can raise when the warehouse, not the caller, is at fault, and the
plain-language problem each one is.

``classify`` sorts a driver's error into what the person looking at the page can do about
it: wait and retry (busy), fix the tables (schema or data), or check the connection.
"""

from __future__ import annotations

import sqlalchemy as sa

# Connection refused, timeouts, statements cancelled by statement_timeout, lost servers,
# and a pool with every connection checked out (sqlalchemy.exc.TimeoutError).
QUERY_FAILURES: tuple[type[BaseException], ...] = (
    sa.exc.OperationalError,
    sa.exc.DBAPIError,
    sa.exc.TimeoutError,
    TimeoutError,
)

BUSY_MESSAGE = (
    "The warehouse is busy: the query ran past its time limit or every connection was in "
    "use. Your filters are kept; retry in a moment."
)
SCHEMA_MESSAGE = (
    "The warehouse does not match the contract; run `python -m data_access.validate` to see "
    "which table or column is wrong."
)
DATA_MESSAGE = (
    "The warehouse holds a value the contract does not allow (a timestamp or number that "
    "cannot be read); run `python -m data_access.validate` to find it."
)

# Driver error codes: PostgreSQL SQLSTATE 57014 (query_canceled, statement_timeout);
# MariaDB 1969 (max_statement_time exceeded) and MySQL 3024.
_CANCELLED_SQLSTATES = {"57014"}
_MYSQL_TIMEOUTS = {1969, 3024}
# MariaDB: 1054 unknown column, 1146 no such table.
_MYSQL_SCHEMA = {1054, 1146}
# PostgreSQL: 42P01 undefined table, 42703 undefined column, 42883 undefined function.
_PG_SCHEMA = {"42P01", "42703", "42883"}


class WarehouseProblem(RuntimeError):
    """A warehouse failure with a message safe to show; ``retry`` says whether retrying helps."""

    retry = True


class WarehouseBusy(WarehouseProblem):
    """The query ran past its time limit, or the connection pool was exhausted."""


class SchemaMismatch(WarehouseProblem):
    """A contract table or column is missing or of the wrong kind."""

    retry = False


class DataProblem(WarehouseProblem):
    """The warehouse holds values that cannot be read as the contract says."""

    retry = False


def _driver_error(error: BaseException) -> BaseException:
    return getattr(error, "orig", None) or error


def classify(error: BaseException) -> type[WarehouseProblem] | None:
    """Return the kind of problem a query error is, or None for an unreachable warehouse."""
    if isinstance(error, sa.exc.TimeoutError | TimeoutError):
        return WarehouseBusy
    driver = _driver_error(error)
    name = type(driver).__name__
    sqlstate = getattr(driver, "sqlstate", None)
    code = driver.args[0] if getattr(driver, "args", None) else None
    if name in ("InterruptException", "QueryCanceled") or sqlstate in _CANCELLED_SQLSTATES:
        return WarehouseBusy
    if isinstance(code, int) and code in _MYSQL_TIMEOUTS:
        return WarehouseBusy
    if isinstance(code, int) and code in _MYSQL_SCHEMA or sqlstate in _PG_SCHEMA:
        return SchemaMismatch
    if name in ("CatalogException", "BinderException"):
        return SchemaMismatch
    if isinstance(error, sa.exc.DataError) or name in ("ConversionException", "DataError"):
        return DataProblem
    if isinstance(error, sa.exc.ProgrammingError):
        return SchemaMismatch
    return None


def problem_for(error: BaseException) -> WarehouseProblem | None:
    """Return the showable problem for a query error, or None when it is not one of ours."""
    kind = classify(error)
    if kind is None:
        return None
    message = {WarehouseBusy: BUSY_MESSAGE, SchemaMismatch: SCHEMA_MESSAGE}.get(kind, DATA_MESSAGE)
    return kind(message)
