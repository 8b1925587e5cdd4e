"""Moderation Quality Dashboard: ``streamlit run app.py`` serves ``dashboard.py``.

The server loads the pages' libraries while it starts (``ui.startup``), so the first visitor
of a fresh server does not wait for them.
"""

import streamlit as st

from ui.startup import preloaded

app = st.App("dashboard.py", lifespan=preloaded)
