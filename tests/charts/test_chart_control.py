"""p_chart_figure: the weekly control chart that says "this broke its limits"."""

from __future__ import annotations

from charts import p_chart_figure, palette


def traces(fig, role):
    return [trace for trace in fig.data if trace.meta["role"] == role]


def test_breach_is_marked_red_with_its_own_symbol(p_chart_frame):
    fig = p_chart_figure(p_chart_frame)
    (breach,) = traces(fig, "breach")
    (rate,) = traces(fig, "rate")
    assert [row[0] for row in breach.customdata] == ["2024-01-22"]
    assert breach.marker.color == palette.BAD
    assert breach.marker.symbol != (rate.marker.symbol or "circle")
    assert breach.name == "Outside control limits"
    assert "Outside control limits" in breach.hovertemplate


def test_no_breach_trace_when_every_week_is_in_control(p_chart_frame):
    fig = p_chart_figure(p_chart_frame.assign(breach=False))
    assert traces(fig, "breach") == []


def test_limits_are_stepped_and_centre_is_drawn(p_chart_frame):
    fig = p_chart_figure(p_chart_frame)
    limits = traces(fig, "limit")
    assert {trace.meta["bound"] for trace in limits} == {"lower_limit", "upper_limit"}
    assert all(trace.line.shape == "hvh" for trace in limits)
    assert list(traces(fig, "centre")[0].y) == [0.93] * 5


def test_week_without_data_is_skipped(p_chart_frame):
    (rate,) = traces(p_chart_figure(p_chart_frame), "rate")
    assert len(rate.y) == 5
    assert "2024-01-29" not in [row[0] for row in rate.customdata]


def test_hover_gives_volume_and_limits_in_percent(p_chart_frame):
    fig = p_chart_figure(p_chart_frame, metric_label="Accuracy", denominator_label="inspections")
    (rate,) = traces(fig, "rate")
    assert "Accuracy %{y:.1%} of %{customdata[1]:,.0f} inspections" in rate.hovertemplate
    assert "Limits %{customdata[2]:.1%}" in rate.hovertemplate
    assert fig.layout.yaxis.tickformat.endswith("%")


def test_title_is_shown(p_chart_frame):
    assert p_chart_figure(p_chart_frame, title="Accuracy, US").layout.title.text == "Accuracy, US"
