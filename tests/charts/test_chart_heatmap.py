"""rate_heatmap and confusion_heatmap: grids a QA lead reads cell by cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from charts import confusion_heatmap, palette, rate_heatmap


def trace(fig, role):
    return next(trace for trace in fig.data if trace.meta["role"] == role)


def cell(heatmap, row, column, values):
    return values[list(heatmap.y).index(row)][list(heatmap.x).index(column)]


def test_small_sample_cell_is_grey_and_labelled_with_its_n(market_policy_cells):
    fig = rate_heatmap(market_policy_cells)
    small = trace(fig, "small sample")
    assert {colour for _, colour in small.colorscale} == {palette.NOT_ENOUGH_DATA}
    assert small.showscale is False
    assert cell(small, "DE", "ipr", small.text) == "n=12"
    assert "%{text}" in small.texttemplate
    assert np.isnan(cell(trace(fig, "rates"), "DE", "ipr", trace(fig, "rates").z))
    assert palette.SMALL_SAMPLE_NOTE in cell(small, "DE", "ipr", small.customdata)[-1]


def test_every_cell_shows_its_rate_as_a_percent(market_policy_cells):
    fig = rate_heatmap(market_policy_cells)
    rates = trace(fig, "rates")
    assert rates.texttemplate == "%{z:.1%}"
    assert cell(rates, "US", "listing", rates.z) == pytest.approx(0.88)
    assert trace(fig, "small sample").texttemplate.startswith("%{z:.1%}")


def test_cell_without_any_inspections_is_blank(market_policy_cells):
    fig = rate_heatmap(market_policy_cells)
    for heatmap in fig.data:
        assert np.isnan(cell(heatmap, "DE", "content", heatmap.z))
        assert cell(heatmap, "DE", "content", heatmap.text) == ""


def test_worst_cell_is_red_and_scale_flips_when_lower_is_better(market_policy_cells):
    accuracy = trace(rate_heatmap(market_policy_cells), "rates")
    overturn = trace(rate_heatmap(market_policy_cells, higher_is_better=False), "rates")
    assert accuracy.colorscale[0][1] == overturn.colorscale[-1][1]
    # The scale spans the judged cells only, so the grey 75% (n=12) cannot stretch it.
    assert accuracy.zmin == pytest.approx(0.8)
    assert accuracy.zmax == pytest.approx(0.95)
    assert "red = worse" in accuracy.colorbar.title.text


def test_midpoint_centres_the_colour_scale(market_policy_cells):
    rates = trace(rate_heatmap(market_policy_cells, midpoint=0.9), "rates")
    assert (rates.zmin + rates.zmax) / 2 == pytest.approx(0.9)


def test_hover_gives_numerator_denominator_and_interval(market_policy_cells):
    fig = rate_heatmap(
        market_policy_cells, numerator_label="correct", denominator_label="inspections"
    )
    rates = trace(fig, "rates")
    assert "correct of" in rates.hovertemplate and "inspections" in rates.hovertemplate
    assert "95% interval" in rates.hovertemplate
    record = cell(rates, "US", "partner", rates.customdata)
    assert record[:2] == ["US", "partner"]
    assert record[3:5] == [950, 1000]


def test_one_row_per_cell_is_required(market_policy_cells):
    with pytest.raises(ValueError, match="one row per market_code x policy_area"):
        rate_heatmap(pd.concat([market_policy_cells, market_policy_cells]))


def test_confusion_puts_approve_first_on_both_axes_with_axis_titles(confusion_counts):
    fig = confusion_heatmap(confusion_counts, confusion_counts)
    heatmap = fig.data[0]
    assert list(heatmap.x) == ["approve", "spam", "counterfeit"]
    assert list(heatmap.y) == ["approve", "spam", "counterfeit"]
    assert list(fig.layout.xaxis.tickvals) == list(heatmap.x)
    assert fig.layout.xaxis.title.text == "QA label"
    assert fig.layout.yaxis.title.text == "Moderator label"


def test_confusion_rows_are_shares_of_the_moderator_label_with_counts_in_hover(
    confusion_counts,
):
    heatmap = confusion_heatmap(confusion_counts, confusion_counts).data[0]
    shares = np.asarray(heatmap.z, dtype=float)
    assert shares.sum(axis=1) == pytest.approx([1.0, 1.0, 1.0])
    assert cell(heatmap, "approve", "approve", heatmap.z) == pytest.approx(0.9)
    assert cell(heatmap, "spam", "approve", heatmap.customdata) == 15
    assert "decisions" in heatmap.hovertemplate
    assert heatmap.texttemplate == "%{z:.1%}"


def test_confusion_accepts_already_normalised_shares(confusion_counts):
    shares = confusion_counts.div(confusion_counts.sum(axis=1), axis=0)
    heatmap = confusion_heatmap(shares).data[0]
    assert cell(heatmap, "counterfeit", "counterfeit", heatmap.z) == pytest.approx(0.75)
    assert "customdata" not in heatmap.hovertemplate  # no counts given, none claimed


def test_confusion_adds_a_label_seen_only_on_one_axis(confusion_counts):
    matrix = confusion_counts.assign(prohibited=[0, 3, 1])
    heatmap = confusion_heatmap(matrix).data[0]
    assert list(heatmap.y) == ["approve", "spam", "counterfeit", "prohibited"]
    assert np.isnan(np.asarray(heatmap.z, dtype=float)[3]).all()
