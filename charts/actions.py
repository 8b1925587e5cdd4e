"""Recorded actions drawn on a time chart: a line or shaded span, a title, a clickable marker."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from charts import palette
from charts.text import html_text

ACTION_COLOUR = "#8E44AD"
SPAN_ALPHA = 0.08
MAX_TITLE = 40


def _top_of_data(fig: go.Figure) -> float:
    """Return the highest numeric y in the figure's traces (1.0 when there is none)."""
    highest = []
    for trace in fig.data:
        y = getattr(trace, "y", None)
        if y is None:
            continue
        values = pd.to_numeric(pd.Series(list(y)), errors="coerce")
        if values.notna().any():
            highest.append(float(values.max()))
    return max(highest) if highest else 1.0


def _short(title: str) -> str:
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "…"


def add_action_marks(fig: go.Figure, marks: pd.DataFrame) -> go.Figure:
    """Return the figure with each action drawn at its dates, titled, as a clickable marker.

    ``marks`` has ``action_id``, ``title``, ``kind``, ``start`` and ``end`` (NaT for a
    one-off change: a dashed line instead of a shaded span). Each marker's customdata is
    ``["action", action_id]``, so an ``on_select`` click says which action was picked
    without being mistaken for a rate point. Titles are user-written: they are shown as
    text, never as Plotly's HTML-like markup.
    """
    if marks.empty:
        return fig
    top = _top_of_data(fig)
    for row in marks.itertuples(index=False):
        if pd.notna(row.end) and row.end > row.start:
            fig.add_shape(
                type="rect",
                xref="x",
                yref="paper",
                x0=row.start,
                x1=row.end,
                y0=0,
                y1=1,
                fillcolor=palette.with_alpha(ACTION_COLOUR, SPAN_ALPHA),
                line={"width": 0},
                layer="below",
            )
        fig.add_shape(
            type="line",
            xref="x",
            yref="paper",
            x0=row.start,
            x1=row.start,
            y0=0,
            y1=1,
            line={"color": ACTION_COLOUR, "width": 1.5, "dash": "dash"},
        )
    fig.add_trace(
        go.Scatter(
            x=marks["start"],
            y=np.full(len(marks), top),
            mode="markers+text",
            text=[html_text(_short(title)) for title in marks["title"]],
            textposition="bottom right",
            textfont={"color": ACTION_COLOUR, "size": 11},
            marker={"symbol": "star", "size": 14, "color": ACTION_COLOUR},
            name="Recorded action",
            customdata=[["action", int(action_id)] for action_id in marks["action_id"]],
            hovertext=[
                f"<b>{html_text(title)}</b><br>{html_text(kind)} · from {start:%d %b %Y}"
                "<br><i>Click to open</i>"
                for title, kind, start in zip(
                    marks["title"], marks["kind"], marks["start"], strict=True
                )
            ],
            hovertemplate="%{hovertext}<extra></extra>",
            cliponaxis=False,
            meta={"role": "action"},
        )
    )
    return fig
