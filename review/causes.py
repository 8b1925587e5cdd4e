"""Root causes of the week's significant headline changes, parents before their children.

Each headline change that moved against the previous week (overall, or in a market) is
split by :func:`metrics.attribution.decompose_change` across the dimensions its metric is
judged in. Testing is two-stage, as Benjamini & Bogomolov (2014) prescribe for families
selected by an earlier test: the review's Benjamini-Hochberg family selects R of its m judged
headline changes, and within each selected change the contributions get BH at ``fdr * R / m``.

A segment of another dimension whose contribution to the overall change disappears once a
significant market's change is undone (``undo_change``) is that market's child: the BR
penalty jump reads as one finding with its policy areas, labels and vendors under it. A
market's own breakdown (its policy areas, vendors...) also sits under that market's finding.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.attribution import decompose_change, undo_change
from metrics.movers import bh_adjust
from metrics.rates import safe_rate
from metrics.registry import METRICS_BY_NAME

# The dimensions a root cause is looked for in, and their group key.
DIMENSIONS = {
    "market": "market_code",
    "policy_area": "policy_area",
    "label": "label_code",
    "vendor": "vendor_code",
    "moderator": "moderator_id",
}
DIMENSION_LABELS = {
    "market": "market",
    "policy_area": "policy area",
    "label": "label",
    "vendor": "vendor",
    "moderator": "moderator",
}
# Labels carry appeals and penalties, moderators carry QA, as in the review's families.
METRIC_DIMENSIONS = {
    "accuracy": ("market", "policy_area", "vendor", "moderator"),
    "over_enforcement_rate": ("market", "policy_area", "vendor", "moderator"),
    "overturn_rate": ("market", "policy_area", "label", "vendor"),
    "penalty_rate": ("market", "policy_area", "label", "vendor"),
}
OVERALL = "overall"
# A child keeps less than this share of its contribution once its parent is undone.
EXPLAINED_SHARE = 0.5
CAUSE_COLUMNS = (
    "finding",
    "metric",
    "scope",
    "dimension",
    "segment",
    "headline_change",
    "rate_previous",
    "rate_current",
    "denominator_current",
    "rate_effect",
    "mix_effect",
    "contribution",
    "contribution_lower",
    "contribution_upper",
    "p_value",
    "p_adjusted",
    "significant",
    "parent",
    "size",
)


def cause_queries(metrics: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
    """Return the (source, group keys) count queries the root causes need, each once."""
    plan = []
    for name in metrics:
        source = METRICS_BY_NAME[name].source
        for dimension in METRIC_DIMENSIONS[name]:
            keys = ("market_code",) + (() if dimension == "market" else (DIMENSIONS[dimension],))
            if (source, keys) not in plan:
                plan.append((source, keys))
    return plan


def _frame_for(frames: dict, source: str, dimension: str) -> tuple[pd.DataFrame, list[str]]:
    key = DIMENSIONS[dimension]
    keys = ["market_code"] if dimension == "market" else ["market_code", key]
    return frames[(source, tuple(keys))], keys


def _family(
    frames: dict, name: str, scope: str, weeks: tuple[pd.Timestamp, pd.Timestamp]
) -> pd.DataFrame:
    """Return every contribution to one headline change (a metric, overall or in a market)."""
    metric = METRICS_BY_NAME[name]
    current_week, previous_week = weeks
    parts = []
    for dimension in METRIC_DIMENSIONS[name]:
        if scope != OVERALL and dimension == "market":
            continue
        frame, _ = _frame_for(frames, metric.source, dimension)
        if scope != OVERALL:
            frame = frame[frame["market_code"] == scope]
        key = DIMENSIONS[dimension]
        current = frame[frame["period"] == current_week]
        previous = frame[frame["period"] == previous_week]
        split = decompose_change(current, previous, [key], metric.numerator, metric.denominator)
        if split.empty:
            continue
        parts.append(
            split.assign(
                dimension=dimension,
                segment=split[key].astype(object).where(split[key].notna(), "automated"),
            ).drop(columns=[key])
        )
    if not parts:
        return pd.DataFrame()
    family = pd.concat(parts, ignore_index=True)
    change = _change(frames, metric, scope, weeks)
    return family.assign(metric=name, scope=scope, headline_change=change)


def _change(frames: dict, metric, scope: str, weeks) -> float:
    frame, _ = _frame_for(frames, metric.source, "market")
    if scope != OVERALL:
        frame = frame[frame["market_code"] == scope]
    rates = [
        safe_rate(
            frame.loc[frame["period"] == week, metric.numerator].sum(),
            frame.loc[frame["period"] == week, metric.denominator].sum(),
        )
        for week in weeks
    ]
    return float(rates[0] - rates[1])


def _parents(
    family: pd.DataFrame,
    frames: dict,
    weeks: tuple[pd.Timestamp, pd.Timestamp],
    critical: float,
) -> pd.Series:
    """Return, per row of an overall family, the significant market that explains it, or ""."""
    parent = pd.Series("", index=family.index, dtype=object)
    markets = family[(family["dimension"] == "market") & family["significant"]]
    if markets.empty:
        return parent
    metric = METRICS_BY_NAME[family["metric"].iloc[0]]
    current_week, previous_week = weeks
    candidates = family[(family["dimension"] != "market") & family["significant"]]
    for dimension, rows in candidates.groupby("dimension"):
        frame, keys = _frame_for(frames, metric.source, dimension)
        sides = (frame[frame["period"] == current_week], frame[frame["period"] == previous_week])
        every = _residual(sides, metric, keys, list(markets["segment"]))
        singles = {code: _residual(sides, metric, keys, [code]) for code in markets["segment"]}
        for index, row in rows.iterrows():
            left = every.loc[row["segment"]]
            explained = (
                abs(left["contribution"]) < EXPLAINED_SHARE * abs(row["contribution"])
                or left["p_value"] > critical
            )
            if not explained:
                continue
            # The market whose change alone removes most of the child's contribution.
            removed = {
                code: abs(row["contribution"]) - abs(split.loc[row["segment"], "contribution"])
                for code, split in singles.items()
            }
            parent.loc[index] = _finding_id(
                row["metric"], OVERALL, "market", max(removed, key=removed.get)
            )
    return parent


def _residual(sides, metric, keys: list[str], market_codes: list[str]) -> pd.DataFrame:
    """Return the contributions per segment of ``keys[-1]`` once the markets' change is undone."""
    current, previous = sides
    before = previous[previous["market_code"].isin(market_codes)]
    fallback = float(safe_rate(before[metric.numerator].sum(), before[metric.denominator].sum()))
    undone = undo_change(
        current,
        previous,
        current["market_code"].isin(market_codes),
        keys,
        metric.numerator,
        metric.denominator,
        fallback_rate=fallback,
    )
    key = keys[-1]
    split = decompose_change(undone, previous, [key], metric.numerator, metric.denominator)
    split["segment"] = split[key].astype(object).where(split[key].notna(), "automated")
    return split.set_index("segment")


