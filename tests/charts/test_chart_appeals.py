"""count_funnel, resolution_time_trend and shade_immature: the appeal page's own charts."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from charts import palette
from charts.appeals import count_funnel, resolution_time_trend, shade_immature

STAGES = {
    "rejections": "Rejections",
    "appealed": "Appealed",
    "resolved": "Resolved",
    "overturned": "Overturned",
}
TOTALS = pd.Series({"rejections": 8000, "appealed": 1000, "resolved": 900, "overturned": 117})


def test_funnel_shows_each_stage_top_first_with_its_share_of_the_stage_before():
    fig = count_funnel(TOTALS, STAGES)
    (funnel,) = fig.data
    assert list(funnel.y) == ["Rejections", "Appealed", "Resolved", "Overturned"]
    assert list(funnel.x) == [8000, 1000, 900, 117]
    assert list(funnel.text) == [
        "8,000",
        "1,000<br>(12.5% of rejections)",
        "900<br>(90.0% of appealed)",
        "117<br>(13.0% of resolved)",
    ]


def test_narrow_funnel_bars_keep_their_text_outside_and_wide_ones_inside():
    (funnel,) = count_funnel(TOTALS, STAGES).data
    assert list(funnel.textposition) == ["inside", "outside", "outside", "outside"]


@pytest.mark.parametrize(
    "totals",
    [
        pd.Series({"rejections": 0, "appealed": 0, "resolved": 0, "overturned": 0}),
        pd.Series(dtype=float),
        {"rejections": np.nan},
    ],
    ids=["zeros", "nothing", "nan"],
)
def test_an_empty_selection_gives_the_empty_funnel(totals):
    fig = count_funnel(totals, STAGES)
    assert fig.layout.annotations[0].text == palette.NO_DATA_MESSAGE
    assert len(fig.data) == 0


def test_missing_later_stages_count_as_zero_not_nan():
    (funnel,) = count_funnel({"rejections": 50, "appealed": np.nan}, STAGES).data
    assert list(funnel.x) == [50, 0, 0, 0]
    assert "nan" not in json.dumps(list(funnel.text)).lower()


@pytest.fixture
def resolution_times() -> pd.DataFrame:
    """Two markets over three weeks; ID's last week has no resolved appeals yet."""
    weeks = pd.to_datetime(["2026-10-05", "2026-10-12", "2026-10-19"])
    return pd.DataFrame(
        {
            "period": list(weeks) * 2,
            "market_code": ["US"] * 3 + ["ID"] * 3,
            "resolved": [120, 110, 40, 60, 55, 0],
            "median_hours": [72.0, 70.0, 30.0, 90.0, 84.0, np.nan],
            "p90_hours": [220.0, 200.0, 60.0, 260.0, 250.0, np.nan],
            "immature": [False, False, True, False, False, True],
        }
    )


def test_resolution_times_are_in_days_median_solid_and_p90_dotted(resolution_times):
    fig = resolution_time_trend(resolution_times)
    median = {t.meta["group"]: t for t in fig.data if t.meta["role"] == "median"}
    p90 = {t.meta["group"]: t for t in fig.data if t.meta["role"] == "p90"}
    assert list(median["US"].y) == [3.0, 70 / 24, 1.25]
    assert list(p90["US"].y) == pytest.approx([220 / 24, 200 / 24, 2.5])
    assert median["US"].line.dash == "solid" and p90["US"].line.dash == "dot"
    assert median["US"].line.color == p90["US"].line.color == palette.MARKET_COLOURS["US"]
    assert len(median["ID"].x) == 2, "a week without resolved appeals is skipped"


def test_one_legend_entry_per_market(resolution_times):
    fig = resolution_time_trend(resolution_times)
    shown = [t.name for t in fig.data if t.showlegend is not False]
    assert shown == ["ID", "US"]


def test_immature_weeks_are_faded_shaded_and_explained(resolution_times):
    fig = resolution_time_trend(resolution_times, immature="immature")
    us = next(t for t in fig.data if t.meta["role"] == "median" and t.meta["group"] == "US")
    assert list(us.marker.opacity) == [1.0, 1.0, 0.35]
    assert [t.name for t in fig.data if t.meta["role"] == "note"] == [palette.IMMATURE_NOTE]
    (shade,) = fig.layout.shapes
    assert pd.Timestamp(shade.x0) == pd.Timestamp("2026-10-15 12:00")
    assert pd.Timestamp(shade.x1) == pd.Timestamp("2026-10-22 12:00")


def test_shading_needs_an_immature_row():
    rows = pd.DataFrame({"period": pd.to_datetime(["2026-10-05"]), "immature": [False]})
    fig = shade_immature(count_funnel(TOTALS, STAGES), rows)
    assert not fig.layout.shapes
    assert not shade_immature(count_funnel(TOTALS, STAGES), pd.DataFrame()).layout.shapes


def test_a_frame_without_resolved_appeals_gives_the_empty_figure(resolution_times):
    fig = resolution_time_trend(resolution_times.assign(resolved=0))
    assert fig.layout.annotations[0].text == palette.NO_DATA_MESSAGE
    assert resolution_time_trend(resolution_times.iloc[0:0]).layout.annotations
