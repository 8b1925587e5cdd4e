"""The review's figures, built with ``charts`` from a ``WeeklyReview``: page and report alike."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

import charts
from charts import palette
from charts.movers import change_forest
from metrics.registry import METRICS_BY_NAME
from review.narrative import subject
from review.weekly import WeeklyReview

DENOMINATOR_NOUNS = {
    "inspections": "inspections",
    "rejections_inspected": "inspected rejections",
    "resolved": "resolved appeals",
    "rejections": "rejections",
}
REVIEWED_WEEK_FILL = "rgba(78, 121, 167, 0.10)"
TOP_MOVERS = 15
SMALL_HEIGHT = 300


def _role(role: str):
    """Return a trace selector for the charts' ``meta["role"]``."""
    return lambda trace: isinstance(trace.meta, dict) and trace.meta.get("role") == role


def _mark_week(fig: go.Figure, review: WeeklyReview) -> go.Figure:
    """Return the figure with the reviewed week shaded, so the eye finds it at once."""
    start = pd.Timestamp(review.start)
    fig.add_vrect(
        x0=start - pd.Timedelta(days=3.5),
        x1=start + pd.Timedelta(days=3.5),
        fillcolor=REVIEWED_WEEK_FILL,
        line_width=0,
        layer="below",
    )
    return fig


def trend_figure(review: WeeklyReview, metric: str) -> go.Figure:
    """Return the metric's overall weekly rate with its band, the reviewed week shaded."""
    definition = METRICS_BY_NAME[metric]
    rows = review.trend[review.trend["metric"] == metric]
    fig = charts.rate_trend(
        rows,
        colour_by=None,
        metric_label=definition.label,
        immature="immature" if definition.source == "appeals" else None,
        denominator_label=DENOMINATOR_NOUNS.get(definition.denominator),
        title=f"{definition.label}, overall",
    )
    fig.update_layout(height=SMALL_HEIGHT, showlegend=False)
    # One overall line: the accent colour, not the colour hashed from the metric's name.
    fig.update_traces(fillcolor=palette.with_alpha(palette.ACCENT, 0.15), selector=_role("band"))
    fig.update_traces(line_color=palette.ACCENT, selector=_role("rate"))
    for trace in fig.select_traces(selector=_role("rate")):
        colours = [
            colour if colour == palette.NOT_ENOUGH_DATA else palette.ACCENT
            for colour in trace.marker.color
        ]
        trace.marker.color = colours
        trace.marker.line.color = colours
    return _mark_week(fig, review) if rows["rate"].notna().any() else fig


def movers_figure(review: WeeklyReview, top: int = TOP_MOVERS) -> go.Figure:
    """Return a forest plot of the largest moved changes (their lead comparison)."""
    movers = review.movers.head(top)
    if movers.empty:
        return palette.empty_figure("What moved", message="No change passed the test")
    frame = pd.DataFrame(
        {
            "finding": [subject(row) for _, row in movers.iterrows()],
            "difference": [row[f"{row['lead']}_difference"] for _, row in movers.iterrows()],
            "difference_lower": [
                row[f"{row['lead']}_difference_lower"] for _, row in movers.iterrows()
            ],
            "difference_upper": [
                row[f"{row['lead']}_difference_upper"] for _, row in movers.iterrows()
            ],
            "worse": movers["worse"].to_numpy(),
        }
    )
    shown = "the significant change" if len(movers) == 1 else f"the {len(movers)} largest changes"
    title = f"What moved: {shown} (95% intervals)"
    return change_forest(frame, label="finding", title=title)


def control_figure(review: WeeklyReview, metric: str, market: str) -> go.Figure:
    """Return one market's p-chart of the metric over the charted weeks, breaches in red."""
    definition = METRICS_BY_NAME[metric]
    control = review.control
    rows = control[(control["metric"] == metric) & (control["market_code"] == market)]
    broke = bool(rows["breach"].any())
    fig = charts.p_chart_figure(
        rows,
        metric_label=definition.label,
        title=f"{market}{' · breach' if broke else ''}",
        denominator_label=DENOMINATOR_NOUNS.get(definition.denominator),
    )
    # Small multiples: one legend line would take a third of each chart; captions explain.
    fig.update_layout(height=SMALL_HEIGHT, showlegend=False, margin={"t": 40})
    return _mark_week(fig, review) if rows["rate"].notna().any() else fig


def control_markets(review: WeeklyReview, metric: str) -> list[str]:
    """Return the markets charted for a metric: reviewed-week breaches, other breaches, rest."""
    control = review.control
    if control.empty:
        return []
    rows = control[control["metric"] == metric]
    now = rows[rows["breach"] & rows["in_reviewed_week"]]["market_code"]
    ever = rows[rows["breach"]]["market_code"]
    markets = sorted(rows["market_code"].unique())
    return list(dict.fromkeys([*sorted(now), *sorted(ever), *markets]))
