"""The weekly review finds the planted signals in the week they start, and little else."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from review.narrative import summary_sentences
from review.weekly import IMMATURE, NO_EARLIER_DATA, explain_target
from review.weeks import iso_week
from tests.conftest import PLANTED_SPEC
from tests.review.conftest import (
    ACCURACY_WEEK,
    MODERATOR_WEEK,
    OVERTURN_WEEK,
    PENALTY_WEEK,
    SIGNALS,
)


def moved(review, metric: str, family: str, **keys: str) -> pd.DataFrame:
    """Return the review's moved rows for one metric and segment."""
    rows = review.movers
    rows = rows[(rows["metric"] == metric) & (rows["family"] == family)]
    for key, value in keys.items():
        rows = rows[rows[key] == value]
    return rows


def segment(review, metric: str, family: str, **keys: str) -> pd.Series:
    """Return the review's one row for a metric and segment."""
    rows = review.segments
    rows = rows[(rows["metric"] == metric) & (rows["family"] == family)]
    for key, value in keys.items():
        rows = rows[rows[key] == value]
    (index,) = rows.index
    return rows.loc[index]


def test_signal_weeks_are_the_weeks_the_readme_describes():
    # The demo ends on Sunday 2026-11-22, so its last week is 2026-W47.
    assert (ACCURACY_WEEK, OVERTURN_WEEK, PENALTY_WEEK, MODERATOR_WEEK) == (
        "2026-W44",
        "2026-W38",
        "2026-W45",
        "2026-W40",
    )


def test_the_appeal_and_penalty_signals_are_found_in_their_first_week(planted_review):
    overturn = planted_review(OVERTURN_WEEK)
    assert not overturn.appeals_immature, "the week is older than the appeal window"
    label = moved(overturn, "overturn_rate", "label", label_code=SIGNALS.overturn_label)
    assert len(label) == 1 and bool(label["worse"].iloc[0])
    penalty = planted_review(PENALTY_WEEK)
    jump = moved(penalty, "penalty_rate", "market", market_code=SIGNALS.penalty_jump_market)
    assert len(jump) == 1 and bool(jump["worse"].iloc[0])


def test_the_qa_signals_are_found_in_their_first_week(planted_review):
    accuracy = planted_review(ACCURACY_WEEK)
    drop = moved(accuracy, "accuracy", "market_policy", market_code="ID", policy_area="listing")
    assert len(drop) == 1 and bool(drop["worse"].iloc[0])
    assert len(moved(accuracy, "accuracy", "vendor", vendor_code="northwind")) == 1
    breaches = accuracy.breaches
    assert (
        (breaches["metric"] == "accuracy")
        & (breaches["market_code"] == "ID")
        & breaches["in_reviewed_week"]
    ).any(), "ID's accuracy p-chart breaks its lower limit"

    moderator = planted_review(MODERATOR_WEEK)
    low = moved(moderator, "accuracy", "moderator", moderator_id=SIGNALS.low_moderator)
    assert len(low) == 1 and low["rate"].iloc[0] < 0.7


def test_without_planted_signals_at_most_5_percent_of_judged_segments_are_flagged(
    unplanted_review,
):
    # Six weeks old enough for every metric, appeals included, to be judged. Counted over
    # every section: What moved, root causes, standing problems and pooled units.
    weeks = [f"2026-W{number}" for number in range(38, 44)]
    flagged = dict.fromkeys(("moved", "causes", "standing", "pooled"), 0)
    judged = dict.fromkeys(flagged, 0)
    breaches = points = 0
    for week in weeks:
        review = unplanted_review(week)
        flagged["moved"] += int(review.segments["moved"].sum())
        judged["moved"] += int(review.segments["judged"].sum())
        flagged["causes"] += int(review.causes["significant"].sum()) if len(review.causes) else 0
        judged["causes"] += len(review.causes)
        for section in ("standing", "pooled"):
            units = getattr(review, section)
            flagged[section] += int(units["flagged"].sum())
            judged[section] += int(units["judged"].sum())
        this_week = review.control[review.control["in_reviewed_week"]]
        breaches += int(this_week["breach"].sum())
        points += int(this_week["judged"].sum())
    assert judged["moved"] > 900 and judged["standing"] > 3000 and points > 100
    share = sum(flagged.values()) / sum(judged.values())
    assert share <= 0.05, f"{flagged} flagged of {judged} judged"
    assert breaches / points <= 0.05, f"{breaches} of {points} judged p-chart points breached"


def test_immature_appeal_weeks_are_not_judged(planted_review):
    review = planted_review(PENALTY_WEEK)
    assert review.appeals_immature
    overturn = review.segments[review.segments["metric"] == "overturn_rate"]
    assert not overturn["judged"].any()
    assert set(overturn["previous_reason"]) == {IMMATURE}
    assert any("younger than the 30-day appeal window" in s for s in summary_sentences(review))


def test_the_narrative_states_the_top_finding_with_its_numbers(planted_review):
    sentences = summary_sentences(planted_review(PENALTY_WEEK))
    # BR on the README's demo: 697 penalties of 2,157 rejections in W44, 1,405 of 2,233 in W45.
    assert (
        "Penalty rate in BR rose from 32.3% to 62.9% (+30.6 pts, significant) against 2026-W44"
        in sentences[3]
    )
    assert "so did its" in sentences[3], "BR's policy areas are folded into its sentence"
    # Named, not coded: "partner" and "ipr" are no words a reader knows.
    assert "Partner onboarding" in sentences[3] and "ipr" not in sentences[3]
    assert sentences[1].startswith("2026-W45 (2 Nov – 8 Nov 2026): 61,452 decisions")
    assert any(s.startswith("Below the minimum sample of 30: ") for s in sentences)


def test_the_first_week_in_the_data_judges_nothing(planted_review):
    review = planted_review(iso_week(PLANTED_SPEC.start))
    assert review.has_data and not review.has_previous
    assert not review.segments["judged"].any()
    assert set(review.segments["previous_reason"]) == {NO_EARLIER_DATA}
    assert "is the first week in the data" in summary_sentences(review)[1]


def test_a_week_without_data_says_so(planted_review):
    review = planted_review("2020-W02")
    assert not review.has_data and review.segments.empty and review.movers.empty
    assert summary_sentences(review) == [
        "No decisions in 2020-W02 (6 Jan – 12 Jan 2020) for this selection: there is nothing "
        "to review for that week."
    ]


def test_a_finding_links_to_the_page_and_filters_that_explain_it(planted_review):
    review = planted_review(PENALTY_WEEK)
    br = moved(review, "penalty_rate", "market", market_code="BR").iloc[0]
    target = explain_target(review, br)
    assert (target.page, target.filters.markets, target.filters.grain) == (
        "penalties",
        ("BR",),
        "week",
    )
    assert (target.filters.start, target.filters.end) == (
        dt.date(2026, 8, 10),
        dt.date(2026, 11, 8),
    )
    label = planted_review(OVERTURN_WEEK)
    row = moved(label, "overturn_rate", "label").iloc[0]
    target = explain_target(label, row)
    assert target.page == "labels" and target.filters.labels == ()
    assert target.choices == {
        "label_detail": SIGNALS.overturn_label,
        "label_sort": "overturn_rate",
        "drill_list": "appeals",
    }
