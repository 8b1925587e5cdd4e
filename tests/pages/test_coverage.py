"""The QA coverage page and planner, driven like a QA lead: a link, a budget, a target."""

from __future__ import annotations

from tests.pages.conftest import texts
from tests.pages.elements import table, tiles, url
from tests.pages.test_access import ID_USER, signed_in  # noqa: F401 - a fixture

PAGE = "pages/coverage.py"


def test_coverage_and_plan_with_names_and_the_budget_spent(app_on_warehouse, raw):
    app = app_on_warehouse(page=PAGE, budget="1500")
    assert not app.exception and not app.error
    assert texts(app.title) == ["QA coverage"]
    shown = tiles(app)
    strata = raw["decisions"][["market_code", "policy_area", "vendor_code"]].drop_duplicates()
    # Every (market, policy area, vendor) with decisions in the range is a stratum.
    assert shown["Judged at ±5 points"].endswith(f" of {len(strata)}")
    coverage = table(app, "Needed")
    assert len(coverage) == len(strata)
    assert "United States · Listings · In-house team" in set(coverage["Stratum"])
    assert not coverage["Stratum"].str.contains("in_house|northwind").any(), "names, not codes"
    assert set(coverage["Status"]) <= {"At target", "Too wide", "Not judgeable"}
    plan = table(app, "± plan")
    assert plan["Plan"].sum() == 1500
    assert (plan["Plan"] - plan["Prop."]).tolist() == plan["Change"].tolist()
    assert "Strata judged at ±5 points" in shown
    labels = [button.label for button in app.get("download_button")]
    assert labels == [
        "Download coverage (CSV)",
        "Download the plan (CSV, with inclusion probabilities)",
    ]
    assert url(app, "budget") == ["1500"] and url(app, "target") == ["5"]


def test_a_budget_too_small_for_the_floors_gets_a_clear_message(app_on_warehouse):
    app = app_on_warehouse(page=PAGE, budget="10")
    assert not app.exception
    (message,) = [text for text in texts(app.error) if "floors" in text]
    assert message.startswith("A budget of 10 inspections cannot cover the floors, which need")
    assert "every stratum 2 inspections and every moderator 1" in message
    assert not any("± plan" in frame.value.columns for frame in app.dataframe)
    assert len(table(app, "Needed")) > 0, "the coverage table is still shown"


def test_budget_and_target_live_in_the_link_and_a_bad_value_is_dropped(app_on_warehouse):
    app = app_on_warehouse(page=PAGE, budget="12abc", target="10")
    assert not app.exception
    assert any("12abc" in text and "weekly budget" in text for text in texts(app.warning))
    assert "Judged at ±10 points" in tiles(app)
    app.number_input(key="input_budget").set_value(1600).run()
    assert url(app, "budget") == ["1600"] and url(app, "target") == ["10"]
    assert table(app, "± plan")["Plan"].sum() == 1600


def test_moderators_on_request(app_on_warehouse):
    app = app_on_warehouse(page=PAGE, budget="1500", rows="moderators", market=["SG"])
    assert not app.exception
    coverage = table(app, "Needed")
    assert coverage["Stratum"].str.startswith("Singapore · ").all()
    assert coverage["Moderator"].str.fullmatch(r"M\d{4}|auto-classifier").all()
    assert not coverage.duplicated(["Stratum", "Moderator"]).any()


def test_a_one_market_user_sees_and_plans_only_that_market(signed_in):  # noqa: F811
    app = signed_in(ID_USER, page=PAGE, budget="400")
    assert not app.exception and not app.error
    coverage = table(app, "Needed")
    plan = table(app, "± plan")
    assert coverage["Stratum"].str.startswith("Indonesia · ").all()
    assert plan["Stratum"].str.startswith("Indonesia · ").all()
    assert plan["Plan"].sum() == 400
