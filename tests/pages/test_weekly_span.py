"""A week= link sets the sidebar dates to the review span; its links carry exactly that span."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

from tests.pages.elements import table, url, widget

PAGE = "pages/weekly_review.py"
# 2026-W45 is Monday 2 Nov - Sunday 8 Nov; with its 12 baseline weeks it spans from 10 Aug.
SPAN = (dt.date(2026, 8, 10), dt.date(2026, 11, 8))


def test_a_week_link_sets_the_sidebar_dates_and_every_link_carries_them(app_on_warehouse):
    # The link's own dates disagree with the week: the week wins, as the page says.
    app = app_on_warehouse(
        page=PAGE,
        week="2026-W45",
        start="2026-10-01",
        end="2026-10-20",
        market=["BR", "ID"],
        section="moved",
    )
    assert not app.exception
    assert widget(app, "Decision dates").value == SPAN
    assert url(app, "start") == ["2026-08-10"] and url(app, "end") == ["2026-11-08"]
    (share,) = [code.value for code in app.sidebar.code]
    shared = parse_qs(urlsplit(share).query)
    assert (shared["start"], shared["end"], shared["week"]) == (
        ["2026-08-10"],
        ["2026-11-08"],
        ["2026-W45"],
    )
    assert shared["market"] == ["BR", "ID"]
    moved = table(app, "Open")
    assert len(moved) > 0
    for link in moved["Open"]:
        query = parse_qs(urlsplit(link).query)
        assert (query["start"], query["end"]) == (["2026-08-10"], ["2026-11-08"]), link
        assert set(query.get("market", ["BR"])) <= {"BR", "ID"}, link


def test_picking_another_week_moves_the_dates_with_it(app_on_warehouse):
    app = app_on_warehouse(page=PAGE, week="2026-W45")
    week = next(box for box in app.sidebar.selectbox if box.label == "Week")
    week.set_value("2026-W46").run()
    assert widget(app, "Decision dates").value == (dt.date(2026, 8, 17), dt.date(2026, 11, 15))
    assert url(app, "week") == ["2026-W46"] and url(app, "end") == ["2026-11-15"]
