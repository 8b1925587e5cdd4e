"""Audit trail: who viewed or downloaded what, with which effective filters (admins only)."""

from __future__ import annotations

import streamlit as st

from appdb import audit as audit_log
from ui import audit, auth
from ui.shell import require_app_navigation

EVENT_NAMES = {"": "Every event", "view": "Page views", "csv": "CSV downloads", "report": "Reports"}


def audit_page() -> None:
    """Draw the newest audit rows, filterable by user and event, for admins only."""
    if not auth.current_access().is_admin:
        # app.py lists this page only for admins; a direct address must not bypass that.
        st.error("The audit trail is for the dashboard's administrators.", icon=":material/block:")
        return
    st.title("Audit trail")
    st.caption(
        "Every page view, CSV download and report download, newest first, with the filters "
        "the user was actually shown (their link narrowed to their access). Times are UTC."
    )
    user_column, event_column = st.columns(2)
    user = user_column.text_input("User (exact email)", key="audit-user").strip()
    event = event_column.selectbox(
        "Event", list(EVENT_NAMES), format_func=EVENT_NAMES.get, key="audit-event"
    )
    rows = audit_log.recent(audit.app_db(), user=user or None, event=event or None)
    if rows.empty:
        st.info("No audit rows match.")
        return
    st.dataframe(
        rows.rename(
            columns={
                "occurred_at": "Time (UTC)",
                "user_id": "User",
                "page": "Page",
                "event": "Event",
                "detail": "File",
                "filters": "Effective filters",
            }
        ),
        hide_index=True,
    )
    st.caption(f"The newest {len(rows):,} rows are shown.")


require_app_navigation()
audit_page()
