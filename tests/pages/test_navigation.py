"""Moving between pages keeps the shared filters and each page's own choices."""

from __future__ import annotations

from tests.pages.test_overview import url, widget


def test_filters_and_choices_survive_a_round_trip_through_another_page(app_on_warehouse):
    app = app_on_warehouse(market=["ID"], grain="month", metric="penalty_rate")
    app.switch_page("pages/labels.py").run()
    assert not app.exception
    assert widget(app, "Markets").value == ["ID"]
    assert widget(app, "Period").value == "month"
    assert url(app, "market") == ["ID"] and url(app, "grain") == ["month"]

    app.switch_page("pages/overview.py").run()
    assert widget(app, "Markets").value == ["ID"]
    assert widget(app, "Period").value == "month"
    assert widget(app, "Metric").value == "penalty_rate", "the page's choice is remembered"
    assert url(app, "metric") == ["penalty_rate"]
