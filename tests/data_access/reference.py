"""Independent pandas computations of the contract's counts over raw rows.

Written from DESIGN.md's metric table, not from the SQL: the tests compare each query's
result with these, on every dialect.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from data_access.filters import Filters


def period(timestamps: pd.Series, grain: str) -> pd.Series:
    """Return the start of the day, Monday-started week or month of each timestamp."""
    days = timestamps.dt.floor("D")
    if grain == "day":
        return days
    if grain == "week":
        return days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    return days - pd.to_timedelta(days.dt.day - 1, unit="D")


def dimensions(decisions: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Return the decisions in the filters' markets, policy areas, vendors and queues."""
    keep = pd.Series(True, index=decisions.index)
    for values, column in (
        (filters.markets, "market_code"),
        (filters.policy_areas, "policy_area"),
        (filters.vendors, "vendor_code"),
        (filters.queues, "queue"),
        (filters.moderators, "moderator_id"),
    ):
        if values:
            keep &= decisions[column].isin(values)
    return decisions[keep]


def cohort(raw: dict[str, pd.DataFrame], filters: Filters) -> pd.DataFrame:
    """Return the filtered decisions, with ``period`` and ``label_code`` columns added."""
    decisions = dimensions(raw["decisions"], filters).copy()
    start = pd.Timestamp(filters.start)
    end = pd.Timestamp(filters.end + dt.timedelta(days=1))
    decisions = decisions[(decisions["decided_at"] >= start) & (decisions["decided_at"] < end)]
    decisions["period"] = period(decisions["decided_at"], filters.grain)
    decisions["label_code"] = decisions["rejection_label"]
    return decisions


def _grouped_sum(frame: pd.DataFrame, by: list[str], columns: list[str]) -> pd.DataFrame:
    if not by:
        return frame[columns].sum().to_frame().T.reset_index(drop=True)
    return frame.groupby(by, dropna=False)[columns].sum().reset_index()


def inspection_counts(raw, filters: Filters, by: list[str]) -> pd.DataFrame:
    """Return DESIGN.md's inspection counts per group, from raw rows."""
    decisions = cohort(raw, filters)
    if filters.labels:
        decisions = decisions[decisions["rejection_label"].isin(filters.labels)]
    rows = raw["qa_inspections"].merge(decisions, on="decision_id")
    same_outcome = rows["qa_outcome"] == rows["outcome"]
    rejected, approved = rows["outcome"] == "reject", rows["outcome"] == "approve"
    qa_rejected, qa_approved = rows["qa_outcome"] == "reject", rows["qa_outcome"] == "approve"
    correct = same_outcome & (approved | (rows["qa_label"] == rows["rejection_label"]))
    weight = rows["sampling_weight"]
    parts = pd.DataFrame(
        {
            "inspections": 1,
            "correct": correct.astype(int),
            "rejections_inspected": rejected.astype(int),
            "over_enforced": (rejected & qa_approved).astype(int),
            "approvals_inspected": approved.astype(int),
            "under_enforced": (approved & qa_rejected).astype(int),
            "both_reject": (rejected & qa_rejected).astype(int),
            "wrong_label": (
                rejected & qa_rejected & (rows["qa_label"] != rows["rejection_label"])
            ).astype(int),
            "weight": weight,
            "correct_weight": np.where(correct, weight, 0.0),
            "weight_sq": weight**2,
        }
    )
    parts[by] = rows[by].to_numpy() if by else None
    return _grouped_sum(parts, by, [c for c in parts.columns if c not in by])


def label_counts(raw, filters: Filters) -> pd.DataFrame:
    """Return per label: inspections the moderator labelled L, QA labelled L, and both."""
    decisions = cohort(raw, filters)
    rows = raw["qa_inspections"].merge(decisions, on="decision_id")
    labels = sorted(set(rows["rejection_label"].dropna()) | set(rows["qa_label"].dropna()))
    if filters.labels:
        labels = [label for label in labels if label in filters.labels]
    records = []
    for label in labels:
        predicted = rows["rejection_label"] == label
        actual = rows["qa_label"] == label
        records.append(
            {
                "label_code": label,
                "predicted": int(predicted.sum()),
                "actual": int(actual.sum()),
                "agreed": int((predicted & actual).sum()),
            }
        )
    return pd.DataFrame(records, columns=["label_code", "predicted", "actual", "agreed"])


