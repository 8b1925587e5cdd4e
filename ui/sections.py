"""A page's lower sections as tabs: the open one is in the link, and only it is built.

Below a page's first screen, each section is a query, a computation and a Plotly figure the
browser draws on its main thread. As tabs, only the open section is asked for and drawn (a
tab click reruns from the cache); its name is a page choice, so a shared link opens the
same tab.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ui import filters
from ui.links import Choice


def choice(key: str, titles: Mapping[str, str]) -> Choice:
    """Return the link choice of a page's sections: codes to tab titles, the first the default."""
    return Choice(
        key=key, allowed=tuple(titles), default=next(iter(titles)), noun="section", names=titles
    )


def open_section(sections: Choice, chosen: str) -> tuple[str, DeltaGenerator]:
    """Draw the sections' tabs with ``chosen`` open; return its code and its container.

    The other tabs stay empty until opened. The widget is keyed by the open section, so a
    link or a back button that changes the choice opens its tab.
    """
    chosen = chosen if sections.accepts(chosen) else sections.default
    widget_key = f"section_{sections.key}_{chosen}"
    tabs = st.tabs(
        [sections.names[code] for code in sections.allowed],
        default=sections.names[chosen],
        key=widget_key,
        on_change=_remember_opened,
        args=(sections, widget_key),
    )
    for code, tab in zip(sections.allowed, tabs, strict=True):
        if tab.open:
            return code, tab
    return chosen, tabs[sections.allowed.index(chosen)]


def _remember_opened(sections: Choice, widget_key: str) -> None:
    titles = {title: code for code, title in sections.names.items()}
    opened = titles.get(st.session_state.get(widget_key))
    if opened is not None:
        filters.set_choice(sections.key, opened)
