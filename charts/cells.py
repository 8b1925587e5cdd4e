"""Click targets for heatmap cells: Plotly heatmaps emit no selection events on their own.

A Streamlit ``on_select`` callback only hears about points of traces that support selection
(scatter, bar, ...), so a click on a heatmap cell would be lost. An invisible marker on the
centre of every cell, carrying the cell's row and column, makes each cell clickable.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from charts import palette

CELL_MARKER_SIZE = 30


def clickable_cells(fig: go.Figure) -> go.Figure:
    """Return ``fig`` with an invisible, selectable marker on every cell of its first heatmap.

    Each marker's customdata is ``[row, column, z, cell customdata]``, so a click handler
    reads the row label at ``customdata[0]`` (and ``y``/``x`` as usual). The markers carry
    the hover text instead of the heatmap, which would otherwise show it twice; empty cells
    (NaN) get no marker.
    """
    heatmaps = [trace for trace in fig.data if trace.type == "heatmap"]
    if not heatmaps:
        return fig
    heat = heatmaps[0]
    rows, columns = [str(value) for value in heat.y], [str(value) for value in heat.x]
    z = np.asarray(heat.z, dtype=float)
    extra = (
        np.asarray(heat.customdata, dtype=object)
        if heat.customdata is not None
        else np.full(z.shape, None, dtype=object)
    )
    row_grid, column_grid = np.meshgrid(rows, columns, indexing="ij")
    present = ~np.isnan(z)
    customdata = np.column_stack(
        [row_grid[present], column_grid[present], z[present], extra[present]]
    ).astype(object)
    # The heatmap's own hover text, re-pointed at the marker's customdata layout.
    hovertemplate = (
        (heat.hovertemplate or "")
        .replace("%{y}", "%{customdata[0]}")
        .replace("%{x}", "%{customdata[1]}")
        .replace("%{z:", "%{customdata[2]:")
        .replace("%{customdata:", "%{customdata[3]:")
    )
    fig.update_traces(hoverinfo="skip", hovertemplate=None, selector={"type": "heatmap"})
    fig.add_trace(
        go.Scatter(
            x=column_grid[present],
            y=row_grid[present],
            mode="markers",
            marker={"symbol": "square", "size": CELL_MARKER_SIZE, "opacity": 0},
            # Plotly dims unselected points after a click; they are invisible either way.
            unselected={"marker": {"opacity": 0}},
            selected={"marker": {"opacity": 0}},
            customdata=customdata,
            hovertemplate=hovertemplate or None,
            # The marker is transparent, so the hover box would be too: give it a white one.
            hoverlabel={
                "bgcolor": "white",
                "bordercolor": palette.NEUTRAL,
                "font": {"family": palette.FONT_FAMILY, "size": 12, "color": palette.TEXT_COLOUR},
            },
            showlegend=False,
            name="cells",
            meta={"role": "cells"},
        )
    )
    return fig