def _finding_id(metric: str, scope: str, dimension: str, segment) -> str:
    return f"{metric}|{scope}|{dimension}|{segment}"


def root_causes(
    frames: dict,
    segments: pd.DataFrame,
    weeks: tuple[pd.Timestamp, pd.Timestamp],
    fdr: float,
) -> pd.DataFrame:
    """Return every contribution to the week's significant headline changes, one row each.

    ``frames`` maps (source, keys) to weekly count frames (see :func:`cause_queries`);
    ``segments`` is the review's segment table, whose overall and market rows against the
    previous week select the changes to explain; ``weeks`` is (reviewed, previous) Monday.
    ``significant`` passes BH within its change at ``fdr * R / m``; ``parent`` names the
    finding that explains a row ("" for a finding of its own); ``size`` is ``|contribution|``
    for ranking. Contributions are in rate units (x100 for points).
    """
    if segments.empty:
        return pd.DataFrame(columns=list(CAUSE_COLUMNS))
    headline = segments[
        segments["family"].isin((OVERALL, "market"))
        & segments["metric"].isin(list(METRIC_DIMENSIONS))
        & segments["previous_judged"].fillna(False).astype(bool)
    ]
    selected = headline[headline["previous_moved"].fillna(False).astype(bool)]
    if selected.empty:
        return pd.DataFrame(columns=list(CAUSE_COLUMNS))
    level = fdr * len(selected) / len(headline)
    families = []
    for _, row in selected.iterrows():
        scope = OVERALL if row["family"] == OVERALL else str(row["market_code"])
        family = _family(frames, row["metric"], scope, weeks)
        if family.empty:
            continue
        p_adjusted = bh_adjust(family["p_value"])
        significant = p_adjusted < level
        family = family.assign(p_adjusted=p_adjusted, significant=significant)
        critical = float(family.loc[significant, "p_value"].max()) if significant.any() else 0.0
        family["parent"] = (
            _parents(family, frames, weeks, critical)
            if scope == OVERALL
            else pd.Series("", index=family.index, dtype=object)
        )
        families.append(family)
    if not families:
        return pd.DataFrame(columns=list(CAUSE_COLUMNS))
    causes = pd.concat(families, ignore_index=True)
    causes["finding"] = [
        _finding_id(*values)
        for values in zip(
            causes["metric"], causes["scope"], causes["dimension"], causes["segment"], strict=True
        )
    ]
    # A market's own breakdown sits under that market's finding on the overall change.
    own = causes["scope"] != OVERALL
    market_finding = [
        _finding_id(metric, OVERALL, "market", scope)
        for metric, scope in zip(causes["metric"], causes["scope"], strict=True)
    ]
    known = set(causes.loc[causes["significant"], "finding"])
    causes["parent"] = np.where(
        own & pd.Series([f in known for f in market_finding], index=causes.index),
        market_finding,
        causes["parent"],
    )
    causes["size"] = causes["contribution"].abs()
    return causes.sort_values("size", ascending=False, kind="stable")[
        list(CAUSE_COLUMNS)
    ].reset_index(drop=True)


def top_causes(causes: pd.DataFrame) -> pd.DataFrame:
    """Return the significant contributions no other finding explains, largest first."""
    if causes.empty:
        return causes
    return causes[causes["significant"] & (causes["parent"] == "")].reset_index(drop=True)


def children_of(causes: pd.DataFrame, finding: str) -> pd.DataFrame:
    """Return the significant contributions a finding explains, largest first."""
    if causes.empty:
        return causes
    return causes[causes["significant"] & (causes["parent"] == finding)].reset_index(drop=True)
