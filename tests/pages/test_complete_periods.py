"""Only complete periods are drawn: a range ending mid-week or mid-month loses its partial end."""

from __future__ import annotations

import datetime as dt

from tests.pages.elements import figure, traces, url, widget


def _periods(app) -> set[str]:
    drawn = traces(figure(app, "overview-trend"), "rate")
    return {str(x)[:10] for trace in drawn for x in trace["x"]}


def test_a_range_ending_mid_week_draws_no_partial_week(app_on_warehouse):
    # Wednesday 18 Nov: the week of 16 Nov holds 3 of its 7 days.
    app = app_on_warehouse(start="2026-10-05", end="2026-11-18", grain="week")
    assert not app.exception
    drawn = _periods(app)
    assert "2026-11-16" not in drawn
    assert max(drawn) == "2026-11-09"
    assert min(drawn) == "2026-10-05"
    captions = [caption.value for caption in app.sidebar.caption]
    assert any("the week of 16 Nov 2026 (partial: 3 of 7 days)" in text for text in captions)
    assert url(app, "end") == ["2026-11-18"], "the link keeps the dates the user chose"


def test_months_are_drawn_only_when_whole(app_on_warehouse):
    # The test warehouse holds 14 Sep - 22 Nov 2026: only October is a whole month.
    app = app_on_warehouse(start="2026-09-14", end="2026-11-22", grain="month")
    assert not app.exception
    assert _periods(app) == {"2026-10-01"}


def test_the_date_presets_snap_to_whole_weeks(app_on_warehouse):
    app = app_on_warehouse()
    dates = widget(app, "Dates")
    assert dates.value == "last_13_weeks"
    dates.set_value("last_4_weeks").run()
    assert url(app, "start") == ["2026-10-26"] and url(app, "end") == ["2026-11-22"]
    assert widget(app, "Decision dates").value == (dt.date(2026, 10, 26), dt.date(2026, 11, 22))
    widget(app, "Decision dates").set_value((dt.date(2026, 10, 1), dt.date(2026, 10, 20))).run()
    assert widget(app, "Dates").value == "custom"
