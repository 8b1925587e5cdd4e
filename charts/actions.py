"""Recorded actions drawn on a time chart: a line or shaded span, a title, a clickable marker."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from charts import palette
from charts.text import html_text

ACTION_COLOUR = "#8E44AD"
SPAN_ALPHA = 0.08
# Titles are cut to about 145 px of 11 px text, what a half-width trend at 1024 px (about
# 230 px of plot) holds from a third of the way across; the hover has the whole title.
MAX_TITLE = 24
# Characters of title text across a trend's plot area: a full-width trend at 1024 px holds
# about 100 at 11 px, a half-width one about 50; this errs towards another row.
PLOT_CHARS = 60
MAX_ROWS = 3
# Titles from this far across run leftwards: the y axis's margin takes the overhang there,
# while the right edge has almost none.
RUN_LEFT_FROM = 0.35
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


def title_places(
    starts: pd.Series, titles: list[str], span: tuple[pd.Timestamp, pd.Timestamp]
) -> list[tuple[int, str]]:
    """Return where each action title goes: its text row (0 is nearest the marker) and the
    side of the marker it is anchored on ("left": the text runs right of the line).

    Titles past ``RUN_LEFT_FROM`` of the plot run leftwards, so they stay inside a
    half-width chart. Titles whose estimated extents (characters against a plot
    ``PLOT_CHARS`` wide) would overlap take different rows; when every row overlaps, a title
    takes the one with the least overlap.
    """
    first, last = span
    length = (last - first) / pd.Timedelta(days=1) or 1.0
    taken: list[list[tuple[float, float]]] = [[] for _ in range(MAX_ROWS)]
    places = []
    for start, title in zip(starts, titles, strict=True):
        at = (start - first) / pd.Timedelta(days=1) / length
        width = (len(title) + 2) / PLOT_CHARS
        anchor = "left" if at < RUN_LEFT_FROM else "right"
        extent = (at, at + width) if anchor == "left" else (at - width, at)

        def overlap(row: int, extent: tuple[float, float] = extent) -> float:
            return sum(
                max(0.0, min(extent[1], high) - max(extent[0], low)) for low, high in taken[row]
            )

        row = min(range(MAX_ROWS), key=lambda r: (overlap(r) > 0, overlap(r), r))
        taken[row].append(extent)
        places.append((row, anchor))
    return places


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
    span = _x_span(fig, marks)
    places = title_places(ordered["start"], titles, span)
    if fig.layout.xaxis.range is None:
        # Plotly widens an autoranged axis to hold annotation text: a title near the start
        # stretched a 13-week trend to six months. The dates shown stay the data's.
        pad = max((span[1] - span[0]) * 0.03, pd.Timedelta(days=1))
        fig.update_xaxes(range=[span[0] - pad, span[1] + pad])
    for start, title, (row, anchor) in zip(ordered["start"], titles, places, strict=True):
        # Titles are annotations, each on its row below the marker line: close actions'
        # titles no longer overprint each other.
        fig.add_annotation(
            x=start,
            y=top,
            xref="x",
            yref="y",
            text=html_text(title),
            showarrow=False,
            xanchor=anchor,
            yanchor="top",
            xshift=6 if anchor == "left" else -6,
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
