"""Forest plot of changes: each segment's change in percentage points with its 95% interval."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts import palette
from charts.text import text_stays_text

ZERO_LINE = "#404040"


@text_stays_text
def change_forest(
    frame: pd.DataFrame,
    *,
    label: str = "segment",
    title: str | None = None,
) -> go.Figure:
    """Return dots for ``difference`` (in points) per ``label`` row with 95% interval whiskers.

    ``frame`` has ``label, difference, difference_lower, difference_upper, worse`` (rates as
    fractions; the axis shows percentage points). Changes for the worse are red, for the
    better blue; the first row is drawn at the top. Each dot's customdata starts with its
    label, for click selection. Rows without a difference are skipped.
    """
    rows = frame[frame["difference"].notna()] if not frame.empty else frame
    if rows.empty:
        return palette.empty_figure(title, message="No change passed the test")
    rows = rows.assign(_label=rows[label].astype(str))
    if rows["_label"].duplicated().any():
        raise ValueError(f"change_forest needs one row per {label}")
    fig = go.Figure()
    for is_worse, name, colour in ((True, "Worse", palette.BAD), (False, "Better", palette.GOOD)):
        part = rows[rows["worse"].astype(bool) == is_worse]
        if part.empty:
            continue
        points = part["difference"] * 100
        fig.add_trace(
            go.Scatter(
                x=points,
                y=part["_label"],
                mode="markers",
                name=name,
                marker={"color": colour, "size": 10},
                error_x={
                    "type": "data",
                    "array": (part["difference_upper"] * 100 - points).clip(lower=0).fillna(0),
                    "arrayminus": (points - part["difference_lower"] * 100).clip(lower=0).fillna(0),
                    "color": colour,
                    "thickness": 1.5,
                    "width": 4,
                },
                customdata=part[["_label", "difference_lower", "difference_upper"]].to_numpy(
                    dtype=object
                ),
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>Change %{x:+.1f} pts<br>"
                    f"95% interval %{{customdata[1]:+{palette.PERCENT_FORMAT}}} – "
                    f"%{{customdata[2]:+{palette.PERCENT_FORMAT}}}<extra></extra>"
                ),
                meta={"role": "changes", "worse": is_worse},
            )
        )
    fig.add_vline(x=0, line={"color": ZERO_LINE, "width": 1})
    fig.update_xaxes(
        title={"text": "Change (percentage points)"}, ticksuffix=" pts", zeroline=False
    )
    order = rows["_label"].tolist()
    fig.update_yaxes(categoryorder="array", categoryarray=order, autorange="reversed")
    return palette.base_layout(fig, title=title, height=max(260, 30 * len(order) + 140))
