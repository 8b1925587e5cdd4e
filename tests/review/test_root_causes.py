"""Root causes on the planted demo: the BR penalty jump is one finding, named first."""

from __future__ import annotations

import pytest

from review.causes import children_of, top_causes
from review.narrative import summary_sentences
from review.report import render_html
from review.tables import causes_table
from tests.review.conftest import ACCURACY_WEEK, PENALTY_WEEK, SIGNALS


def test_the_br_penalty_jump_is_one_root_cause_with_its_segments_under_it(planted_review):
    review = planted_review(PENALTY_WEEK)
    top = top_causes(review.causes)
    first = top.iloc[0]
    assert (first["metric"], first["scope"], first["dimension"], first["segment"]) == (
        "penalty_rate",
        "overall",
        "market",
        SIGNALS.penalty_jump_market,
    )
    # BR's weight is its share of rejections, so its contribution is about its share of the
    # +30.6 pts jump: 2,233 of the week's rejections; the interval excludes zero.
    assert first["contribution_lower"] > 0.02
    assert first["rate_previous"] == pytest.approx(697 / 2157)
    assert first["rate_current"] == pytest.approx(1405 / 2233)
    children = children_of(review.causes, first["finding"])
    areas = children[(children["dimension"] == "policy_area") & (children["scope"] == "BR")]
    assert set(areas["segment"]) == {"partner", "listing", "content", "ipr"}
    assert {"label", "vendor"} <= set(children["dimension"])
    # No penalty-rate finding of another kind stands on its own beside BR.
    assert (top["metric"] == "penalty_rate").sum() == 1


def test_contributions_add_up_to_each_headline_change(planted_review):
    causes = planted_review(PENALTY_WEEK).causes
    for _, rows in causes.groupby(["metric", "scope", "dimension"]):
        assert rows["contribution"].sum() == pytest.approx(rows["headline_change"].iloc[0])


def test_the_narrative_opens_with_the_largest_root_cause(planted_review):
    sentences = summary_sentences(planted_review(PENALTY_WEEK))
    assert sentences[0].startswith("Largest root cause: market BR, +3.7 pts")
    assert "change in overall penalty rate (32.3% to 62.9%)" in sentences[0]
    accuracy = summary_sentences(planted_review(ACCURACY_WEEK))
    assert accuracy[0].startswith("Largest root cause: policy area listing, -7.7 pts")


def test_the_page_table_and_report_show_root_causes(planted_review):
    review = planted_review(PENALTY_WEEK)
    table = causes_table(review)
    assert table.iloc[0]["Root cause"] == "market BR"
    assert table.iloc[0]["Moves with it"].startswith("4 policy areas")
    report = render_html(review)
    assert '<section id="root-causes">' in report and "What moves with market BR" in report
