"""KPI tiles: a metric's level in the period judged, its change in points, and a significance
mark, with the interval of the change in words that wrap rather than being cut off."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from metrics.registry import Metric
from ui import boundary, data, glossary, warehouse
from ui.compare import Windows

OVERVIEW_TILES = ("accuracy", "over_enforcement_rate", "overturn_rate", "penalty_rate")


def _percent(value: float) -> str:
    return "–" if value != value else f"{value:.1%}"  # NaN != NaN


def _points(difference: float) -> str:
    # Adding 0.0 turns a rounded -0.0 into 0.0, so no interval reads "-0.0 to +1.2".
    return f"{round(difference * 100, 1) + 0.0:+.1f}"


def tile_note(row: pd.Series, metric: Metric, spans: Windows) -> str:
    """Return the tile's second line: the change's interval and whether it is significant."""
    if spans.against is None:
        return "No earlier data to compare with."
    if not row["judged"]:
        return f"Too few to judge (under {warehouse.settings().min_sample} in a period)."
    interval = (
        f"95% interval {_points(row['difference_lower'])} to {_points(row['difference_upper'])} pts"
    )
    if not row["moved"]:
        return f"{interval}. Not significant."
    worse = (row["difference"] < 0) == metric.higher_is_better
    mark = ":red[● significantly worse]" if worse else ":green[● significantly better]"
    return f"{interval}. {mark}"


@boundary.guard("the headline tiles")
def comparison_tiles(
    metrics: Sequence[Metric], rows: Sequence[pd.Series], spans: Windows, trend_filters
) -> None:
    """Draw one tile per metric: level judged, change against the comparison, a sparkline."""
    against = spans.comparison.against
    for column, metric, row in zip(st.columns(len(metrics)), metrics, rows, strict=True):
        nouns = data.nouns(metric)
        trend = data.rates(metric, trend_filters, ("period",))
        change = row["difference"]
        help_text = (
            f"{row['numerator_current']:,.0f} {nouns['numerator_label']} of "
            f"{row['denominator_current']:,.0f} {nouns['denominator_label']} in "
            f"{spans.comparison.describe()}"
            + (
                f" ({_percent(row['rate_previous'])} then)"
                if against is not None and row["denominator_previous"] > 0
                else ""
            )
            + f". {glossary.help_for('significant')}"
        )
        with column, st.container(border=True):
            st.metric(
                metric.label,
                _percent(row["rate_current"]),
                delta=None if change != change else f"{_points(change)} pts",
                delta_color=("normal" if metric.higher_is_better else "inverse")
                if bool(row["moved"])
                else "off",
                help=help_text,
                chart_data=[rate for rate in trend["rate"] if rate == rate] or None,
                chart_type="line",
            )
            glossary.caption(tile_note(row, metric, spans))
