"""Recorded actions drawn on a trend: a line or span at their dates, a clickable marker."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts.actions import add_action_marks, title_rows


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
    assert set(titles) == {"Retrained Northwind", "A" * 39 + "…"}
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
    starts = pd.to_datetime(["2026-09-01", "2026-09-15", "2026-12-20", "2026-09-20"])
    span = (pd.Timestamp("2026-09-01"), pd.Timestamp("2026-12-31"))
    titles = ["New image-zoom tool for United States", "Retrained Lumen", "Late", "Third"]
    # Starts 14 days apart in a 121-day span are 11.6% of the width apart; a 37-character
    # title takes (37 + 3) / 80 = 50%: the second goes to row 1, the fourth (19 days in,
    # row 1 ends at 11.6% + 22.5%) to row 2, and December's title back to row 0.
    assert title_rows(starts, titles, span) == [0, 1, 0, 2]


def test_more_close_titles_than_rows_reuse_the_row_that_frees_first():
    starts = pd.to_datetime(["2026-09-01", "2026-09-02", "2026-09-03", "2026-09-04"])
    span = (pd.Timestamp("2026-09-01"), pd.Timestamp("2026-12-31"))
    rows = title_rows(starts, ["a" * 10, "b" * 30, "c" * 20, "d"], span)
    assert rows[:3] == [0, 1, 2]
    assert rows[3] == 0, "row 0's ten-character title ends first"
