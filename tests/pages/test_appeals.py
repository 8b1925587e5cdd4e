"""The Appeals page: cohort and flow views that reconcile with the raw tables, immature cohorts
marked, the funnel, and empty selections."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tests.pages.elements import figure, table, texts, tiles, traces, url, widget

PAGE = "pages/appeals.py"
LINK = {
    "start": "2026-09-14",
    "end": "2026-11-08",
    "market": ["ID", "US"],
    "policy": ["listing", "ipr"],
}
MARKETS, POLICIES = ("ID", "US"), ("listing", "ipr")
START, END_EXCLUSIVE = pd.Timestamp("2026-09-14"), pd.Timestamp("2026-11-09")


def in_dimensions(decisions: pd.DataFrame) -> pd.DataFrame:
    """Return the decisions in the link's markets and policy areas, whenever decided."""
    return decisions[
        decisions["market_code"].isin(MARKETS) & decisions["policy_area"].isin(POLICIES)
    ]


def raw_cohort_totals(raw) -> dict[str, int]:
    """Count, over the raw tables, the link's rejections and their appeals by outcome."""
    decisions = in_dimensions(raw["decisions"])
    decided = decisions["decided_at"]
    rejections = decisions[
        (decided >= START) & (decided < END_EXCLUSIVE) & (decisions["outcome"] == "reject")
    ]
    appeals = raw["appeals"][raw["appeals"]["decision_id"].isin(rejections["decision_id"])]
    outcome = appeals["appeal_outcome"]
    return {
        "Rejections": len(rejections),
        "Appealed": appeals["decision_id"].nunique(),
        "Resolved": int(outcome.isin(["upheld", "overturned"]).sum()),
        "Overturned": int((outcome == "overturned").sum()),
        "Upheld": int((outcome == "upheld").sum()),
        "Pending": int((outcome == "pending").sum()),
    }


def raw_flow_totals(raw) -> dict[str, int]:
    """Count, over the raw tables, appeals resolved in the link's dates on its decisions."""
    decisions = in_dimensions(raw["decisions"])
    appeals = raw["appeals"][raw["appeals"]["decision_id"].isin(decisions["decision_id"])]
    resolved = appeals[
        (appeals["resolved_at"] >= START)
        & (appeals["resolved_at"] < END_EXCLUSIVE)
        & appeals["appeal_outcome"].isin(["upheld", "overturned"])
    ]
    return {
        "Resolved": len(resolved),
        "Overturned": int((resolved["appeal_outcome"] == "overturned").sum()),
        "Upheld": int((resolved["appeal_outcome"] == "upheld").sum()),
    }


def shown_totals(app) -> dict[str, int]:
    """Return the totals table the page shows, stage -> number."""
    totals = table(app, "Stage")
    return dict(zip(totals["Stage"], totals["Number"].astype(int), strict=True))


def test_the_cohort_view_is_the_default_and_is_in_the_link(app_on_warehouse):
    app = app_on_warehouse(page=PAGE)
    assert not app.exception
    assert list(tiles(app)) == [
        "Appeal rate",
        "Appeal overturn rate",
        "Median resolution",
        "p90 resolution",
    ]
    assert url(app, "view") == ["cohort"]
    assert widget(app, "Count appeals by").value == "cohort"
    assert "Appeal rate and overturn rate by decision cohort" in texts(app.subheader)


def test_cohort_totals_equal_a_count_over_the_raw_tables(app_on_warehouse, raw):
    app = app_on_warehouse(page=PAGE, **LINK)
    assert not app.exception
    expected = raw_cohort_totals(raw)
    assert expected["Overturned"] > 0 and expected["Upheld"] > 0, "a telling selection"
    assert shown_totals(app) == expected
    (funnel,) = traces(figure(app, "appeals-funnel"), "funnel")
    assert funnel["y"] == ["Rejections", "Appealed", "Resolved", "Overturned"]
    assert funnel["x"] == [expected[stage] for stage in funnel["y"]]
    rate = expected["Appealed"] / expected["Rejections"]
    assert tiles(app)["Appeal rate"] == f"{rate:.1%}"


def test_flow_totals_equal_a_count_over_the_raw_tables(app_on_warehouse, raw):
    app = app_on_warehouse(page=PAGE, view="flow", **LINK)
    assert not app.exception
    expected = raw_flow_totals(raw)
    assert shown_totals(app) == expected
    assert tiles(app)["Resolved appeals"] == f"{expected['Resolved']:,}"
    overturn = expected["Overturned"] / expected["Resolved"]
    assert tiles(app)["Appeal overturn rate"] == f"{overturn:.1%}"
    assert shown_totals(app) != {
        stage: count
        for stage, count in raw_cohort_totals(raw).items()
        if stage in ("Resolved", "Overturned", "Upheld")
    }, "the two views count different appeals"


