"""QA coverage per stratum: how well the inspections done judge each stratum's accuracy.

Pure functions on the merged count frame of a period (decisions and inspection sums per
stratum). The weighted accuracy is the dashboard's (Hájek, Wilson interval on Kish's
effective n); the achieved margin is that interval's half-width; a stratum is judged at
the target when it has enough data to be judged at all and its margin is within target.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.allocation import needed_for_target, shrunk_error_rate
from metrics.rates import safe_rate, weighted_with_interval, with_interval

__all__ = ["MATERIAL_DIFFERENCE", "STATUS", "coverage_summary", "stratum_coverage"]

STATUS = {
    "at_target": "At target",
    "wider": "Too wide",
    "not_judged": "Not judgeable",
}
# Weighted and plain accuracy further apart than this (1 point) is worth a note.
MATERIAL_DIFFERENCE = 0.01


def stratum_coverage(frame: pd.DataFrame, *, target: float, min_sample: int) -> pd.DataFrame:
    """Return ``frame`` with coverage columns per stratum.

    ``frame`` holds ``decisions`` and the inspection counts (``inspections``, ``correct``,
    ``weight``, ``correct_weight``, ``weight_sq``; zero where nothing was inspected). Adds
    ``sampling_rate``, weighted ``accuracy`` with ``lower``/``upper``, ``effective_n``,
    ``margin`` (half the interval's width), ``plain_accuracy``, ``status`` (a ``STATUS``
    key) and ``needed``: extra inspections for the target margin (sample-size formula with
    the finite population correction at the error rate the interval allows nearest 50%, or,
    without inspections, the pooled rate; and never fewer than ``min_sample`` in all).
    """
    counts = frame.fillna(
        {c: 0 for c in ("inspections", "correct", "weight", "correct_weight", "weight_sq")}
    )
    weighted = weighted_with_interval(
        counts, "correct_weight", "weight", "weight_sq", min_sample=min_sample
    )
    plain = with_interval(counts, "correct", "inspections", min_sample=min_sample, prefix="plain_")
    inspections = counts["inspections"].to_numpy(float)
    decisions = counts["decisions"].to_numpy(float)
    margin = (weighted["upper"] - weighted["lower"]).to_numpy() / 2
    effective_n = np.nan_to_num(weighted["effective_n"].to_numpy())
    errors = np.nan_to_num(1 - weighted["rate"].to_numpy()) * effective_n
    pooled = errors.sum() / effective_n.sum() if effective_n.sum() > 0 else 0.5
    error_rate = shrunk_error_rate(errors, effective_n, float(np.clip(pooled, 0.005, 0.5)))
    # Plan at the interval's end nearer 50% (the larger variance): the interval shown is a
    # Wilson one, wider than the normal formula near 0 or 1, and the estimate of inspections
    # still needed must not say "none" beside a margin still too wide.
    far_end = np.clip(1 - weighted["lower"].to_numpy(), None, 0.5)
    error_rate = np.where(np.isnan(far_end), error_rate, np.maximum(error_rate, far_end))
    needed = needed_for_target(inspections, decisions, error_rate, target)
    needed = np.maximum(needed, np.clip(min_sample - inspections, 0, decisions - inspections))
    # Kish's n is exactly n for equal weights, but a warehouse sums floats in any order:
    # 29.999999999 effective inspections out of 30 must not flip a stratum to "not judged".
    judged = np.nan_to_num(weighted["effective_n"].to_numpy()) >= min_sample - 1e-6
    status = np.where(
        ~judged, "not_judged", np.where(margin <= target + 1e-12, "at_target", "wider")
    )
    return counts.assign(
        sampling_rate=safe_rate(inspections, decisions),
        accuracy=weighted["rate"],
        lower=weighted["lower"],
        upper=weighted["upper"],
        effective_n=weighted["effective_n"],
        margin=margin,
        plain_accuracy=plain["plain_rate"],
        status=status,
        # The sample-size formula corrects for a finite stratum, the displayed Wilson
        # interval does not: a stratum still shown too wide needs at least one more.
        needed=np.select(
            [status == "at_target", status == "wider"], [0, np.maximum(needed, 1)], needed
        ).astype("int64"),
    )


def coverage_summary(coverage: pd.DataFrame) -> dict:
    """Return the headline figures of a coverage frame: strata by status, inspections
    needed, and the overall weighted and plain accuracy with their difference."""
    totals = coverage[["correct", "inspections", "correct_weight", "weight"]].sum()
    weighted = float(safe_rate(totals["correct_weight"], totals["weight"]))
    plain = float(safe_rate(totals["correct"], totals["inspections"]))
    differs = coverage["status"].ne("not_judged") & (
        (coverage["accuracy"] - coverage["plain_accuracy"]).abs() >= MATERIAL_DIFFERENCE
    )
    return {
        "strata": len(coverage),
        "at_target": int((coverage["status"] == "at_target").sum()),
        "wider": int((coverage["status"] == "wider").sum()),
        "not_judged": int((coverage["status"] == "not_judged").sum()),
        "needed": int(coverage["needed"].sum()),
        "weighted_accuracy": weighted,
        "plain_accuracy": plain,
        "difference": weighted - plain,
        "strata_differing": int(differs.sum()),
    }