def appeal_counts(raw, filters: Filters, by: list[str]) -> pd.DataFrame:
    """Return rejections and their appeals by outcome per decision-cohort group."""
    rejections = cohort(raw, filters)
    rejections = rejections[rejections["outcome"] == "reject"]
    appeals = raw["appeals"].merge(rejections[["decision_id", *by]], on="decision_id")
    base = rejections.assign(
        rejections=1, appealed=rejections["decision_id"].isin(appeals["decision_id"]).astype(int)
    )
    outcome = appeals["appeal_outcome"]
    appeal_parts = appeals[by].assign(
        resolved=outcome.isin(["upheld", "overturned"]).astype(int),
        overturned=(outcome == "overturned").astype(int),
        upheld=(outcome == "upheld").astype(int),
        pending=(outcome == "pending").astype(int),
    )
    left = _grouped_sum(base, by, ["rejections", "appealed"])
    right = _grouped_sum(appeal_parts, by, ["resolved", "overturned", "upheld", "pending"])
    if not by:
        return pd.concat([left, right], axis=1)
    return left.merge(right, on=by, how="left").fillna(0)


def appeal_flow_counts(raw, filters: Filters, by: list[str]) -> pd.DataFrame:
    """Return resolved appeals per resolution period and decision dimension."""
    decisions = dimensions(raw["decisions"], filters)
    appeals = raw["appeals"].merge(decisions, on="decision_id")
    start, end = pd.Timestamp(filters.start), pd.Timestamp(filters.end + dt.timedelta(days=1))
    appeals = appeals[(appeals["resolved_at"] >= start) & (appeals["resolved_at"] < end)]
    appeals = appeals.assign(
        period=period(appeals["resolved_at"], filters.grain),
        resolved=1,
        overturned=(appeals["appeal_outcome"] == "overturned").astype(int),
        upheld=(appeals["appeal_outcome"] == "upheld").astype(int),
    )
    return _grouped_sum(appeals, by, ["resolved", "overturned", "upheld"])


def resolution_hours(raw, filters: Filters, by: list[str]) -> pd.DataFrame:
    """Return the median and 90th percentile of resolution hours (numpy's linear quantile)."""
    rejections = cohort(raw, filters)
    appeals = raw["appeals"].merge(rejections[["decision_id", *by]], on="decision_id")
    appeals = appeals[appeals["resolved_at"].notna()]
    appeals["hours"] = (appeals["resolved_at"] - appeals["appealed_at"]).dt.total_seconds() / 3600
    grouped = appeals.groupby(by)["hours"]
    return pd.DataFrame(
        {
            "resolved": grouped.size(),
            "median_hours": grouped.quantile(0.5),
            "p90_hours": grouped.quantile(0.9),
        }
    ).reset_index()


def penalty_counts(raw, filters: Filters, by: list[str]) -> pd.DataFrame:
    """Return penalties, reversals, reversals after an overturn, points and rejections."""
    decisions = cohort(raw, filters)
    overturned = set(
        raw["appeals"].loc[raw["appeals"]["appeal_outcome"] == "overturned", "decision_id"]
    )
    rows = raw["penalties"].merge(decisions.drop(columns="seller_id"), on="decision_id")
    reversed_ = rows["reversed_at"].notna()
    parts = rows[by].assign(
        penalties=1,
        reversed=reversed_.astype(int),
        reversed_after_overturn=(reversed_ & rows["decision_id"].isin(overturned)).astype(int),
        points=rows["points"].fillna(0).astype(int),
    )
    counts = _grouped_sum(parts, by, ["penalties", "reversed", "reversed_after_overturn", "points"])
    if "penalty_type" in by:
        return counts
    rejections = _grouped_sum(
        decisions.assign(rejections=(decisions["outcome"] == "reject").astype(int)),
        by,
        ["rejections"],
    )
    if not by:
        return pd.concat([rejections, counts], axis=1)
    return rejections.merge(counts, on=by, how="left").fillna(0)
