"""clickable_cells: every confusion-matrix cell becomes a point a click can select."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts import confusion_heatmap
from charts.cells import clickable_cells


def matrix() -> pd.DataFrame:
    labels = ["approve", "spam", "fraud"]
    return pd.DataFrame(
        [[50, 5, 0], [4, 30, 1], [0, 2, 8]], index=labels, columns=labels, dtype="int64"
    )


def test_every_cell_gets_one_invisible_marker_carrying_its_row_and_column():
    fig = clickable_cells(confusion_heatmap(matrix(), counts=matrix()))
    (cells,) = [trace for trace in fig.data if trace.meta and trace.meta.get("role") == "cells"]
    assert len(cells.x) == 9
    assert cells.marker.opacity == 0
    row_column = {(custom[0], custom[1]): custom for custom in cells.customdata}
    spam_fraud = row_column[("spam", "fraud")]
    assert spam_fraud[2] == 1 / 35, "the row share, as the cell shows"
    assert spam_fraud[3] == 1, "the cell's count, for the hover"


def test_hover_moves_from_the_heatmap_to_the_markers_with_the_same_text():
    plain = confusion_heatmap(matrix(), counts=matrix())
    fig = clickable_cells(confusion_heatmap(matrix(), counts=matrix()))
    heat = next(trace for trace in fig.data if trace.type == "heatmap")
    cells = fig.data[-1]
    assert heat.hoverinfo == "skip"
    assert "Moderator label <b>%{customdata[0]}</b>, QA label <b>%{customdata[1]}</b>" in (
        cells.hovertemplate
    )
    assert "%{customdata[3]:,.0f} decisions" in cells.hovertemplate
    assert plain.data[0].hovertemplate.count("%{") == cells.hovertemplate.count("%{")


def test_a_figure_without_a_heatmap_is_returned_unchanged():
    fig = go.Figure(go.Bar(x=[1], y=["a"]))
    assert clickable_cells(fig) is fig and len(fig.data) == 1
