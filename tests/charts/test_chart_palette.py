"""The shared palette: stable colours, formats that agree with plotly.js, house layout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import plotly.graph_objects as go
import pytest

from charts import palette

REPO = Path(__file__).resolve().parents[2]


def test_each_policy_area_has_its_own_fixed_colour():
    colours = [palette.group_colour("policy_area", area) for area in palette.POLICY_AREA_COLOURS]
    assert len(set(colours)) == 4
    assert palette.group_colour("policy_area", "ipr") == palette.POLICY_AREA_COLOURS["ipr"]


def test_known_markets_have_distinct_colours_and_none_is_the_small_sample_grey():
    colours = {palette.group_colour("market_code", code) for code in palette.MARKET_COLOURS}
    assert len(colours) == len(palette.MARKET_COLOURS)
    assert palette.NOT_ENOUGH_DATA not in colours


def test_unknown_market_colour_is_the_same_in_a_fresh_process_with_another_hash_seed():
    # str hash() is salted per process; a colour built on it would change on app restart.
    code = "import charts.palette as p; print(p.group_colour('market_code', 'ZA'))"
    colours = {
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=REPO,
            env={"PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert colours == {palette.group_colour("market_code", "ZA")}


def test_band_colour_is_css_rgba_with_integer_channels():
    assert palette.with_alpha("#4E79A7", 0.15) == "rgba(78, 121, 167, 0.15)"


@pytest.mark.parametrize(
    ("rate", "text"),
    [(0.931, "93.1%"), (0.8125, "81.3%"), (1.0, "100.0%"), (0.0, "0.0%"), (float("nan"), "")],
)
def test_percent_text_rounds_like_plotly_hover(rate, text):
    # d3-format rounds 81.25 up; Python's format() would give "81.2%".
    assert palette.format_percent(rate) == text


def test_worse_side_of_the_funnel_is_red_whichever_direction_is_better():
    assert palette.position_colours(higher_is_better=True)["below"] == palette.BAD
    assert palette.position_colours(higher_is_better=False)["above"] == palette.BAD
    assert palette.position_colours()["too small"] == palette.NOT_ENOUGH_DATA


def test_rate_colourscale_puts_red_at_the_bad_end():
    higher_better = palette.rate_colourscale(higher_is_better=True)
    lower_better = palette.rate_colourscale(higher_is_better=False)
    assert higher_better[0][1] == lower_better[-1][1]
    assert [stop for stop, _ in lower_better] == [0.0, 0.5, 1.0]


def test_hover_template_names_numerator_and_denominator_nouns():
    template = palette.rate_hovertemplate(
        "Accuracy",
        heading="%{customdata[0]}",
        n_keys=1,
        numerator_label="correct",
        denominator_label="inspections",
    )
    assert "Accuracy %{customdata[1]:.1%}" in template
    assert "correct of %{customdata[3]:,.0f} inspections" in template
    assert "95% interval" in template


def test_base_layout_puts_legend_on_top_and_keeps_the_title():
    fig = palette.base_layout(go.Figure(), title="Accuracy by market", height=380)
    assert fig.layout.legend.orientation == "h"
    assert fig.layout.legend.y > 1
    assert fig.layout.title.text == "Accuracy by market"
    assert fig.layout.height == 380
    assert fig.layout.template.layout.paper_bgcolor == "#FFFFFF"
