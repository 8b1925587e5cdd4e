"""change_forest: what moved, as changes in points with their intervals."""

from __future__ import annotations

import pandas as pd
import pytest

from charts import palette
from charts.movers import change_forest

CHANGES = pd.DataFrame(
    {
        "segment": ["BR penalty rate", "FR penalty rate", "ID accuracy"],
        "difference": [0.277, -0.108, -0.058],
        "difference_lower": [0.232, -0.177, -0.099],
        "difference_upper": [0.321, -0.038, -0.016],
        "worse": [True, False, True],
    }
)


def trace(fig, worse: bool):
    return next(t for t in fig.data if t.meta["worse"] is worse)


def test_changes_are_in_points_red_when_worse_and_in_the_given_order():
    fig = change_forest(CHANGES)
    worse, better = trace(fig, True), trace(fig, False)
    assert list(worse.y) == ["BR penalty rate", "ID accuracy"] and worse.marker.color == palette.BAD
    assert list(better.y) == ["FR penalty rate"] and better.marker.color == palette.GOOD
    assert list(worse.x) == pytest.approx([27.7, -5.8])
    assert list(fig.layout.yaxis.categoryarray) == list(CHANGES["segment"])
    assert fig.layout.yaxis.autorange == "reversed", "the largest change is on top"


def test_whiskers_reach_the_interval():
    fig = change_forest(CHANGES)
    worse = trace(fig, True)
    assert worse.x[0] + worse.error_x.array[0] == pytest.approx(32.1)
    assert worse.x[0] - worse.error_x.arrayminus[0] == pytest.approx(23.2)


def test_no_changes_give_a_message_not_an_error():
    fig = change_forest(CHANGES.iloc[0:0])
    assert fig.layout.annotations[0].text == "No change passed the test"
