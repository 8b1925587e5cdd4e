"""The Penalties page: tiles that match the raw tables, rates by market and penalty type, the
points histogram, the immature reversal rate, empty selections and the planted BR jump."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.pages.elements import figure, texts, tiles, traces, url, widget
from ui.names import PENALTY_TYPE_NAMES

PAGE = "pages/penalties.py"
# The default view of the test warehouse: the 12 complete weeks before its last data.
START, END_EXCLUSIVE = pd.Timestamp("2026-08-31"), pd.Timestamp("2026-11-23")


def cohort_penalties(raw, markets=()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the default view's decisions and the penalties on them, from the raw tables."""
    decisions = raw["decisions"]
    decisions = decisions[
        (decisions["decided_at"] >= START) & (decisions["decided_at"] < END_EXCLUSIVE)
    ]
    if markets:
        decisions = decisions[decisions["market_code"].isin(markets)]
    penalties = raw["penalties"][raw["penalties"]["decision_id"].isin(decisions["decision_id"])]
    return decisions, penalties


def weekly(timestamps: pd.Series) -> pd.Series:
    """Return the Monday starting each timestamp's week."""
    days = timestamps.dt.floor("D")
    return days - pd.to_timedelta(days.dt.day_of_week, unit="D")


def test_the_page_renders_with_market_lines_by_default(app_on_warehouse):
    app = app_on_warehouse(page=PAGE)
    assert not app.exception
    assert list(tiles(app)) == [
        "Penalties",
        "Penalty rate",
        "Penalty reversal rate",
        "Reversed after an overturned appeal",
    ]
    assert url(app, "breakdown") == ["market_code"]
    lines = traces(figure(app, "penalties-trend-penalty_rate"), "rate")
    assert len(lines) == 6, "the six largest markets"


def test_tiles_count_penalties_and_reversals_after_an_overturn_like_the_raw_tables(
    app_on_warehouse, raw
):
    app = app_on_warehouse(page=PAGE, market=["BR", "ID"])
    decisions, penalties = cohort_penalties(raw, ("BR", "ID"))
    overturned = raw["appeals"].loc[raw["appeals"]["appeal_outcome"] == "overturned", "decision_id"]
    after = penalties["reversed_at"].notna() & penalties["decision_id"].isin(overturned)
    rejections = int((decisions["outcome"] == "reject").sum())
    assert after.sum() > 0
    shown = tiles(app)
    assert shown["Penalties"] == f"{len(penalties):,}"
    assert shown["Penalty rate"] == f"{len(penalties) / rejections:.1%}"
    assert shown["Reversed after an overturned appeal"] == (
        f"{int(after.sum()):,} · {after.sum() / len(penalties):.1%}"
    )


def test_penalty_rates_by_type_add_up_to_the_overall_rate_each_week(app_on_warehouse, raw):
    app = app_on_warehouse(page=PAGE)
    widget(app, "Break penalties down by").select("penalty_type").run()
    assert not app.exception
    assert url(app, "breakdown") == ["penalty_type"]
    lines = traces(figure(app, "penalties-trend-penalty_rate"), "rate")
    # Readable type names in the legend; the codes stay in the CSV.
    assert {line["name"] for line in lines} == {
        PENALTY_TYPE_NAMES[code] for code in raw["penalties"]["penalty_type"].unique()
    }
    summed = (
        pd.concat(pd.Series(line["y"], index=pd.to_datetime(line["x"])) for line in lines)
        .groupby(level=0)
        .sum()
    )
    decisions, penalties = cohort_penalties(raw)
    issued = penalties.merge(decisions[["decision_id", "decided_at"]], on="decision_id")
    rejections = decisions[decisions["outcome"] == "reject"]
    expected = (
        weekly(issued["decided_at"]).value_counts()
        / weekly(rejections["decided_at"]).value_counts()
    )
    pd.testing.assert_series_equal(
        summed.sort_index(), expected.sort_index(), check_names=False, check_freq=False
    )


def test_points_histogram_counts_every_penalty_with_points(app_on_warehouse, raw):
    app = app_on_warehouse(page=PAGE, section="mix")
    fig = figure(app, "penalties-points")
    (kept,), (reversed_,) = traces(fig, "kept"), traces(fig, "reversed")
    shown = {
        int(points): k + r
        for points, k, r in zip(kept["x"], kept["y"], reversed_["y"], strict=True)
    }
    _, penalties = cohort_penalties(raw)
    expected = penalties["points"].dropna().astype(int).value_counts().to_dict()
    assert shown == expected


def test_only_the_reversal_rate_is_marked_immature(app_on_warehouse):
    app = app_on_warehouse(page=PAGE)
    reversal = figure(app, "penalties-trend-penalty_reversal_rate")
    penalty = figure(app, "penalties-trend-penalty_rate")
    assert len(reversal["layout"]["shapes"]) == 1
    assert not penalty["layout"].get("shapes")
    assert traces(reversal, "note") and not traces(penalty, "note")


def test_an_empty_selection_says_so(app_on_warehouse):
    app = app_on_warehouse(page=PAGE, start="2020-01-06", end="2020-02-02")
    assert not app.exception
    assert any(text.startswith("No rejections for 06 Jan 2020") for text in texts(app.info))
    assert not app.metric


@pytest.mark.parametrize("breakdown", ["policy_area", "penalty_type"])
def test_every_breakdown_draws_without_error(app_on_warehouse, breakdown):
    charts_per_section = {"trend": 2, "mix": 2, "overturn": 1}
    for section, expected in charts_per_section.items():
        app = app_on_warehouse(page=PAGE, breakdown=breakdown, section=section)
        assert not app.exception and not app.warning
        assert len(app.get("plotly_chart")) == expected, section


def test_the_planted_penalty_jump_in_br_shows_on_the_default_view(app_on_planted):
    app = app_on_planted(page=PAGE)
    lines = traces(figure(app, "penalties-trend-penalty_rate"), "rate")
    (brazil,) = [line for line in lines if line["name"] == "Brazil"]
    rates = pd.Series(brazil["y"], index=pd.to_datetime(brazil["x"])).sort_index()
    assert len(rates) == 13, "the default view: the last 13 complete weeks"
    assert rates.iloc[-3:].min() > 1.6 * rates.iloc[:-3].max()
