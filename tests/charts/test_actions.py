"""Recorded actions drawn on a trend: a line or span at their dates, a clickable marker."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts.actions import add_action_marks, title_places


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
    titles = {a.text: a for a in fig.layout.annotations if a.name == "action-title"}
    assert set(titles) == {"Retrained Northwind", "A" * 23 + "…"}
    assert pd.Timestamp(titles["Retrained Northwind"].x) == pd.Timestamp("2026-10-12")
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


def test_titles_of_close_actions_take_separate_rows_and_far_ones_share_the_first():
    span = (pd.Timestamp("2026-09-01"), pd.Timestamp("2026-12-31"))  # 121 days
    starts = pd.to_datetime(["2026-09-01", "2026-09-29", "2026-10-05", "2026-12-20"])
    titles = ["a" * 28, "b" * 10, "c" * 10, "d" * 28]
    # 28 characters take (28 + 2) / 60 = 50% of the width, 10 characters 20%. The first (at
    # 0%) runs right to 50%; the second (23%, to 43%) overlaps it and takes row 1; the third
    # (28%, to 48%) overlaps both and takes row 2. The last (91%) runs left, from 41%: it
    # overlaps every row (row 0 by 9 points, row 1 by 2, row 2 by 7) and takes row 1.
    assert title_places(starts, titles, span) == [
        (0, "left"),
        (1, "left"),
        (2, "left"),
        (1, "right"),
    ]


def test_a_title_in_the_right_half_runs_left_and_distant_titles_share_row_zero():
    span = (pd.Timestamp("2026-09-01"), pd.Timestamp("2026-12-31"))
    starts = pd.to_datetime(["2026-09-01", "2026-12-31"])
    assert title_places(starts, ["a" * 10, "b" * 10], span) == [(0, "left"), (0, "right")]
