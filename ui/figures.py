"""Built Plotly figures cached per input, so a warm rerun skips building and validating them.

Building a figure validates every property Plotly is given (the layout template alone is
deep-copied per figure); on a warm render of the Overview that was about a third of the
Python time. ``cached`` keeps each built figure, keyed by the chart function and its
inputs (DataFrames are hashed by value), and hands the same object to every run.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from ui import warehouse


def _cache_ttl() -> int:
    try:
        return warehouse.settings().cache_ttl_seconds
    except Exception:  # noqa: BLE001 - settings errors are shown by the page, not here
        return 600


@st.cache_resource(ttl=_cache_ttl(), show_spinner=False, max_entries=256)
def _built(module: str, name: str, args: tuple, kwargs: tuple) -> go.Figure:
    builder = getattr(importlib.import_module(module), name)
    return builder(*args, **dict(kwargs))


def cached(builder: Callable[..., go.Figure], *args, **kwargs) -> go.Figure:
    """Return ``builder(*args, **kwargs)``, built once per input and shared between runs.

    The figure is shared: callers pass it to ``st.plotly_chart`` and never change it.
    """
    return _built(builder.__module__, builder.__qualname__, args, tuple(sorted(kwargs.items())))


def shaded_trend(rates, **kwargs) -> go.Figure:  # noqa: ANN001 - a DataFrame, as rate_trend's
    """Return ``charts.rate_trend`` of the rates with immature cohorts shaded, as one figure
    so that ``cached`` can keep it (shading changes a figure in place)."""
    from charts import rate_trend
    from charts.appeals import shade_immature

    return shade_immature(rate_trend(rates, **kwargs), rates)
