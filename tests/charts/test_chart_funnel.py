"""funnel_plot: moderators compared fairly, rate against volume inside narrowing limits."""

from __future__ import annotations

import numpy as np
import pytest

from charts import funnel_plot, palette


def traces(fig, role):
    return [trace for trace in fig.data if trace.meta["role"] == role]


def limit(fig, bound):
    return next(trace for trace in traces(fig, "limit") if trace.meta["bound"] == bound)


def test_limit_lines_are_nested_and_drawn_in_volume_order(funnel_frames):
    fig = funnel_plot(*funnel_frames)
    bounds = ["lower_998", "lower_95", "upper_95", "upper_998"]
    lines = np.array([np.asarray(limit(fig, bound).y, dtype=float) for bound in bounds])
    assert (np.diff(lines, axis=0) >= 0).all()
    for bound in bounds:
        assert (np.diff(np.asarray(limit(fig, bound).x, dtype=float)) > 0).all()


def test_limits_narrow_as_volume_grows(funnel_frames):
    fig = funnel_plot(*funnel_frames)
    assert (np.diff(np.asarray(limit(fig, "upper_95").y, dtype=float)) <= 0).all()
    assert (np.diff(np.asarray(limit(fig, "lower_95").y, dtype=float)) >= 0).all()


def test_one_legend_entry_per_limit_pair(funnel_frames):
    shown = [
        trace.name
        for trace in traces(funnel_plot(*funnel_frames), "limit")
        if trace.showlegend is not False
    ]
    assert shown == ["99.8% limits", "95% limits"]


def test_overall_rate_line_is_flat_at_the_overall_rate(funnel_frames):
    overall = traces(funnel_plot(*funnel_frames), "overall")[0]
    assert list(overall.y) == [0.9, 0.9]
    assert overall.name == "Overall 90.0%"


def test_units_coloured_by_position_with_the_worse_side_red(funnel_frames):
    units, limits = funnel_frames
    fig = funnel_plot(units, limits, higher_is_better=True)
    colours = {trace.meta["position"]: trace.marker.color for trace in traces(fig, "units")}
    assert colours["below"] == palette.BAD
    assert colours["above"] == palette.GOOD
    assert colours["too small"] == palette.NOT_ENOUGH_DATA
    flipped = funnel_plot(units, limits, higher_is_better=False)
    assert {t.meta["position"]: t.marker.color for t in traces(flipped, "units")}["above"] == (
        palette.BAD
    )


def test_click_payload_is_the_moderator_id_and_nan_rates_are_skipped(funnel_frames):
    fig = funnel_plot(*funnel_frames)
    ids = sorted(row[0] for trace in traces(fig, "units") for row in trace.customdata)
    assert ids == ["m1", "m2", "m3", "m4"]


def test_hover_names_the_unit_and_its_volume(funnel_frames):
    fig = funnel_plot(*funnel_frames, denominator_label="inspections")
    below = next(trace for trace in traces(fig, "units") if trace.meta["position"] == "below")
    assert below.hovertemplate.startswith("<b>%{customdata[0]}</b>")
    assert "inspections" in below.hovertemplate
    assert list(below.customdata[0]) == ["m3", 1200, "Below limits"]


def test_volume_axis_is_logarithmic_and_rate_axis_percent(funnel_frames):
    fig = funnel_plot(*funnel_frames)
    assert fig.layout.xaxis.type == "log"
    assert fig.layout.yaxis.tickformat.endswith("%")
    assert {10, 100, 1000} <= set(fig.layout.xaxis.tickvals)


def test_units_of_similar_volume_still_get_three_or_more_volume_ticks(funnel_frames):
    units, limits = funnel_frames
    # Vendors: a few thousand inspections each, the limits drawn over the same span.
    similar = units.assign(denominator=[2100, 3400, 5200, 7900, 6000])
    fig = funnel_plot(similar, limits.assign(volume=np.geomspace(2100, 7900, len(limits))))
    low, high = 2100, 7900
    inside = [tick for tick in fig.layout.xaxis.tickvals if low <= tick <= high]
    assert len(inside) >= 3, inside


def test_vendors_within_a_factor_of_two_get_three_or_more_volume_ticks(funnel_frames):
    units, limits = funnel_frames
    # The 100M demo's vendors: 229,000-376,000 inspections, where only 300,000 is a digit step.
    close = units.assign(denominator=[228_884, 264_196, 301_000, 341_847, 375_760])
    fig = funnel_plot(close, limits.assign(volume=np.geomspace(228_884, 413_000, len(limits))))
    inside = [tick for tick in fig.layout.xaxis.tickvals if 228_884 <= tick <= 375_760]
    assert inside == [250_000, 300_000, 350_000]


def test_units_without_limits_still_plot(funnel_frames):
    units, limits = funnel_frames
    fig = funnel_plot(units, limits.iloc[0:0])
    assert traces(fig, "limit") == []
    assert len(traces(fig, "units")) == 4


@pytest.mark.parametrize("unit", ["vendor_code"])
def test_unit_column_is_configurable(funnel_frames, unit):
    units, limits = funnel_frames
    fig = funnel_plot(units.rename(columns={"moderator_id": unit}), limits, unit=unit)
    assert traces(fig, "units")[0].customdata[0][0].startswith("m")
