"""Penalty charts of plain counts: the distribution of points per penalty."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts import palette
from charts.text import text_stays_text

KEPT = "Kept"
REVERSED = "Reversed"


@text_stays_text
def points_histogram(
    frame: pd.DataFrame,
    *,
    bin_width: int = 1,
    title: str | None = None,
) -> go.Figure:
    """Return a histogram of penalties per points bin, reversed penalties stacked on top.

    ``frame`` has one row per bin, already counted in the warehouse: ``points_from`` (the
    bin's first value), ``penalties`` and ``reversed``. Bins are ``bin_width`` points wide;
    bins with no penalties are simply absent. An empty frame gives the empty figure.
    """
    bins = frame[frame["penalties"] > 0] if not frame.empty else frame
    if bins.empty:
        return palette.empty_figure(title)
    bins = bins.sort_values("points_from")
    labels = _bin_labels(bins["points_from"], bin_width)
    kept = bins["penalties"] - bins["reversed"]
    fig = go.Figure()
    for name, counts, colour in (
        (KEPT, kept, palette.ACCENT),
        (REVERSED, bins["reversed"], palette.BAD),
    ):
        fig.add_trace(
            go.Bar(
                x=labels,
                y=counts,
                name=name,
                marker={"color": colour},
                customdata=bins[["penalties"]].to_numpy(dtype=object),
                hovertemplate=(
                    f"<b>%{{x}} points</b><br>{name}: %{{y:{palette.COUNT_FORMAT}}} of "
                    f"%{{customdata[0]:{palette.COUNT_FORMAT}}} penalties<extra></extra>"
                ),
                meta={"role": name.lower()},
            )
        )
    fig.update_layout(barmode="stack", bargap=0.08, legend={"traceorder": "normal"})
    fig.update_xaxes(
        type="category",
        categoryorder="array",
        categoryarray=labels,
        title={"text": "Points per penalty"},
    )
    fig.update_yaxes(title={"text": "Penalties"}, tickformat=palette.COUNT_FORMAT)
    return palette.base_layout(fig, title=title, height=340)


def _bin_labels(starts: pd.Series, bin_width: int) -> list[str]:
    """Return "3" for one-point bins and "10–19" for wider ones."""
    if bin_width == 1:
        return [str(int(start)) for start in starts]
    return [f"{int(start)}–{int(start) + bin_width - 1}" for start in starts]
