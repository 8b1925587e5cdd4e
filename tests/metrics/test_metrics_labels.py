"""Per-label table, ranking, changes and disagreements against numbers worked by hand."""

import numpy as np
import pandas as pd
import pytest

from metrics.labels import (
    LABEL_METRICS_BY_NAME,
    disagreements,
    label_changes,
    label_count_table,
    label_rates,
    label_versus_rest,
    metric_frame,
    rank_labels,
)
from metrics.movers import bh_adjust, difference_test

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

OVERTURN = LABEL_METRICS_BY_NAME["overturn_rate"]
PRECISION = LABEL_METRICS_BY_NAME["precision"]


@pytest.fixture
def counts() -> pd.DataFrame:
    """Four labels: spam and fraud busy, hate with few appeals, scam with nothing at all."""
    labels = pd.DataFrame(
        {
            "label_code": ["spam", "fraud", "hate", "scam"],
            "policy_area": ["listing", "listing", "content", "partner"],
        }
    )
    area_decisions = pd.DataFrame(
        {"policy_area": ["content", "listing", "partner"], "decisions": [500, 2000, 300]}
    )
    label_counts = pd.DataFrame(
        {
            "label_code": ["spam", "fraud", "hate"],
            "predicted": [100, 40, 10],
            "actual": [90, 50, 12],
            "agreed": [80, 36, 9],
        }
    )
    inspection_counts = pd.DataFrame(
        {
            "label_code": [None, "spam", "fraud", "hate"],
            "rejections_inspected": [0, 100, 40, 10],
            "both_reject": [0, 90, 38, 10],
            "wrong_label": [0, 10, 2, 1],
        }
    )
    appeal_counts = pd.DataFrame(
        {
            "label_code": ["spam", "fraud", "hate"],
            "rejections": [1000, 400, 120],
            "appealed": [100, 60, 6],
            "resolved": [90, 50, 4],
            "overturned": [45, 5, 4],
        }
    )
    return label_count_table(labels, area_decisions, label_counts, inspection_counts, appeal_counts)


def test_count_table_has_one_row_per_active_label_with_its_area_volume(counts):
    assert list(counts["label_code"]) == ["spam", "fraud", "hate"], "scam had no activity"
    spam = counts.set_index("label_code").loc["spam"]
    assert spam["decisions"] == 2000, "the listing area's decisions"
    assert (spam["rejections"], spam["inspections"], spam["resolved"]) == (1000, 100, 90)
    assert counts["inspections"].dtype == "int64"


def test_label_rates_follow_design_definitions(counts):
    rates = label_rates(counts).set_index("label_code")
    assert rates.loc["spam", "precision"] == pytest.approx(80 / 100)
    assert rates.loc["spam", "recall"] == pytest.approx(80 / 90)
    assert rates.loc["fraud", "wrong_label_rate"] == pytest.approx(2 / 38)
    assert rates.loc["fraud", "appeal_rate"] == pytest.approx(60 / 400)
    assert rates.loc["spam", "overturn_rate"] == pytest.approx(45 / 90)
    # Wilson 95% for 45/90, from statsmodels' proportion_confint(method="wilson").
    assert rates.loc["spam", "overturn_rate_lower"] == pytest.approx(0.398837, abs=1e-6)
    assert rates.loc["spam", "overturn_rate_upper"] == pytest.approx(0.601163, abs=1e-6)
    assert not rates.loc["hate", "overturn_rate_enough_data"], "4 resolved appeals"


def test_a_small_sample_never_tops_the_ranking_even_at_100_percent(counts):
    # hate: 4 of 4 appeals overturned (100%) but below the minimum sample.
    ranked = rank_labels(label_rates(counts), OVERTURN)
    assert list(ranked["label_code"]) == ["spam", "fraud", "hate"]
    assert ranked["rank"].tolist()[:2] == [1, 2]
    assert ranked["rank"].isna().tolist() == [False, False, True]


def test_ranking_puts_the_lowest_first_when_higher_is_better(counts):
    ranked = rank_labels(label_rates(counts, min_sample=5), PRECISION)
    # precision: spam 0.80, fraud 0.90, hate 0.90 (tie broken by name).
    assert list(ranked["label_code"]) == ["spam", "fraud", "hate"]
    assert list(ranked["rank"]) == [1, 2, 3]


def test_changes_are_judged_and_adjusted_across_labels():
    current = pd.DataFrame(
        {
            "label_code": ["spam", "fraud", "hate", None],
            "overturned": [45, 5, 4, 0],
            "resolved": [90, 50, 4, 0],
        }
    )
    previous = pd.DataFrame(
        {"label_code": ["spam", "fraud", "hate"], "overturned": [9, 6, 1], "resolved": [90, 60, 5]}
    )
    changes = label_changes(current, previous, OVERTURN).set_index("label_code")
    assert set(changes.index) == {"spam", "fraud", "hate"}, "approvals have no label"
    assert changes.loc["spam", "change"] == pytest.approx(45 / 90 - 9 / 90)
    assert changes.loc["spam", "change_lower"] > 0
    assert not changes.loc["hate", "judged"] and np.isnan(changes.loc["hate", "p_adjusted"])
    # BH over the two judged labels only.
    raw = [float(difference_test(45, 90, 9, 90)[2]), float(difference_test(5, 50, 6, 60)[2])]
    expected = bh_adjust(raw)
    assert changes.loc[["spam", "fraud"], "p_adjusted"].tolist() == pytest.approx(expected)
    assert changes.loc["spam", "moved"] and not changes.loc["fraud", "moved"]


def test_disagreements_list_what_qa_chose_instead_with_shares():
    confusion = pd.DataFrame(
        {
            "moderator_label": ["spam", "spam", "spam", "spam", "fraud", "approve"],
            "qa_label": ["spam", "approve", "fraud", "scam", "spam", "spam"],
            "inspections": [60, 25, 10, 5, 7, 3],
        }
    )
    instead = disagreements(confusion, "spam")
    assert list(instead["label_code"]) == ["approve", "fraud", "scam"]
    assert list(instead["numerator"]) == [25, 10, 5]
    assert set(instead["denominator"]) == {100}, "every inspection the moderator labelled spam"
    assert instead["rate"].tolist() == pytest.approx([0.25, 0.10, 0.05])
    reverse = disagreements(confusion, "spam", side="qa_label")
    assert list(reverse["label_code"]) == ["fraud", "approve"]
    assert set(reverse["denominator"]) == {70}


def test_disagreements_are_empty_when_qa_always_agreed():
    confusion = pd.DataFrame(
        {"moderator_label": ["spam"], "qa_label": ["spam"], "inspections": [12]}
    )
    assert disagreements(confusion, "spam").empty


def test_label_versus_rest_pools_every_other_label(counts):
    result = label_versus_rest(counts, "spam", OVERTURN)
    assert result["rate"] == pytest.approx(45 / 90)
    assert result["rest_rate"] == pytest.approx((5 + 4) / (50 + 4))
    assert result["difference_lower"] > 0
    assert (result["numerator"], result["denominator"]) == (45, 90)


def test_metric_frame_is_a_rate_frame_for_charts(counts):
    frame = metric_frame(label_rates(counts), OVERTURN)
    assert list(frame.columns) == [
        "label_code",
        "rate",
        "lower",
        "upper",
        "enough_data",
        "numerator",
        "denominator",
    ]
    assert frame.loc[0, "numerator"] == 45 and frame.loc[0, "denominator"] == 90
