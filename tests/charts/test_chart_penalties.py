"""points_histogram: penalties per points bin, counted in the warehouse, reversals on top."""

from __future__ import annotations

import pandas as pd

from charts import palette
from charts.penalties import points_histogram


def bins() -> pd.DataFrame:
    """Penalties per points value; 7 points had none, so its bin is absent."""
    return pd.DataFrame(
        {
            "points_from": [10, 1, 2, 3],
            "penalties": [40, 120, 95, 0],
            "reversed": [4, 6, 5, 0],
        }
    )


def bars(fig, role):
    return next(trace for trace in fig.data if trace.meta["role"] == role)


def test_bars_stack_kept_and_reversed_penalties_in_points_order():
    fig = points_histogram(bins())
    kept, reversed_ = bars(fig, "kept"), bars(fig, "reversed")
    assert list(kept.x) == ["1", "2", "10"], "empty bins are dropped, order is by points"
    assert list(kept.y) == [114, 90, 36]
    assert list(reversed_.y) == [6, 5, 4]
    assert fig.layout.barmode == "stack"
    assert reversed_.marker.color == palette.BAD


def test_wide_bins_are_labelled_with_their_range():
    fig = points_histogram(bins().assign(points_from=[10, 0, 5, 15]), bin_width=5)
    assert list(fig.layout.xaxis.categoryarray) == ["0–4", "5–9", "10–14"]


def test_hover_gives_the_bins_total():
    fig = points_histogram(bins())
    assert [row[0] for row in bars(fig, "reversed").customdata] == [120, 95, 40]
    assert "penalties" in bars(fig, "reversed").hovertemplate


def test_no_penalties_with_points_gives_the_empty_figure():
    empty = pd.DataFrame(columns=["points_from", "penalties", "reversed"])
    for frame in (empty, bins().assign(penalties=0)):
        fig = points_histogram(frame)
        assert fig.layout.annotations[0].text == palette.NO_DATA_MESSAGE


def test_penalty_types_have_the_same_distinct_colour_in_a_trend_and_in_a_mix():
    trend = [palette.group_colour("penalty_type", kind) for kind in palette.PENALTY_TYPES]
    mix = palette.part_colours(list(palette.PENALTY_TYPES))
    assert trend == [mix[kind] for kind in palette.PENALTY_TYPES]
    assert len(set(trend)) == len(trend)
