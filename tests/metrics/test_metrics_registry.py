"""The metric registry declares every DESIGN.md rate once, and metric_rates applies it."""

import dataclasses

import pandas as pd
import pytest

from metrics.rates import metric_rates
from metrics.registry import METRICS, METRICS_BY_NAME, Metric, metrics_for

# numpy warnings (division by zero, invalid values) fail the test; others are not ours.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

COUNT_COLUMNS = {
    "inspections": {
        "inspections",
        "correct",
        "weight",
        "correct_weight",
        "weight_sq",
        "rejections_inspected",
        "over_enforced",
        "approvals_inspected",
        "under_enforced",
        "both_reject",
        "wrong_label",
    },
    "appeals": {"rejections", "appealed", "resolved", "overturned", "upheld", "pending"},
    "penalties": {"rejections", "penalties", "reversed"},
}

DECLARED = {
    "accuracy": ("correct", "inspections", True, "inspections"),
    "weighted_accuracy": ("correct_weight", "weight", True, "inspections"),
    "over_enforcement_rate": ("over_enforced", "rejections_inspected", False, "inspections"),
    "under_enforcement_rate": ("under_enforced", "approvals_inspected", False, "inspections"),
    "wrong_label_rate": ("wrong_label", "both_reject", False, "inspections"),
    "appeal_rate": ("appealed", "rejections", False, "appeals"),
    "overturn_rate": ("overturned", "resolved", False, "appeals"),
    "penalty_rate": ("penalties", "rejections", False, "penalties"),
    "penalty_reversal_rate": ("reversed", "penalties", False, "penalties"),
}


@pytest.mark.parametrize("name", DECLARED)
def test_registry_declares_the_design_metric(name):
    metric = METRICS_BY_NAME[name]
    numerator, denominator, higher_is_better, source = DECLARED[name]
    assert (metric.numerator, metric.denominator) == (numerator, denominator)
    assert metric.higher_is_better is higher_is_better
    assert metric.source == source


def test_every_metric_names_columns_of_its_count_frame():
    for metric in METRICS:
        columns = COUNT_COLUMNS[metric.source]
        assert {metric.numerator, metric.denominator} <= columns, metric.name
        assert metric.weight_sq is None or metric.weight_sq in columns


def test_only_weighted_accuracy_is_weighted():
    assert [m.name for m in METRICS if m.weighted] == ["weighted_accuracy"]
    assert METRICS_BY_NAME["weighted_accuracy"].weight_sq == "weight_sq"


def test_labels_are_human_readable():
    assert METRICS_BY_NAME["accuracy"].label == "Accuracy"
    assert METRICS_BY_NAME["over_enforcement_rate"].label == "Over-enforcement rate"
    assert METRICS_BY_NAME["overturn_rate"].label == "Appeal overturn rate"
    assert len({m.label for m in METRICS}) == len(METRICS)


def test_metric_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        METRICS[0].name = "renamed"  # type: ignore[misc]


def test_metrics_for_filters_by_source():
    assert [m.name for m in metrics_for("penalties")] == ["penalty_rate", "penalty_reversal_rate"]
    assert all(isinstance(m, Metric) for m in metrics_for("appeals"))


def test_metric_rates_adds_interval_and_copies_counts():
    frame = pd.DataFrame({"market_code": ["US"], "overturned": [15], "resolved": [148]})
    result = metric_rates(frame, METRICS_BY_NAME["overturn_rate"])
    # Newcombe (1998) Stat Med 17:857, Table I: 15/148 -> 0.0624 to 0.1605.
    assert result["lower"].iloc[0] == pytest.approx(0.0624, abs=5e-5)
    assert result["upper"].iloc[0] == pytest.approx(0.1605, abs=5e-5)
    assert result["numerator"].iloc[0] == 15
    assert result["denominator"].iloc[0] == 148
    assert result["enough_data"].iloc[0]


def test_metric_rates_uses_effective_n_for_weighted_accuracy():
    # weights 10 x 10: n_eff = 100² / 1000 = 10 < 30, so not enough data despite weight 100.
    frame = pd.DataFrame({"correct_weight": [80.0], "weight": [100.0], "weight_sq": [1000.0]})
    result = metric_rates(frame, METRICS_BY_NAME["weighted_accuracy"])
    assert result["rate"].iloc[0] == 0.8
    assert result["effective_n"].iloc[0] == 10
    assert not result["enough_data"].iloc[0]
    assert result["denominator"].iloc[0] == 100.0
