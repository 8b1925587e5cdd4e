"""Frames derived from cached counts, kept per input so a warm rerun does not recompute them.

A page's counts come from the cache, but what it computes from them (funnel limits, ranked
tables, intervals) was redone on every rerun from the same frames. ``kept`` computes a pure
function once per argument values (frames by content, ``ui.cache_keys``) and returns each
run its own copy (``st.cache_data``), so callers may change what they get.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from ui import cache_keys, warehouse
from ui.figures import name_of

R = TypeVar("R")


def kept(compute: Callable[..., R], *args: object) -> R:
    """Return ``compute(*args)``, computed once per argument values; ``compute`` must be pure."""
    return _kept(name_of(compute), args, compute)


@st.cache_data(
    ttl=warehouse.CACHE_TTL, show_spinner=False, max_entries=256, hash_funcs=cache_keys.BY_CONTENT
)
def _kept(name: str, args: tuple, _compute: Callable[..., R]) -> R:
    # Keyed by the function's name and file; the function itself is not hashed.
    return _compute(*args)
