"""Names people read, for the codes the warehouse stores: markets, labels, vendors, policies.

Codes stay in hover text and CSV files; everything else shows these names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui import filters, links

POLICY_AREA_NAMES = filters.POLICY_AREA_NAMES
PENALTY_TYPE_NAMES = {
    "warning": "Warning",
    "points": "Penalty points",
    "listing_suspension": "Listing suspension",
    "selling_suspension": "Selling suspension",
    "termination": "Account termination",
}


def readable(code: object) -> str:
    """Return a snake_case code as words ("listing_suspension" -> "Listing suspension")."""
    text = str(code).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


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


QUEUE_NAMES = {
    "new_listing": "New listings",
    "user_report": "User reports",
    "proactive": "Proactive",
}
# Values of the confusion matrix's axes that are not label codes.
OTHER_NAMES = {"approve": "Approve", "other": "Other labels", "reject": "Reject"}


def code_names() -> dict[str, str]:
    """Return market, label and vendor code -> name: the codes that may appear in sentences."""
    return {**vendors(), **labels(), **markets()}


def all_names() -> dict[str, str]:
    """Return every code people may meet in a table or chart -> its name."""
    queues = filters.known_values()[1]["queues"]
    return {
        **OTHER_NAMES,
        **PENALTY_TYPE_NAMES,
        **{code: QUEUE_NAMES.get(code, readable(code)) for code in queues},
        **policy_areas(),
        **code_names(),
    }


def _pattern(names: Mapping[str, str]) -> re.Pattern[str] | None:
    codes = sorted((code for code in names if code), key=len, reverse=True)
    if not codes:
        return None
    # Whole words only, case-sensitive: "ID" the market, never the "id" in "decision_id".
    return re.compile(r"(?<![\w])(" + "|".join(re.escape(code) for code in codes) + r")(?![\w])")


def humanize(text: str, names: Mapping[str, str] | None = None) -> str:
    """Return text with every known code written as its name ("BR · content" -> "Brazil ·
    Content")."""
    names = code_names() if names is None else names
    pattern = _pattern(names)
    if pattern is None or not isinstance(text, str):
        return text
    return pattern.sub(lambda match: names[match.group(1)], text)


def readable_table(frame: pd.DataFrame, skip: Sequence[str] = ()) -> pd.DataFrame:
    """Return a table for display with codes in its text columns written as names.

    Only for what people read: CSV downloads keep the codes. Columns in ``skip`` (links,
    identifiers) are left alone.
    """
    names = all_names()
    shown = frame.copy()
    for column in shown.columns:
        if column in skip or not (
            shown[column].dtype == object or pd.api.types.is_string_dtype(shown[column])
        ):
            continue
        shown[column] = shown[column].map(
            lambda value: (
                humanize(value, names)
                if isinstance(value, str) and not value.startswith(("http://", "https://"))
                else value
            )
        )
    return shown


def readable_figure(fig: go.Figure) -> go.Figure:
    """Return the figure with names, not codes, in its legend and category axes.

    The data keep their codes (clicks and customdata read them); category axes get tick
    texts, and trace names are rewritten.
    """
    names = all_names()
    axes: dict[str, list[str]] = {}
    for trace in fig.data:
        if getattr(trace, "name", None):
            trace.name = humanize(trace.name, names)
        for axis in ("x", "y"):
            values = getattr(trace, axis, None)
            if values is None or trace.type not in {"bar", "heatmap", "scatter", "box"}:
                continue
            values = [value for value in list(values) if isinstance(value, str)]
            if values and any(humanize(value, names) != value for value in values):
                key = (getattr(trace, f"{axis}axis", None) or axis).replace(axis, f"{axis}axis")
                axes.setdefault(key, [])
                axes[key] += [value for value in values if value not in axes[key]]
    for key, values in axes.items():
        fig.layout[key].update(
            tickmode="array",
            tickvals=values,
            ticktext=[humanize(value, names) for value in values],
        )
    return fig


def plotly_chart(fig: go.Figure, **kwargs):
    """Draw a figure with ``st.plotly_chart`` after writing its codes as names."""
    return st.plotly_chart(readable_figure(fig), **kwargs)


def describe_filters(filters, *, dates: bool = True) -> str:
    """Return ``ui.links.describe_filters`` with names in place of codes."""
    return links.describe_filters(
        filters,
        dates=dates,
        names={"markets": markets(), "labels": labels(), "vendors": vendors()},
    )
