"""The Vendors & moderators page: funnel plots with the metric library's limits, units outside
them listed, the vendor x market matrix, a vendor's trend, and a moderator's detail."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metrics.funnel import funnel_limits
from tests.pages.elements import figure, table, texts, tiles, traces, url, widget

PAGE = "pages/vendors.py"
START, END_EXCLUSIVE = pd.Timestamp("2026-08-31"), pd.Timestamp("2026-11-23")


def unit_ids(fig: dict) -> set[str]:
    """Return the ids of every unit drawn on a funnel plot."""
    return {row[0] for trace in traces(fig, "units") for row in trace["customdata"]}


def test_the_page_draws_both_funnels_and_keeps_its_choices_in_the_link(app_on_warehouse):
    app = app_on_warehouse(page=PAGE)
    assert not app.exception
    assert app.title[0].value == "Vendors & moderators"
    assert texts(app.subheader)[:3] == [
        "Vendors: accuracy against volume",
        "In-house team against all vendors",
        "Moderators: accuracy against volume",
    ]
    assert url(app, "funnel_metric") == ["accuracy"]
    assert url(app, "trend_vendor") == ["in_house"]
    assert url(app, "moderator") == [], "no moderator until one is clicked"
    moderators = figure(app, "vendors-funnel")
    assert len(unit_ids(moderators)) > 300
    assert "auto-classifier" not in unit_ids(moderators), "automated decisions are left out"


def test_funnel_limits_are_the_metric_librarys_around_the_overall_rate(app_on_warehouse):
    app = app_on_warehouse(page=PAGE)
    fig = figure(app, "vendors-funnel")
    (overall,) = traces(fig, "overall")
    limits = {trace["meta"]["bound"]: trace for trace in traces(fig, "limit")}
    assert set(limits) == {"lower_95", "upper_95", "lower_998", "upper_998"}
    volumes = np.asarray(limits["lower_998"]["x"], dtype=float)
    expected = funnel_limits(overall["y"][0], volumes)
    for bound, trace in limits.items():
        np.testing.assert_allclose(trace["y"], expected[bound], rtol=1e-9)


def test_units_outside_the_limits_are_listed_with_their_numbers(app_on_planted):
    app = app_on_planted(page=PAGE)
    assert not app.exception
    outside = table(app, "Moderator")
    assert {"Vendor", "Inspections", "Accuracy", "99.8% limits", "Position"} <= set(outside)
    for _, row in outside.iterrows():
        low, high = (float(bound) / 100 for bound in row["99.8% limits"].rstrip("%").split("–"))
        assert row["Inspections"] > 0
        # Outside its limits, on the side the table names (limits shown to 0.1 point).
        # The table shows accuracy in percent.
        if row["Position"] == "Below":
            assert row["Accuracy"] / 100 < low + 0.0005
        else:
            assert row["Accuracy"] / 100 > high - 0.0005
    below = outside[outside["Position"] == "Below"]
    assert "M0042" in set(below["Moderator"]), "the planted low moderator"
    (red,) = [
        t for t in traces(figure(app, "vendors-funnel"), "units") if t["name"] == "Below limits"
    ]
    assert "M0042" in {row[0] for row in red["customdata"]}


def test_the_vendor_matrix_greys_cells_below_the_minimum_sample(app_on_warehouse):
    app = app_on_warehouse(page=PAGE, section="markets")
    assert "Accuracy by vendor and market" in texts(app.subheader)
    fig = figure(app, "vendors-matrix")
    (judged,), (small,) = traces(fig, "rates"), traces(fig, "small sample")

    def denominators(trace):
        return [cell[4] for row in trace["customdata"] for cell in row if cell]

    assert denominators(small) and max(denominators(small)) < 30
    assert min(denominators(judged)) >= 30


def test_choosing_a_vendor_draws_it_against_all_vendors(app_on_warehouse):
    app = app_on_warehouse(page=PAGE)
    widget(app, "Vendor to follow").select("northwind").run()
    assert not app.exception
    assert url(app, "trend_vendor") == ["northwind"]
    assert "Northwind BPO against all vendors" in texts(app.subheader)
    fig = figure(app, "vendors-trend")
    assert [trace["name"] for trace in traces(fig, "reference")] == ["All vendors"]
    assert [trace["name"] for trace in traces(fig, "rate")] == ["Northwind BPO"]


def test_the_overturn_control_switches_both_funnels(app_on_warehouse):
    app = app_on_warehouse(page=PAGE)
    widget(app, "Compare on").select("overturn_rate").run()
    assert not app.exception
    assert url(app, "funnel_metric") == ["overturn_rate"]
    assert "Moderators: appeal overturn rate against volume" in texts(app.subheader)
    fig = figure(app, "vendors-funnel")
    assert fig["layout"]["yaxis"]["title"]["text"] == "Appeal overturn rate"
    assert fig["layout"]["xaxis"]["title"]["text"] == "resolved appeals"


def moderator_accuracy(raw, moderator: str) -> tuple[int, int]:
    """Return a moderator's correct and total inspections in the default view, from raw rows."""
    decisions = raw["decisions"]
    decisions = decisions[
        (decisions["moderator_id"] == moderator)
        & (decisions["decided_at"] >= START)
        & (decisions["decided_at"] < END_EXCLUSIVE)
    ]
    rows = raw["qa_inspections"].merge(decisions, on="decision_id")
    same = rows["qa_outcome"] == rows["outcome"]
    correct = same & (
        (rows["outcome"] == "approve") | (rows["qa_label"] == rows["rejection_label"])
    )
    return int(correct.sum()), len(rows)


