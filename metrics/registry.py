"""The dashboard's metrics, declared once: name, label, numerator, denominator, direction.

Pages, the weekly review and tests iterate :data:`METRICS` instead of naming columns, so a
rate is defined in one place (DESIGN.md, "Metric definitions").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["METRICS", "METRICS_BY_NAME", "Metric", "metrics_for"]

Source = Literal["inspections", "appeals", "penalties"]


@dataclass(frozen=True)
class Metric:
    """A ratio metric: ``numerator / denominator`` over the count frame named by ``source``.

    ``weight_sq`` names the column holding the sum of squared sampling weights; it is set only
    for weighted metrics, whose interval uses Kish's effective sample size.
    """

    name: str
    label: str
    numerator: str
    denominator: str
    higher_is_better: bool
    source: Source
    weight_sq: str | None = None

    @property
    def weighted(self) -> bool:
        """Return True when the metric is a sampling-weighted rate."""
        return self.weight_sq is not None


METRICS: tuple[Metric, ...] = (
    Metric("accuracy", "Accuracy", "correct", "inspections", True, "inspections"),
    Metric(
        "weighted_accuracy",
        "Weighted accuracy",
        "correct_weight",
        "weight",
        True,
        "inspections",
        weight_sq="weight_sq",
    ),
    Metric(
        "over_enforcement_rate",
        "Over-enforcement rate",
        "over_enforced",
        "rejections_inspected",
        False,
        "inspections",
    ),
    Metric(
        "under_enforcement_rate",
        "Under-enforcement rate",
        "under_enforced",
        "approvals_inspected",
        False,
        "inspections",
    ),
    Metric(
        "wrong_label_rate", "Wrong-label rate", "wrong_label", "both_reject", False, "inspections"
    ),
    Metric("appeal_rate", "Appeal rate", "appealed", "rejections", False, "appeals"),
    Metric("overturn_rate", "Appeal overturn rate", "overturned", "resolved", False, "appeals"),
    Metric("penalty_rate", "Penalty rate", "penalties", "rejections", False, "penalties"),
    Metric(
        "penalty_reversal_rate",
        "Penalty reversal rate",
        "reversed",
        "penalties",
        False,
        "penalties",
    ),
)

METRICS_BY_NAME: dict[str, Metric] = {metric.name: metric for metric in METRICS}


def metrics_for(source: Source) -> tuple[Metric, ...]:
    """Return the metrics computed from one count frame (``inspections``, ``appeals``, ...)."""
    return tuple(metric for metric in METRICS if metric.source == source)
