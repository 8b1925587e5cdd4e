"""Recorded actions drawn on a trend: a line or span at their dates, a clickable marker."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts.actions import add_action_marks


def _trend() -> go.Figure:
    return go.Figure(
        go.Scatter(x=pd.to_datetime(["2026-10-05", "2026-10-12"]), y=[0.91, 0.95], meta={})
    )


def test_each_action_gets_a_marker_at_its_start_with_its_id_and_title():
    marks = pd.DataFrame(
        {
            "action_id": [3, 8],
            "title": ["Retrained Northwind", "A" * 60],
            "kind": ["Training", "Tooling"],
            "start": pd.to_datetime(["2026-10-12", "2026-10-05"]),
            "end": [pd.Timestamp("2026-10-25"), pd.NaT],
        }
    )
    fig = add_action_marks(_trend(), marks)
    (marker,) = [t for t in fig.data if (t.meta or {}).get("role") == "action"]
    assert [list(c) for c in marker.customdata] == [["action", 3], ["action", 8]]
    assert list(marker.y) == [0.95, 0.95], "drawn at the top of the data"
    assert marker.text == ("Retrained Northwind", "A" * 39 + "…")
    assert "Retrained Northwind" in marker.hovertext[0] and "12 Oct 2026" in marker.hovertext[0]
    # A span for the action with an end date, and a start line for each.
    kinds = sorted(shape.type for shape in fig.layout.shapes)
    assert kinds == ["line", "line", "rect"]
    (span,) = [shape for shape in fig.layout.shapes if shape.type == "rect"]
    assert (pd.Timestamp(span.x0), pd.Timestamp(span.x1)) == (
        pd.Timestamp("2026-10-12"),
        pd.Timestamp("2026-10-25"),
    )


def test_no_actions_leaves_the_figure_unchanged():
    fig = _trend()
    empty = pd.DataFrame(columns=["action_id", "title", "kind", "start", "end"])
    assert add_action_marks(fig, empty).to_json() == _trend().to_json()
