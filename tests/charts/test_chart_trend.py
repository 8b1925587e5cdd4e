"""rate_trend: what a market manager sees on the weekly trend chart."""

from __future__ import annotations

import numpy as np
import pandas as pd

from charts import palette, rate_trend


def traces(fig, role):
    return [trace for trace in fig.data if (trace.meta or {}).get("role") == role]


def line_for(fig, group):
    return next(trace for trace in traces(fig, "rate") if trace.name == group)


def test_each_market_gets_one_line_and_only_the_largest_an_interval_band(market_weeks):
    fig = rate_trend(market_weeks)
    assert sorted(trace.name for trace in traces(fig, "rate")) == ["BR", "ID", "US"]
    # Three overlapping bands are a wash: US (3,915 inspections) is the largest market.
    assert [trace.meta["group"] for trace in traces(fig, "band")] == ["US"]


def test_bands_can_be_asked_for_a_chosen_series(market_weeks):
    fig = rate_trend(market_weeks, bands={"ID"})
    assert [trace.meta["group"] for trace in traces(fig, "band")] == ["ID"]


def test_band_spans_lower_to_upper_in_the_lines_colour_made_translucent(market_weeks):
    fig = rate_trend(market_weeks)
    us = market_weeks[market_weeks["market_code"] == "US"]
    band = next(trace for trace in traces(fig, "band") if trace.meta["group"] == "US")
    assert band.fill == "toself"
    assert np.isclose(max(band.y), us["upper"].max())
    assert np.isclose(min(band.y), us["lower"].min())
    assert band.fillcolor == palette.with_alpha(line_for(fig, "US").line.color, 0.15)


def test_one_or_two_groups_each_get_a_band(market_weeks):
    two = market_weeks[market_weeks["market_code"].isin(["US", "ID"])]
    assert sorted(t.meta["group"] for t in traces(rate_trend(two), "band")) == ["ID", "US"]


def test_names_replace_codes_in_the_legend_but_not_in_the_click_data(market_weeks):
    fig = rate_trend(market_weeks, names={"ID": "Indonesia"})
    indonesia = line_for(fig, "Indonesia")
    assert indonesia.customdata[0][0] == "ID"
    assert "%{fullData.name}" in indonesia.hovertemplate


def test_market_keeps_its_colour_when_rows_arrive_in_another_order(market_weeks):
    first = rate_trend(market_weeks)
    extra = market_weeks[market_weeks["market_code"] == "US"].assign(market_code="ZA")
    second = rate_trend(pd.concat([extra, market_weeks.iloc[::-1]]))
    for market in ("US", "ID", "BR"):
        assert line_for(first, market).line.color == line_for(second, market).line.color
    assert line_for(first, "US").line.color != line_for(first, "ID").line.color


def test_week_with_no_inspections_is_left_out_not_drawn_at_zero(market_weeks):
    fig = rate_trend(market_weeks)
    assert len(line_for(fig, "BR").y) == 2
    assert not np.isnan(np.asarray(line_for(fig, "BR").y, dtype=float)).any()


def test_small_sample_point_is_hollow_and_grey_and_explained_in_legend(market_weeks):
    fig = rate_trend(market_weeks)
    indonesia = line_for(fig, "ID")
    assert list(indonesia.marker.symbol) == ["circle", "circle-open", "circle"]
    assert indonesia.marker.color[1] == palette.NOT_ENOUGH_DATA
    assert indonesia.marker.color[0] == indonesia.line.color
    assert palette.SMALL_SAMPLE_NOTE in [trace.name for trace in traces(fig, "note")]


def test_hover_reads_rate_with_numerator_and_denominator_nouns(market_weeks):
    fig = rate_trend(market_weeks, numerator_label="correct", denominator_label="inspections")
    us = line_for(fig, "US")
    assert "Accuracy %{customdata[2]:.1%}" in us.hovertemplate
    assert "%{customdata[3]:,.0f} correct of %{customdata[4]:,.0f} inspections" in (
        us.hovertemplate
    )
    assert list(us.customdata[0][2:5]) == [1234 / 1325, 1234, 1325]


def test_click_payload_names_the_market_and_the_week(market_weeks):
    fig = rate_trend(market_weeks)
    assert [list(row[:2]) for row in line_for(fig, "US").customdata] == [
        ["US", "2024-03-04"],
        ["US", "2024-03-11"],
        ["US", "2024-03-18"],
    ]


def test_immature_cohorts_are_faded_and_noted_in_legend(market_weeks):
    frame = market_weeks.assign(is_immature=market_weeks["period"] == "2024-03-18")
    fig = rate_trend(frame, immature="is_immature")
    assert list(line_for(fig, "US").marker.opacity) == [1.0, 1.0, 0.35]
    assert "Immature cohort" in line_for(fig, "US").customdata[2][-1]
    assert palette.IMMATURE_NOTE in [trace.name for trace in traces(fig, "note")]


def test_no_immature_note_when_nothing_is_immature(market_weeks):
    fig = rate_trend(market_weeks.assign(is_immature=None), immature="is_immature")
    assert palette.IMMATURE_NOTE not in [trace.name for trace in fig.data]


def test_colour_by_policy_area_uses_the_policy_palette(market_weeks):
    frame = market_weeks.assign(
        policy_area=market_weeks["market_code"].map({"US": "partner", "ID": "listing", "BR": "ipr"})
    )
    fig = rate_trend(frame, colour_by="policy_area")
    assert line_for(fig, "ipr").line.color == palette.POLICY_AREA_COLOURS["ipr"]


def test_rate_axis_is_in_percent(market_weeks):
    fig = rate_trend(market_weeks, metric_label="Overturn rate")
    assert fig.layout.yaxis.tickformat.endswith("%")
    assert fig.layout.yaxis.title.text == "Overturn rate"


def test_weekly_ticks_fall_on_mondays(market_weeks):
    fig = rate_trend(market_weeks)
    # The fixture's weeks start on Monday 4 March 2024; one tick a week for three weeks.
    assert fig.layout.xaxis.tick0 == "2024-03-04"
    assert fig.layout.xaxis.dtick == 7 * 24 * 3600 * 1000
    many = pd.concat(
        [
            market_weeks.assign(period=market_weeks["period"] + pd.Timedelta(weeks=3 * k))
            for k in range(9)
        ]
    )
    assert many["period"].nunique() == 27
    fig = rate_trend(many)
    assert fig.layout.xaxis.dtick == 4 * 7 * 24 * 3600 * 1000, "27 weeks: a tick every 4 weeks"
