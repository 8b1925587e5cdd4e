"""Names people read for the codes the warehouse stores, applied to text, tables and figures.

Pure (no Streamlit, no database): the dashboard passes the names it read from the warehouse's
dimension tables (``ui.names``), and the weekly report's command line passes its own, so the
page and the mailed report name things the same way. Codes stay in hover text and CSV files.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from charts.text import html_text

POLICY_AREA_NAMES = {
    "partner": "Partner onboarding",
    "listing": "Listings",
    "content": "Content",
    "ipr": "Intellectual property",
}
PENALTY_TYPE_NAMES = {
    "warning": "Warning",
    "points": "Penalty points",
    "listing_suspension": "Listing suspension",
    "selling_suspension": "Selling suspension",
    "termination": "Account termination",
}
QUEUE_NAMES = {
    "new_listing": "New listings",
    "user_report": "User reports",
    "proactive": "Proactive",
}
# Values of the confusion matrix's axes that are not label codes.
OTHER_NAMES = {"approve": "Approve", "other": "Other labels", "reject": "Reject"}


def readable(code: object) -> str:
    """Return a snake_case code as words ("listing_suspension" -> "Listing suspension")."""
    text = str(code).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def dimension_names(
    markets: pd.DataFrame,
    labels: pd.DataFrame,
    vendors: pd.DataFrame,
    policy_areas: Sequence[str] = (),
    queues: Sequence[str] = (),
) -> dict[str, str]:
    """Return every code people may meet in a table, chart or sentence -> its name."""
    return {
        **OTHER_NAMES,
        **PENALTY_TYPE_NAMES,
        **{code: QUEUE_NAMES.get(code, readable(code)) for code in queues},
        **{code: POLICY_AREA_NAMES.get(code, readable(code)) for code in policy_areas},
        **dict(zip(vendors["vendor_code"], vendors["vendor_name"], strict=True)),
        **dict(zip(labels["label_code"], labels["label_name"], strict=True)),
        **dict(zip(markets["market_code"], markets["market_name"], strict=True)),
    }


def _pattern(names: Mapping[str, str]) -> re.Pattern[str] | None:
    # A table renames hundreds of cells with one mapping: compile its pattern once.
    return _compiled(frozenset(code for code in names if code))


@functools.lru_cache(maxsize=64)
def _compiled(codes: frozenset[str]) -> re.Pattern[str] | None:
    if not codes:
        return None
    longest_first = sorted(codes, key=lambda code: (-len(code), code))
    # Whole words only, case-sensitive: "ID" the market, never the "id" in "decision_id".
    alternatives = "|".join(re.escape(code) for code in longest_first)
    return re.compile(r"(?<![\w])(" + alternatives + r")(?![\w])")


def humanize(text: str, names: Mapping[str, str], escape: Callable[[str], str] = str) -> str:
    """Return text with every known code written as its name ("BR · content" -> "Brazil ·
    Content"); ``escape`` (``ui.text.md`` for Markdown) is applied to each inserted name."""
    pattern = _pattern(names)
    if pattern is None or not isinstance(text, str):
        return text
    return pattern.sub(lambda match: escape(names[match.group(1)]), text)


def rename_table(
    frame: pd.DataFrame, names: Mapping[str, str], skip: Sequence[str] = ()
) -> pd.DataFrame:
    """Return a table for reading with codes in its text columns written as names; columns
    in ``skip`` (links, identifiers) and addresses are left alone."""
    shown = frame.copy()
    pattern = _pattern(names)
    if pattern is None:
        return shown

    def named(value: object) -> object:
        if isinstance(value, str) and not value.startswith(("http://", "https://")):
            return pattern.sub(lambda match: names[match.group(1)], value)
        return value

    for column in shown.columns:
        if column in skip or not (
            shown[column].dtype == object or pd.api.types.is_string_dtype(shown[column])
        ):
            continue
        shown[column] = shown[column].map(named)
    return shown


def rename_figure(fig: go.Figure, names: Mapping[str, str]) -> go.Figure:
    """Return the figure with names, not codes, in its legend and category axes.

    The data keep their codes (clicks and customdata read them); category axes get tick
    texts, and trace names are rewritten.
    """
    # The figure's text is HTML-escaped (charts.text), so codes are looked up escaped and
    # names go in escaped: a vendor named <a href=…> stays text in plotly.js.
    escaped = {html_text(code): html_text(name) for code, name in names.items()}
    axes: dict[str, list[str]] = {}
    for trace in fig.data:
        if getattr(trace, "name", None):
            trace.name = humanize(trace.name, escaped)
        for axis in ("x", "y"):
            values = getattr(trace, axis, None)
            if values is None or trace.type not in {"bar", "heatmap", "scatter", "box"}:
                continue
            values = [value for value in list(values) if isinstance(value, str)]
            if values and any(humanize(value, escaped) != value for value in values):
                key = (getattr(trace, f"{axis}axis", None) or axis).replace(axis, f"{axis}axis")
                axes.setdefault(key, [])
                axes[key] += [value for value in values if value not in axes[key]]
    for key, values in axes.items():
        fig.layout[key].update(
            tickmode="array",
            tickvals=values,
            ticktext=[humanize(value, escaped) for value in values],
        )
    return fig
