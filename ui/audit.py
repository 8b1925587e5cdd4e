"""Writes the audit trail from the pages: each view once, each CSV and report download.

The user is the signed-in identity (or "anonymous" with open access); the filters are the
effective ones, narrowed to the viewer's scope, so the trail shows what was actually seen.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import streamlit as st

from appdb import audit
from appdb.store import AppDbError
from data_access.filters import Filters
from ui import auth, warehouse
from ui.app_db import app_db

STATE_LAST_VIEW = "audit_last_view"


def _page() -> str:
    return st.session_state.get("page_url_path") or "overview"


def _write(event: str, filters: Filters | None, detail: str = "", page: str | None = None) -> None:
    try:
        audit.record(
            app_db(),
            user=auth.current_access().user,
            page=page or _page(),
            event=event,
            filters=filters,
            detail=detail,
        )
    except AppDbError as error:
        st.warning(
            f"The audit trail could not be written ({type(error).__name__}); tell the "
            "dashboard's administrator.",
            icon=":material/report:",
        )


def effective(filters: Filters) -> Filters:
    """Return the filters narrowed to the session's scope, as the queries apply them."""
    (narrowed,), _ = warehouse.scoped(filters)
    return narrowed


def page_view(filters: Filters) -> None:
    """Record a view of this page with these filters, once until page or filters change."""
    narrowed = effective(filters)
    key = (auth.current_access().user, _page(), narrowed)
    if st.session_state.get(STATE_LAST_VIEW) == key:
        return
    st.session_state[STATE_LAST_VIEW] = key
    _write("view", narrowed)


def download_recorder(file_name: str) -> Callable[[], None]:
    """Return an ``on_click`` callback recording a CSV download of ``file_name`` with the
    filters of the view on screen (kept by ``ui.filters``)."""
    view = st.session_state.get("view")
    filters = getattr(view, "filters", None)
    narrowed = effective(filters) if filters is not None else None
    return functools.partial(_write, "csv", narrowed, file_name)


def recorded_report(
    filters: Filters, file_name: str, build: Callable[[], str]
) -> Callable[[], str]:
    """Return a deferred download callable that records the report download, then builds it.

    Streamlit runs deferred download callables outside the script, so the user, page and
    engine are captured now, while the session is known.
    """
    user, page, engine = auth.current_access().user, _page(), app_db()
    narrowed = effective(filters)

    def build_and_record() -> str:
        audit.record(
            engine, user=user, page=page, event="report", filters=narrowed, detail=file_name
        )
        return build()

    return build_and_record
