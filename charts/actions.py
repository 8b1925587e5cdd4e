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
# Characters of action title text across a trend's plot area (a full-width trend at 1024 px
# holds about 100 at 11 px; half-width ones fewer, so this errs towards another row).
PLOT_CHARS = 80
MAX_ROWS = 3
ROW_HEIGHT = 14  # px between title rows


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


def _x_span(fig: go.Figure, marks: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the earliest and latest date on the figure's traces and the actions."""
    dates = [marks["start"], marks["end"]]
    for trace in fig.data:
        x = getattr(trace, "x", None)
        if x is not None:
            dates.append(pd.Series(pd.to_datetime(pd.Series(list(x)), errors="coerce")))
    every = pd.concat([pd.Series(pd.to_datetime(d, errors="coerce")) for d in dates]).dropna()
    return every.min(), every.max()


def title_rows(
    starts: pd.Series, titles: list[str], span: tuple[pd.Timestamp, pd.Timestamp]
) -> list[int]:
    """Return a text row for each action title (0 is nearest the marker), so that titles
    whose starts are close sit on different rows instead of running into each other.

    A title's width is estimated in characters against a plot about ``PLOT_CHARS`` wide;
    after ``MAX_ROWS`` rows a title goes back to the row that frees up first.
    """
    first, last = span
    length = (last - first) / pd.Timedelta(days=1) or 1.0
    ends = [-np.inf] * MAX_ROWS  # where each row's last title ends, in plot fractions
    rows = []
    for start, title in zip(starts, titles, strict=True):
        left = (start - first) / pd.Timedelta(days=1) / length
        right = left + (len(title) + 3) / PLOT_CHARS
        free = [row for row in range(MAX_ROWS) if ends[row] <= left]
        row = free[0] if free else int(np.argmin(ends))
        ends[row] = right
        rows.append(row)
    return rows


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
    ordered = marks.sort_values("start", kind="stable")
    titles = [_short(title) for title in ordered["title"]]
    rows = title_rows(ordered["start"], titles, _x_span(fig, marks))
    for start, title, row in zip(ordered["start"], titles, rows, strict=True):
        # Titles are annotations, each on its row below the marker line: close actions'
        # titles no longer overprint each other.
        fig.add_annotation(
            x=start,
            y=top,
            xref="x",
            yref="y",
            text=html_text(title),
            showarrow=False,
            xanchor="left",
            yanchor="top",
            xshift=6,
            yshift=-8 - row * ROW_HEIGHT,
            font={"color": ACTION_COLOUR, "size": 11},
            # Readable over the lines it crosses.
            bgcolor="rgba(255,255,255,0.8)",
            name="action-title",
        )
    fig.add_trace(
        go.Scatter(
            x=marks["start"],
            y=np.full(len(marks), top),
            mode="markers",
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
