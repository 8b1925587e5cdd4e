"""The exceptions a query can raise when the warehouse, not the caller, is at fault."""

from __future__ import annotations

import sqlalchemy as sa

# Connection refused, timeouts, statements cancelled by statement_timeout, lost servers.
QUERY_FAILURES: tuple[type[BaseException], ...] = (
    sa.exc.OperationalError,
    sa.exc.DBAPIError,
    TimeoutError,
)
