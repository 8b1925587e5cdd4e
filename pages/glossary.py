"""Glossary: every statistical term the pages use, in plain words."""

from __future__ import annotations

import streamlit as st

from ui.glossary import TERMS, anchor
from ui.shell import require_app_navigation


def glossary() -> None:
    """Draw the Glossary page: one short entry per term, each with its own anchor."""
    st.title("Glossary")
    st.caption("What the dashboard's statistical words mean. Each help text links here.")
    for term in TERMS:
        st.subheader(term.name, anchor=anchor(term.key))
        st.markdown(f"{term.short} {term.more}")


require_app_navigation()
glossary()
