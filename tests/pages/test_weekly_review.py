"""The Weekly review page as a stakeholder opens it: a link with a week, or none at all."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

from data_access.filters import Filters
from review.weekly import explain_target
from tests.pages.conftest import texts
from tests.pages.elements import table
from ui.links import View, view_params

PAGE = "pages/weekly_review.py"


def url(app, key: str) -> list[str]:
    """Return the values of a query parameter in the app's URL, as a list."""
    value = app.query_params.get(key, [])
    return value if isinstance(value, list) else [value]


def table_with(app, column: str):
    """Return the first dataframe on the page that has this column."""
    return table(app, column)


def summary(app) -> str:
    """Return the summary's bullet list as plain text."""
    (bullets,) = [text for text in texts(app.markdown) if text.startswith("- ")]
    return bullets.replace("\\", "")


def test_a_week_shows_headline_what_moved_and_breaches(app_on_warehouse):
    app = app_on_warehouse(page=PAGE, week="2026-W45")
    assert not app.exception and not app.warning
    assert texts(app.title) == ["Weekly review · 2026-W45"]
    # Below the headline one section at a time, the root causes first.
    assert texts(app.subheader) == ["Headline", "Root causes", "Actions due this week"]
    sections = {
        "moved": "What moved",
        "control": "Control-chart breaches",
        "standing": "Standing problems",
        "pooled": "Low-volume units (pooled)",
    }
    for section, heading in sections.items():
        opened = app_on_warehouse(page=PAGE, week="2026-W45", section=section)
        assert not opened.exception and not opened.warning
        assert texts(opened.subheader) == ["Headline", heading, "Actions due this week"]
        if section == "control":
            assert "No market broke a control-chart rule in the charted weeks." in texts(
                opened.info
            )
        (link,) = [code.value for code in opened.sidebar.code]
        assert parse_qs(urlsplit(link).query)["section"] == [section]
    app = app_on_warehouse(page=PAGE, week="2026-W45", section="moved")
    assert [metric.label for metric in app.metric] == [
        "Accuracy",
        "Over-enforcement rate",
        "Appeal overturn rate",
        "Penalty rate",
    ]
    moved = table_with(app, "Open")
    br = moved[(moved["Metric"] == "Penalty rate") & (moved["Segment"] == "Brazil")]
    assert len(br) == 1 and br["Open"].iloc[0].split("?")[0].endswith("/penalties")
    assert "Penalty rate in Brazil rose from" in summary(app)
    assert [button.label for button in app.get("download_button")] == [
        "Download report",
        "Download what moved (CSV)",
    ]
    (link,) = [code.value for code in app.sidebar.code]
    assert parse_qs(urlsplit(link).query)["week"] == ["2026-W45"]


def test_without_a_week_the_last_complete_week_is_shown_and_put_in_the_link(app_on_warehouse):
    app = app_on_warehouse(page=PAGE)
    assert not app.exception
    assert texts(app.title) == ["Weekly review · 2026-W47"]
    assert url(app, "week") == ["2026-W47"]


def test_a_week_without_data_says_so_and_draws_nothing_else(app_on_warehouse):
    app = app_on_warehouse(page=PAGE, week="2020-W02")
    assert not app.exception and not app.warning
    assert any(
        text.startswith("No decisions in 2020-W02 (6 Jan – 12 Jan 2020)")
        for text in texts(app.info)
    )
    assert texts(app.subheader) == [] and len(app.metric) == 0
    assert app.selectbox(key="choice_week").value == "2020-W02", "the picker keeps the week"


def test_the_first_week_in_the_data_has_nothing_to_compare_with(app_on_warehouse):
    app = app_on_warehouse(page=PAGE, week="2026-W38", section="moved")
    assert not app.exception and not app.warning
    assert "2026-W38 is the first week in the data: there is no previous week" in summary(app)
    assert "No change passed the movers' test this week." in texts(app.info)
    assert all(metric.delta in ("", None) for metric in app.metric), "no change to show"


