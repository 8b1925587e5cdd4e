"""The dashboard script: navigation and page configuration, nothing else (served by app.py)."""

import streamlit as st

from ui.auth import gate
from ui.shell import run_page

st.set_page_config(
    page_title="Moderation quality",
    page_icon=":material/verified:",
    layout="wide",
    initial_sidebar_state="expanded",
)

access = gate()  # the login or no-access page stops here
admin_pages = (
    [st.Page("pages/audit.py", title="Audit trail", icon=":material/policy:")]
    if access.is_admin
    else []
)
run_page(
    st.navigation(
        [
            st.Page(
                "pages/overview.py", title="Overview", icon=":material/monitoring:", default=True
            ),
            st.Page("pages/labels.py", title="Labels", icon=":material/label:"),
            st.Page("pages/appeals.py", title="Appeals", icon=":material/gavel:"),
            st.Page("pages/penalties.py", title="Penalties", icon=":material/block:"),
            st.Page("pages/vendors.py", title="Vendors & moderators", icon=":material/groups:"),
            st.Page("pages/weekly_review.py", title="Weekly review", icon=":material/event_note:"),
            st.Page("pages/actions.py", title="Actions", icon=":material/flag:"),
            st.Page("pages/coverage.py", title="QA coverage", icon=":material/fact_check:"),
            st.Page("pages/glossary.py", title="Glossary", icon=":material/menu_book:"),
            *admin_pages,
        ]
    )
)