def test_choosing_the_flow_view_relabels_the_page_and_the_link(app_on_warehouse):
    app = app_on_warehouse(page=PAGE, **LINK)
    widget(app, "Count appeals by").select("flow").run()
    assert not app.exception
    assert url(app, "view") == ["flow"]
    assert url(app, "market") == ["ID", "US"], "the rest of the view is kept"
    assert "Overturn rate by resolution week (flow view)" in texts(app.subheader)
    assert any("flow view: appeals by resolution date" in text for text in texts(app.caption))
    assert "Appeal rate" not in tiles(app), "the appeal rate belongs to decision cohorts"


def immature_weeks(raw, window_days: int) -> list[pd.Timestamp]:
    """Return the default view's weeks that end within the appeal window of the latest data."""
    latest = raw["decisions"]["decided_at"].max()
    weeks = pd.date_range("2026-08-31", "2026-11-16", freq="7D")
    return [
        week for week in weeks if week + pd.Timedelta(days=7) > latest - dt.timedelta(window_days)
    ]


@pytest.mark.parametrize("window_days", [30, 7])
def test_cohorts_younger_than_the_appeal_window_are_faded_shaded_and_noted(
    app_on_warehouse, raw, monkeypatch, window_days
):
    monkeypatch.setenv("MODQA_APPEAL_WINDOW_DAYS", str(window_days))
    app = app_on_warehouse(page=PAGE)
    assert not app.exception
    expected = immature_weeks(raw, window_days)
    assert 0 < len(expected) < 12
    for key in ("appeals-trend-appeal_rate", "appeals-trend-overturn_rate"):
        fig = figure(app, key)
        (line,) = traces(fig, "rate")
        faded = [
            pd.Timestamp(period)
            for period, opacity in zip(line["x"], line["marker"]["opacity"], strict=True)
            if opacity < 1
        ]
        assert faded == expected
        assert [trace["name"] for trace in traces(fig, "note")] == [
            "Immature cohort: appeals still resolving"
        ]
        (shade,) = fig["layout"]["shapes"]
        assert pd.Timestamp(shade["x0"]) < expected[0] < pd.Timestamp(shade["x1"])
    note = next(text for text in texts(app.caption) if text.startswith("Shaded, faded points"))
    assert f"decisions from {expected[0]:%d %b %Y} on" in note
    assert f"{window_days}-day appeal window" in note


def test_overturn_rate_by_label_puts_the_planted_label_on_top(app_on_warehouse):
    app = app_on_warehouse(page=PAGE, section=["label"])
    bars = figure(app, "appeals-labels")
    assert bars["layout"]["yaxis"]["categoryarray"][0] == "listing_keyword_stuffing"


def test_resolution_times_are_drawn_per_market_with_median_and_p90(app_on_warehouse):
    app = app_on_warehouse(page=PAGE, market=["ID", "US"], section=["time"])
    fig = figure(app, "appeals-resolution-times")
    assert sorted({trace["meta"]["group"] for trace in traces(fig, "median")}) == ["ID", "US"]
    assert len(traces(fig, "p90")) == 2
    medians = {trace["meta"]["group"]: trace["y"] for trace in traces(fig, "median")}
    p90s = {trace["meta"]["group"]: trace["y"] for trace in traces(fig, "p90")}
    for market, values in medians.items():
        assert all(m <= p for m, p in zip(values, p90s[market], strict=True))


@pytest.mark.parametrize(
    ("view", "message"),
    [("cohort", "No rejections for 06 Jan 2020"), ("flow", "No appeals were resolved in 06 Jan")],
)
def test_an_empty_selection_says_so_in_both_views(app_on_warehouse, view, message):
    app = app_on_warehouse(page=PAGE, view=view, start="2020-01-06", end="2020-02-02")
    assert not app.exception
    assert any(text.startswith(message) for text in texts(app.info))
    assert not app.get("plotly_chart")


def test_an_unknown_view_in_a_link_warns_and_shows_the_cohort_view(app_on_warehouse):
    app = app_on_warehouse(page=PAGE, view="sideways")
    assert not app.exception
    assert any(
        "“sideways” is not a way of counting appeals this page knows" in text
        for text in texts(app.warning)
    )
    assert url(app, "view") == ["cohort"]