def test_a_link_with_a_moderator_opens_their_detail(app_on_warehouse, raw):
    app = app_on_warehouse(page=PAGE, moderator="M0042")
    assert not app.exception
    assert url(app, "moderator") == ["M0042"]
    assert "Moderator M0042" in texts(app.subheader)
    correct, inspections = moderator_accuracy(raw, "M0042")
    assert inspections > 0
    assert tiles(app)["Accuracy"] == f"{correct / inspections:.1%}"
    assert any(f"{inspections:,} inspected decisions in" in text for text in texts(app.caption))
    drill = table(app, "Decision")
    assert set(drill["Moderator"]) == {"M0042"}
    assert any(
        f"{inspections:,} inspected decisions for moderator M0042" in t for t in texts(app.caption)
    )
    for key in ("moderator-trend", "moderator-label-mix", "moderator-error-mix"):
        assert figure(app, key)["data"], key
    (ring,) = traces(figure(app, "vendors-funnel"), "highlight")
    assert ring["name"] == "Selected: M0042"


def test_a_moderator_opened_with_the_funnel_closed_keeps_their_place(app_on_planted):
    app = app_on_planted(page=PAGE, moderator="M0042", section="markets")
    assert not app.exception
    assert "Moderator M0042" in texts(app.subheader)
    assert "vendors-funnel" not in [chart.key for chart in app.get("plotly_chart")]
    # The planted low moderator: below the funnel's limits, though the funnel is not drawn.
    assert any("below" in text.lower() and "limits" in text for text in texts(app.caption))


def test_closing_the_detail_removes_the_moderator_from_the_link(app_on_warehouse):
    app = app_on_warehouse(page=PAGE, moderator="M0042")
    app.button(key="close-moderator").click().run()
    assert not app.exception
    assert url(app, "moderator") == []
    assert "Moderator M0042" not in texts(app.subheader)


@pytest.mark.parametrize(
    ("params", "warning_part"),
    [
        ({"moderator": "M9999"}, "“M9999” is not a moderator this page knows"),
        ({"moderator": "M0042' OR 1=1"}, "is not a moderator this page knows"),
        ({"funnel_metric": "speed"}, "“speed” is not a funnel metric this page knows"),
    ],
)
def test_bad_choices_in_a_link_warn_and_the_page_still_draws(
    app_on_warehouse, params, warning_part
):
    app = app_on_warehouse(page=PAGE, **params)
    assert not app.exception
    assert any(warning_part in text for text in texts(app.warning))
    assert not any(text.startswith("Moderator ") for text in texts(app.subheader))
    assert figure(app, "vendors-funnel")["data"]


def test_an_empty_selection_says_so(app_on_warehouse):
    app = app_on_warehouse(page=PAGE, start="2020-01-06", end="2020-02-02", moderator="M0042")
    assert not app.exception
    assert any(text.startswith("No data for 06 Jan 2020") for text in texts(app.info))
    assert not app.get("plotly_chart")
