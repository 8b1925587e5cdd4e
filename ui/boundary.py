"""Error boundaries: a failure in one part of a page shows a short message there, never a
traceback, and the other parts still render.

Known warehouse problems (busy, wrong schema, unreadable data, unreachable) get their plain
message and, where waiting can help, a Retry button. Anything else gets a reference id; the
traceback goes to the server log under that id, with passwords masked.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

import streamlit as st
from streamlit.errors import StreamlitDuplicateElementKey

from data_access.config import ConfigurationError
from data_access.errors import WarehouseProblem

P = ParamSpec("P")
R = TypeVar("R")
logger = logging.getLogger("modqa.pages")

# user:password@ in URLs, and password=… in DSNs, connect_args reprs and settings.
_SECRETS = (
    (re.compile(r"(://[^:/@\s]*:)[^@\s]*@"), r"\1***@"),
    (re.compile(r"(password['\"]?\s*[=:]\s*['\"]?)[^'\"\s,;)}&]+", re.IGNORECASE), r"\1***"),
)


def scrubbed(text: str) -> str:
    """Return text with every password-looking value masked, safe for a log."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def _retry_button(what: str) -> None:
    # A click reruns the script; failed queries are never cached, so the rerun asks again.
    # Another failed section of the same name may already offer one.
    with contextlib.suppress(StreamlitDuplicateElementKey):
        st.button("Retry", key=f"retry-{what}", icon=":material/refresh:")


def show_failure(error: Exception, what: str) -> str | None:
    """Show the message for a failure drawing ``what``; return the reference id, if one."""
    if isinstance(error, WarehouseProblem):
        st.error(f"{error} ({what} could not be drawn.)", icon=":material/database:")
        if error.retry:
            _retry_button(what)
        return None
    if isinstance(error, ConfigurationError):
        st.error(f"The dashboard's configuration needs attention: {error}")
        return None
    reference = log_reference(error, what)
    st.error(
        f"Something went wrong drawing {what}; the rest of the page is shown. "
        f"Reference {reference}: the details are in the server log under it.",
        icon=":material/error:",
    )
    return reference


def log_reference(error: BaseException, what: str) -> str:
    """Log the error's traceback, passwords masked, under a new reference id; return the id."""
    reference = uuid.uuid4().hex[:8]
    details = "".join(traceback.format_exception(error))
    logger.error("Reference %s: %s failed\n%s", reference, what, scrubbed(details))
    return reference


@contextmanager
def section(what: str) -> Iterator[None]:
    """Run a part of a page; an exception inside shows a message in its place instead.

    Streamlit's own rerun and stop signals are BaseExceptions, not Exceptions, so they pass.
    """
    try:
        yield
    except Exception as error:  # noqa: BLE001 - the boundary's whole job
        show_failure(error, what)


def guard(what: str) -> Callable[[Callable[P, R]], Callable[P, R | None]]:
    """Return a decorator running a page section inside ``section(what)``; None on failure."""

    def decorate(function: Callable[P, R]) -> Callable[P, R | None]:
        @functools.wraps(function)
        def run(*args: P.args, **kwargs: P.kwargs) -> R | None:
            with section(what):
                return function(*args, **kwargs)
            return None

        return run

    return decorate
