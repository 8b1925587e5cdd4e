"""Guards every page script so it runs inside ``dashboard.py``'s navigation, never on its own."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from ui import per_run
from ui.health import health_line


def require_app_navigation() -> None:
    """Rerun through ``dashboard.py`` when Streamlit ran a page script directly.

    Streamlit treats a top-level ``pages/`` folder as a legacy multipage app until the main
    script's ``st.navigation`` first runs in the process. A shared deep link opened on a
    freshly started server would therefore run the page script alone, without the app's
    page config and navigation. Clearing the legacy flag and rerunning sends that first run
    through ``dashboard.py`` like every later one.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


# Tile labels and values wrap instead of being cut with an ellipsis ("Penalty reversal ra…")
# on a 1024 px laptop, where four tiles share about 620 px; values shrink with the window.
# Below 1100 px the main area's wide side margins (5 rem each) give way to tables.
FIT_CSS = """
<style>
[data-testid="stMetricLabel"] *, [data-testid="stMetricValue"] *,
[data-testid="stMetricDelta"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}
[data-testid="stMetricValue"] { font-size: clamp(1.35rem, 2.6vw, 2.25rem); }
@media (max-width: 1100px) {
  [data-testid="stMainBlockContainer"] { padding-left: 2rem; padding-right: 2rem; }
}
</style>
"""


def run_page(page) -> None:  # noqa: ANN001 - a StreamlitPage, whose class is not public API
    """Remember the page's URL path for share links, add the fitting styles, then run it."""
    per_run.start_run()
    st.session_state["page_url_path"] = page.url_path
    st.html(FIT_CSS)
    page.run()
    health_line()


def page_url() -> str:
    """Return the address of the current page (no query string): origin, base path, page."""
    current = urlsplit(st.context.url or "http://localhost:8501/")
    base = st.get_option("server.baseUrlPath").strip("/")
    path = "/".join(part for part in (base, st.session_state.get("page_url_path", "")) if part)
    return urlunsplit((current.scheme, current.netloc, "/" + path, "", ""))
