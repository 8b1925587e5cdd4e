"""Names people read, for the codes the warehouse stores: markets, labels, vendors, policies.

Codes stay in hover text and CSV files; everything else shows these names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

# Re-exported: pages read these constants through ``ui.names``.
from charts.names import PENALTY_TYPE_NAMES as PENALTY_TYPE_NAMES
from charts.names import QUEUE_NAMES as QUEUE_NAMES
from charts.names import dimension_names, readable, rename_figure, rename_table
from charts.names import humanize as pure_humanize
from ui import filters, links

POLICY_AREA_NAMES = filters.POLICY_AREA_NAMES


def markets() -> dict[str, str]:
    """Return market code -> market name."""
    options, _ = filters.known_values()
    frame = options.markets
    return dict(zip(frame["market_code"], frame["market_name"], strict=True))


def labels() -> dict[str, str]:
    """Return rejection-label code -> label name."""
    options, _ = filters.known_values()
    frame = options.labels
    return dict(zip(frame["label_code"], frame["label_name"], strict=True))


def vendors() -> dict[str, str]:
    """Return vendor code -> vendor name."""
    options, _ = filters.known_values()
    frame = options.vendors
    return dict(zip(frame["vendor_code"], frame["vendor_name"], strict=True))


def policy_areas() -> dict[str, str]:
    """Return policy-area code -> name, for every policy area the warehouse has."""
    _, known = filters.known_values()
    return {code: POLICY_AREA_NAMES.get(code, readable(code)) for code in known["policy_areas"]}


def code_names() -> dict[str, str]:
    """Return market, label and vendor code -> name: the codes that may appear in sentences."""
    return {**vendors(), **labels(), **markets()}


def all_names() -> dict[str, str]:
    """Return every code people may meet in a table or chart -> its name."""
    options, known = filters.known_values()
    return dimension_names(
        options.markets, options.labels, options.vendors, known["policy_areas"], known["queues"]
    )


def humanize(
    text: str, names: Mapping[str, str] | None = None, escape: Callable[[str], str] = str
) -> str:
    """Return text with every known code written as its name ("BR · content" -> "Brazil ·
    Content"); ``escape`` (``ui.text.md`` for Markdown) is applied to each inserted name."""
    return pure_humanize(text, code_names() if names is None else names, escape)


def readable_table(frame: pd.DataFrame, skip: Sequence[str] = ()) -> pd.DataFrame:
    """Return a table for display with codes in its text columns written as names.

    Only for what people read: CSV downloads keep the codes. Columns in ``skip`` (links,
    identifiers) are left alone.
    """
    return rename_table(frame, all_names(), skip)


def readable_figure(fig: go.Figure) -> go.Figure:
    """Return the figure with names, not codes, in its legend and category axes."""
    return rename_figure(fig, all_names())


def plotly_chart(fig: go.Figure, **kwargs):
    """Draw a figure with ``st.plotly_chart`` after writing its codes as names."""
    return st.plotly_chart(readable_figure(fig), **{"theme": None, **kwargs})


def describe_filters(filters, *, dates: bool = True) -> str:
    """Return ``ui.links.describe_filters`` with names in place of codes."""
    return links.describe_filters(
        filters,
        dates=dates,
        names={"markets": markets(), "labels": labels(), "vendors": vendors()},
    )
