"""Values computed at most once per script run, forgotten when the next run starts.

Some answers are asked for many times in one run (the filter options: by the sidebar, the
link checks and every name lookup) and are cheap to keep but not to re-derive: each
``st.cache_data`` hit unpickles a copy and hashes its arguments. ``ui.shell.run_page`` starts
each run with an empty memo; outside a page run (a unit test calling a helper) nothing is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

R = TypeVar("R")
MEMO_KEY = "per_run_values"


def start_run() -> None:
    """Forget every value kept by the previous run."""
    st.session_state[MEMO_KEY] = {}


def once(name: str, compute: Callable[[], R]) -> R:
    """Return ``compute()``, computed at most once in this run under ``name``."""
    memo = st.session_state.get(MEMO_KEY)
    if memo is None:
        return compute()
    if name not in memo:
        memo[name] = compute()
    return memo[name]
