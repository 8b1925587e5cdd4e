"""Warehouse text stays text in charts: names are escaped before plotly.js reads them as HTML.

plotly.js draws labels, legends and hover text through a small HTML dialect (``<a href>``,
``<b>``, ``<br>``...), so a vendor named ``<a href=…>`` would become a working link in the
dashboard's own voice. Escaping the input frames, not the finished figure, keeps the markup
the chart code adds itself (hover templates, notes) intact.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import pandas as pd

P = ParamSpec("P")
R = TypeVar("R")


def html_text(value: str) -> str:
    """Return ``value`` with ``&``, ``<``, ``>`` and quotes escaped, shown as typed in HTML."""
    return html.escape(value, quote=True)


def html_unescape(value: str) -> str:
    """Return the value ``html_text`` escaped (a clicked point's customdata, say)."""
    return html.unescape(value)


def _escaped_values(values: pd.Index | pd.Series) -> pd.Index | pd.Series:
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = values.cat.categories if isinstance(values, pd.Series) else values.categories
        renamed = [html_text(c) if isinstance(c, str) else c for c in categories]
        if isinstance(values, pd.Series):
            return values.cat.rename_categories(renamed)
        return values.rename_categories(renamed)
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        return values.map(lambda value: html_text(value) if isinstance(value, str) else value)
    return values


def escaped(value: object) -> object:
    """Return ``value`` with every string in it HTML-escaped: frames, series, lists, dicts."""
    if isinstance(value, str):
        return html_text(value)
    if isinstance(value, pd.DataFrame):
        frame = value.copy()
        for column in frame.columns:
            frame[column] = _escaped_values(frame[column])
        if not isinstance(frame.index, pd.MultiIndex):
            frame.index = _escaped_values(frame.index)
        if not isinstance(frame.columns, pd.MultiIndex):
            frame.columns = _escaped_values(frame.columns)
        return frame
    if isinstance(value, pd.Series):
        series = _escaped_values(value)
        if not isinstance(series.index, pd.MultiIndex):
            series.index = _escaped_values(series.index)
        return series
    if isinstance(value, dict):
        return {escaped(key): escaped(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(escaped(item) for item in value)
    return value


def text_stays_text(function: Callable[P, R]) -> Callable[P, R]:
    """Return the chart function with every string argument HTML-escaped before it runs.

    Escaping every argument alike keeps comparisons inside the chart consistent (a selected
    unit is escaped the same way as the frame it is looked up in); names without ``&<>"'``
    are unchanged.
    """

    @functools.wraps(function)
    def chart(*args: P.args, **kwargs: P.kwargs) -> R:
        return function(
            *(escaped(arg) for arg in args), **{key: escaped(arg) for key, arg in kwargs.items()}
        )

    return chart