@pytest.mark.parametrize("week", ["2026-W99", "2026-W40'; DROP TABLE decisions; --"])
def test_a_malformed_week_in_the_link_warns_and_shows_the_last_complete_week(
    app_on_warehouse, week
):
    app = app_on_warehouse(page=PAGE, week=week)
    assert not app.exception
    (warning,) = texts(app.warning)
    assert (
        "is not a week in ISO form (like 2026-W40) or latest, latest-1, … this page knows"
        in warning
    )
    assert "2026-W47 is shown instead" in warning
    assert texts(app.title) == ["Weekly review · 2026-W47"]
    assert url(app, "week") == ["2026-W47"]


def test_picking_a_week_puts_it_and_its_dates_in_the_link(app_on_warehouse):
    app = app_on_warehouse(page=PAGE, week="2026-W45")
    app.selectbox(key="choice_week").select("2026-W44").run()
    assert not app.exception
    assert texts(app.title) == ["Weekly review · 2026-W44"]
    assert url(app, "week") == ["2026-W44"]
    # The sidebar dates follow: the 12 baseline weeks and the reviewed week.
    assert (url(app, "start"), url(app, "end")) == (["2026-08-03"], ["2026-11-01"])


# One finding per destination page, as What moved would list it.
FINDINGS = [
    (
        "pages/overview.py",
        "accuracy",
        "market_policy",
        {"market_code": "ID", "policy_area": "listing"},
    ),
    ("pages/labels.py", "overturn_rate", "label", {"label_code": "listing_keyword_stuffing"}),
    ("pages/appeals.py", "overturn_rate", "market", {"market_code": "BR"}),
    ("pages/penalties.py", "penalty_rate", "label", {"label_code": "ipr_counterfeit"}),
    ("pages/vendors.py", "accuracy", "moderator", {"moderator_id": "M0042"}),
]


@pytest.mark.parametrize(("page", "metric", "family", "keys"), FINDINGS)
def test_a_what_moved_link_opens_its_page_without_a_warning(
    app_on_warehouse, page, metric, family, keys
):
    review = SimpleNamespace(filters=Filters(dt.date(2026, 8, 10), dt.date(2026, 11, 8)))
    row = pd.Series({"metric": metric, "family": family, **keys})
    target = explain_target(review, row)
    assert f"pages/{target.page or 'overview'}.py" == page
    params = view_params(View(filters=target.filters, choices=target.choices))
    app = app_on_warehouse(page=page, **params)
    assert not app.exception
    assert not app.warning, texts(app.warning)
    # The page kept every filter and choice of the link (it may add its own defaults).
    assert {key: url(app, key) for key in params} == params


def test_the_standing_window_is_in_the_link_and_sets_the_section(app_on_planted):
    app = app_on_planted(page=PAGE, week="2026-W40", standing_weeks="8")
    assert not app.exception and not app.warning
    assert "No headline change this week needed a root cause." in texts(app.info)
    app = app_on_planted(page=PAGE, week="2026-W40", standing_weeks="8", section="standing")
    assert not app.exception and not app.warning
    standing = table_with(app, "Out of line")
    harassment = standing[standing["Unit"] == "Harassment"]  # content_harassment's name
    assert harassment["Out of line"].iloc[0] == "since 2026-W33 (window start)"
    (link,) = [code.value for code in app.sidebar.code]
    assert parse_qs(urlsplit(link).query)["standing_weeks"] == ["8"]
    pooled = app_on_planted(page=PAGE, week="2026-W40", standing_weeks="8", section="pooled")
    assert table_with(pooled, "Pooled over")["Unit"].tolist()[:1] == ["M0123"]


def test_control_charts_default_to_the_reviewed_weeks_breaches(app_on_warehouse, raw):
    # The test warehouse breaks no control-chart rule, so by default no chart is drawn and
    # the page says how to see more; "Every market" draws one chart per market.
    quiet = app_on_warehouse(page=PAGE, week="2026-W45", section="control")
    assert not quiet.exception
    assert any(
        text.startswith("No market broke a rule in the reviewed week")
        for text in texts(quiet.caption)
    )
    every = app_on_warehouse(page=PAGE, week="2026-W45", charts="all", section="control")
    assert not every.exception and not every.warning
    markets = raw["decisions"]["market_code"].nunique()
    assert len(every.get("plotly_chart")) - len(quiet.get("plotly_chart")) == markets
    charted = app_on_warehouse(page=PAGE, week="2026-W45", charts="breaches", section="control")
    assert len(charted.get("plotly_chart")) == len(quiet.get("plotly_chart"))
