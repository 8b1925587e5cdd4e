"""The app database engine for the Streamlit layer: one per server process, migrated once."""

from __future__ import annotations

import streamlit as st

from appdb.store import AppDb, open_app_db


@st.cache_resource(show_spinner=False)
def app_db() -> AppDb:
    """Return the app database engine, created and migrated on first use in this process."""
    return open_app_db()
