"""The Overview page as a manager and a stakeholder use it: links in, widgets, links out."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.pages.conftest import texts

GOOD_LINK = {
    "start": "2026-09-14",
    "end": "2026-11-08",
    "grain": "week",
    "market": ["ID", "US"],
    "policy": ["listing"],
    "metric": "overturn_rate",
}


def url(app, key: str) -> list[str]:
    """Return the values of a query parameter in the app's URL, as a list."""
    value = app.query_params.get(key, [])
    return value if isinstance(value, list) else [value]


def widget(app, label):
    """Return the sidebar widget with this label."""
    for kind in (
        app.sidebar.multiselect,
        app.sidebar.selectbox,
        app.sidebar.date_input,
        app.sidebar.radio,
    ):
        for element in kind:
            if element.label == label:
                return element
    raise AssertionError(f"no sidebar widget labelled {label!r}")


def test_overview_renders_without_exception_on_the_default_view(app_on_warehouse):
    app = app_on_warehouse()
    assert not app.exception
    assert [metric.label for metric in app.metric] == [
        "Accuracy",
        "Over-enforcement rate",
        "Appeal overturn rate",
        "Penalty rate",
    ]
    assert all(metric.value.endswith("%") for metric in app.metric)
    assert url(app, "start") == ["2026-08-24"]
    assert url(app, "end") == ["2026-11-22"]


def test_a_link_with_filters_sets_the_widgets(app_on_warehouse):
    app = app_on_warehouse(**GOOD_LINK)
    assert not app.exception and not app.warning
    assert widget(app, "Markets").value == ["ID", "US"]
    assert widget(app, "Policy areas").value == ["listing"]
    assert widget(app, "Metric").value == "overturn_rate"
    assert widget(app, "Decision dates").value == (dt.date(2026, 9, 14), dt.date(2026, 11, 8))
    assert widget(app, "Period").value == "week"
    assert "Appeal overturn rate by market" in texts(app.subheader)


def test_changing_a_widget_updates_the_url(app_on_warehouse):
    app = app_on_warehouse(**GOOD_LINK)
    widget(app, "Markets").select("BR").run()
    widget(app, "Metric").select("penalty_rate").run()
    widget(app, "Period").set_value("month").run()
    assert url(app, "market") == ["ID", "US", "BR"]
    assert url(app, "metric") == ["penalty_rate"]
    assert url(app, "grain") == ["month"]
    assert url(app, "start") == ["2026-09-14"], "the rest of the view is kept"


def test_share_link_holds_the_whole_view(app_on_warehouse):
    app = app_on_warehouse(**GOOD_LINK)
    (link,) = [code.value for code in app.sidebar.code]
    assert link.endswith(
        "?start=2026-09-14&end=2026-11-08&grain=week&market=ID&market=US&policy=listing"
        "&metric=overturn_rate&judge=week&against=trailing&asof=2026-11-22T23%3A58%3A07Z"
    ), "the period judged, its comparison and the data's as-of time are in the link"


@pytest.mark.parametrize(
    ("params", "warning_part"),
    [
        ({"market": ["ZZ", "ID"]}, "“ZZ” is not a market in this warehouse"),
        ({"start": "2026-02-30"}, "start=“2026-02-30” is not a date"),
        ({"start": "2026-11-01", "end": "2026-10-01"}, "the two dates were swapped"),
        ({"market": "ID'; DROP TABLE decisions; --"}, "is not a market in this warehouse"),
        ({"metric": "1 OR 1=1"}, "is not a metric this page knows"),
    ],
)
def test_bad_links_warn_and_still_render(app_on_warehouse, params, warning_part):
    app = app_on_warehouse(**params)
    assert not app.exception
    assert any(warning_part in text for text in texts(app.warning))
    assert len(app.metric) == 4, "the rest of the view still loads"


def test_an_empty_period_says_there_is_no_data(app_on_warehouse):
    app = app_on_warehouse(start="2020-01-06", end="2020-02-02")
    assert not app.exception
    assert any(text.startswith("No data for 06 Jan 2020") for text in texts(app.info))


def test_an_unreachable_warehouse_shows_a_message_not_a_trace(app_on_warehouse, monkeypatch):
    monkeypatch.setenv("MODQA_WAREHOUSE_URL", "postgresql+psycopg://nobody:secret@127.0.0.1:9/x")
    app = app_on_warehouse(**GOOD_LINK)
    assert not app.exception
    (error,) = texts(app.error)
    assert "did not answer" in error and "secret" not in error
    assert [button.label for button in app.button] == ["Retry"]
