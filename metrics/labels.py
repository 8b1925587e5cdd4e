"""Per-label performance: one row per rejection label with its rates, ranking and changes.

Pure pandas over the count frames ``data_access`` returns (no Streamlit, no SQL). Every rate
comes from :func:`metrics.rates.with_interval`, so a label's precision or overturn rate is
computed, banded and judged exactly as everywhere else on the dashboard.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from metrics.movers import compare_periods, difference_test
from metrics.rates import MIN_SAMPLE, safe_rate, with_interval
from metrics.registry import METRICS_BY_NAME, Metric

__all__ = [
    "APPROVE",
    "COUNT_COLUMNS",
    "LABEL_METRICS",
    "LABEL_METRICS_BY_NAME",
    "PRECISION",
    "RECALL",
    "disagreements",
    "label_changes",
    "label_count_table",
    "label_rates",
    "label_versus_rest",
    "metric_frame",
    "rank_labels",
]

APPROVE = "approve"

# DESIGN.md's label precision and recall; the registry holds only page-wide metrics, so the
# two per-label ones are declared here, in the registry's own record type.
PRECISION = Metric("precision", "Precision", "agreed", "predicted", True, "inspections")
RECALL = Metric("recall", "Recall", "agreed", "actual", True, "inspections")
LABEL_METRICS: tuple[Metric, ...] = (
    PRECISION,
    RECALL,
    METRICS_BY_NAME["wrong_label_rate"],
    METRICS_BY_NAME["appeal_rate"],
    METRICS_BY_NAME["overturn_rate"],
)
LABEL_METRICS_BY_NAME: dict[str, Metric] = {metric.name: metric for metric in LABEL_METRICS}

COUNT_COLUMNS = (
    "decisions",
    "rejections",
    "inspections",
    "predicted",
    "actual",
    "agreed",
    "both_reject",
    "wrong_label",
    "appealed",
    "resolved",
    "overturned",
)

CHANGE_COLUMNS = (
    "change",
    "change_lower",
    "change_upper",
    "rate_previous",
    "p_adjusted",
    "moved",
    "judged",
)


def label_count_table(
    labels: pd.DataFrame,
    area_decisions: pd.DataFrame,
    label_counts: pd.DataFrame,
    inspection_counts: pd.DataFrame,
    appeal_counts: pd.DataFrame,
) -> pd.DataFrame:
    """Return one row per label with any activity: ``label_code``, ``policy_area`` and counts.

    ``labels`` holds ``label_code`` and ``policy_area`` (the dimension table);
    ``area_decisions`` has ``policy_area`` and ``decisions``; ``label_counts`` is per label
    (``predicted``, ``actual``, ``agreed``); ``inspection_counts`` and ``appeal_counts`` are
    grouped by ``label_code`` (the moderator's label; its null group, approvals, is dropped).
    ``decisions`` is the label's policy-area volume, ``rejections`` the decisions rejected
    with the label and ``inspections`` the QA inspections of those rejections. Missing counts
    are 0; labels with no rejection, inspection or appeal are left out.
    """
    keyed = [
        label_counts[["label_code", "predicted", "actual", "agreed"]],
        inspection_counts[["label_code", "rejections_inspected", "both_reject", "wrong_label"]]
        .rename(columns={"rejections_inspected": "inspections"})
        .dropna(subset=["label_code"]),
        appeal_counts[["label_code", "rejections", "appealed", "resolved", "overturned"]].dropna(
            subset=["label_code"]
        ),
    ]
    table = labels[["label_code", "policy_area"]]
    for frame in keyed:
        table = table.merge(frame, on="label_code", how="left")
    table = table.merge(area_decisions[["policy_area", "decisions"]], on="policy_area", how="left")
    counts = table[list(COUNT_COLUMNS)].fillna(0).astype("int64")
    table = pd.concat([table[["label_code", "policy_area"]], counts], axis=1)
    active = table[["rejections", "predicted", "actual", "appealed"]].sum(axis=1) > 0
    return table[active].reset_index(drop=True)


def label_rates(
    counts: pd.DataFrame,
    metrics: Sequence[Metric] = LABEL_METRICS,
    *,
    min_sample: int = MIN_SAMPLE,
) -> pd.DataFrame:
    """Return the count table with, per metric, ``{name}``, ``{name}_lower``, ``{name}_upper``
    and ``{name}_enough_data`` (Wilson 95% interval; NaN where the denominator is 0).
    """
    result = counts
    for metric in metrics:
        result = with_interval(
            result, metric.numerator, metric.denominator, min_sample=min_sample, prefix="_"
        ).rename(
            columns={
                "_rate": metric.name,
                "_lower": f"{metric.name}_lower",
                "_upper": f"{metric.name}_upper",
                "_enough_data": f"{metric.name}_enough_data",
            }
        )
    return result


def rank_labels(rates: pd.DataFrame, metric: Metric, key: str = "label_code") -> pd.DataFrame:
    """Return the rows sorted worst first on ``metric``, with ``rank`` (1 = worst).

    Worst is the lowest rate when higher is better, else the highest. Rows whose metric has
    too small a sample are never ranked (``rank`` is missing) and go below all ranked rows,
    by ``key``, so a 3-of-4 overturn rate can never top the column.
    """
    enough = rates[f"{metric.name}_enough_data"].astype(bool)
    ranked = rates[enough].sort_values(
        [metric.name, key], ascending=[metric.higher_is_better, True], na_position="last"
    )
    unranked = rates[~enough].sort_values(key)
    ordered = pd.concat([ranked, unranked], ignore_index=True)
    rank = pd.array([*range(1, len(ranked) + 1), *([pd.NA] * len(unranked))], dtype="Int64")
    return ordered.assign(rank=rank)


def label_changes(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    metric: Metric,
    *,
    key: str = "label_code",
    min_sample: int = MIN_SAMPLE,
    fdr: float = 0.05,
) -> pd.DataFrame:
    """Return per label the change of ``metric`` against the previous period, and ``moved``.

    The count frames hold ``key`` and the metric's numerator and denominator per label (null
    labels are dropped). :func:`metrics.movers.compare_periods` gives the difference, its
    Newcombe interval and the two-proportion p-value; Benjamini-Hochberg runs across all the
    labels judged. Columns: ``key``, ``change``, ``change_lower``, ``change_upper``,
    ``rate_previous``, ``p_adjusted``, ``moved``, ``judged``.
    """
    # Approvals form a null-label group in counts by label_code; they are no label's change.
    current, previous = (frame.dropna(subset=[key]) for frame in (current, previous))
    compared = compare_periods(
        current,
        previous,
        [key],
        metric.numerator,
        metric.denominator,
        min_sample=min_sample,
        fdr=fdr,
    )
    renamed = compared.rename(
        columns={
            "difference": "change",
            "difference_lower": "change_lower",
            "difference_upper": "change_upper",
        }
    )
    return renamed[[key, *CHANGE_COLUMNS]]


def label_versus_rest(
    counts: pd.DataFrame, label: str, metric: Metric, *, key: str = "label_code"
) -> dict[str, float]:
    """Return the label's rate, the pooled rate of every other label, their difference, its
    Newcombe 95% interval and the two-proportion p-value (all NaN where a side is empty).
    """
    mine = counts[key] == label
    numerator = counts[metric.numerator].astype(float)
    denominator = counts[metric.denominator].astype(float)
    sides = [(numerator[chosen].sum(), denominator[chosen].sum()) for chosen in (mine, ~mine)]
    (own, own_n), (rest, rest_n) = sides
    lower, upper, p_value = difference_test(own, own_n, rest, rest_n)
    own_rate, rest_rate = safe_rate(own, own_n), safe_rate(rest, rest_n)
    return {
        "rate": float(own_rate),
        "rest_rate": float(rest_rate),
        "difference": float(own_rate - rest_rate),
        "difference_lower": float(lower),
        "difference_upper": float(upper),
        "p_value": float(p_value),
        "numerator": own,
        "denominator": own_n,
    }


def disagreements(
    confusion_counts: pd.DataFrame,
    label: str,
    *,
    side: str = "moderator_label",
    min_sample: int = MIN_SAMPLE,
) -> pd.DataFrame:
    """Return, for inspections where ``side`` chose ``label`` and the other side did not, one
    row per label the other side chose instead (``approve`` included), busiest first.

    ``side="moderator_label"`` answers "when the moderator said L and QA disagreed, what did
    QA say?"; ``side="qa_label"`` the reverse. Columns: ``label_code`` (the other side's
    label), ``numerator`` (its inspections), ``denominator`` (all inspections where ``side``
    chose L, agreed or not), and the share's ``rate``, ``lower``, ``upper``, ``enough_data``.
    """
    other = "qa_label" if side == "moderator_label" else "moderator_label"
    mine = confusion_counts[confusion_counts[side] == label]
    total = int(mine["inspections"].sum())
    instead = (
        mine[mine[other] != label]
        .groupby(other, as_index=False)["inspections"]
        .sum()
        .rename(columns={other: "label_code", "inspections": "numerator"})
    )
    instead = instead.assign(denominator=np.int64(total))
    rates = with_interval(instead, "numerator", "denominator", min_sample=min_sample)
    return rates.sort_values(
        ["numerator", "label_code"], ascending=[False, True], ignore_index=True
    )


def metric_frame(table: pd.DataFrame, metric: Metric, key: str = "label_code") -> pd.DataFrame:
    """Return one metric of a :func:`label_rates` table as a rate frame for charts: ``key``,
    ``rate``, ``lower``, ``upper``, ``enough_data``, ``numerator``, ``denominator``.
    """
    return pd.DataFrame(
        {
            key: table[key],
            "rate": table[metric.name],
            "lower": table[f"{metric.name}_lower"],
            "upper": table[f"{metric.name}_upper"],
            "enough_data": table[f"{metric.name}_enough_data"],
            "numerator": table[metric.numerator],
            "denominator": table[metric.denominator],
        }
    )
