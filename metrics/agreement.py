"""Agreement between moderators and QA: confusion matrix, per-label precision/recall, kappa."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import norm
from statsmodels.stats.inter_rater import cohens_kappa as sm_cohens_kappa

from metrics.rates import MIN_SAMPLE, with_interval

__all__ = ["KappaResult", "cohens_kappa", "confusion_matrix", "label_precision_recall"]

APPROVE = "approve"


def _label_order(counts: pd.DataFrame, labels: Sequence[str] | None, top: int | None) -> list:
    """Return the kept labels: "approve" first, then ``labels`` or the busiest labels."""
    if labels is not None:
        kept = [label for label in labels if label != APPROVE]
    else:
        volume = pd.concat(
            [
                counts.groupby("moderator_label")["inspections"].sum(),
                counts.groupby("qa_label")["inspections"].sum(),
            ]
        )
        volume = volume.groupby(level=0).sum().drop(APPROVE, errors="ignore")
        # Busiest first; ties broken by name so the order is stable between runs.
        ranked = sorted(volume.items(), key=lambda item: (-item[1], str(item[0])))
        kept = [label for label, _ in ranked]
    return [APPROVE, *(kept if top is None else kept[:top])]


def confusion_matrix(
    counts: pd.DataFrame,
    labels: Sequence[str] | None = None,
    *,
    top: int | None = None,
    other: str = "other",
    normalize: Literal["row", "column", "all"] | None = None,
) -> pd.DataFrame:
    """Return the square moderator-label (rows) x QA-label (columns) matrix of inspections.

    Cell (i, j) = inspections with ``moderator_label = i`` and ``qa_label = j``; "approve"
    comes first, then ``labels`` in the given order or all labels by volume. Labels not kept
    (not in ``labels``, or beyond the ``top`` busiest) are summed into ``other``, never
    dropped. ``normalize`` gives proportions of each row, column or the total; an empty row
    or column stays NaN, where scikit-learn's ``confusion_matrix`` would silently show 0.
    """
    if normalize not in (None, "row", "column", "all"):
        raise ValueError(f"normalize must be None, 'row', 'column' or 'all', not {normalize!r}")
    kept = _label_order(counts, labels, top)
    grouped = counts.assign(
        moderator_label=counts["moderator_label"].where(
            counts["moderator_label"].isin(kept), other
        ),
        qa_label=counts["qa_label"].where(counts["qa_label"].isin(kept), other),
    )
    order = kept + (
        [other] if (grouped[["moderator_label", "qa_label"]] == other).any().any() else []
    )
    matrix = (
        grouped.pivot_table(
            index="moderator_label",
            columns="qa_label",
            values="inspections",
            aggfunc="sum",
            fill_value=0,
        )
        .reindex(index=order, columns=order, fill_value=0)
        .astype("int64")
    )
    matrix.index.name, matrix.columns.name = "moderator_label", "qa_label"
    if normalize is None:
        return matrix
    if normalize == "all":
        total = matrix.to_numpy().sum()
        return matrix / total if total > 0 else matrix * np.nan
    axis = 1 if normalize == "row" else 0
    totals = matrix.sum(axis=axis)
    return matrix.div(totals.where(totals > 0), axis=1 - axis)


def label_precision_recall(
    label_counts: pd.DataFrame, *, min_sample: int = MIN_SAMPLE, alpha: float = 0.05
) -> pd.DataFrame:
    """Return the label frame with per-label precision and recall and their Wilson bounds.

    ``precision = agreed / predicted`` (of the moderators' uses of L, the share QA confirmed);
    ``recall = agreed / actual`` (of QA's L, the share moderators caught). Adds ``precision,
    precision_lower, precision_upper, precision_enough_data`` and the same for ``recall``;
    NaN where the denominator is 0.
    """
    result = with_interval(
        label_counts, "agreed", "predicted", min_sample=min_sample, alpha=alpha, prefix="precision_"
    )
    result = with_interval(
        result, "agreed", "actual", min_sample=min_sample, alpha=alpha, prefix="recall_"
    )
    return result.rename(columns={"precision_rate": "precision", "recall_rate": "recall"})


@dataclass(frozen=True)
class KappaResult:
    """Cohen's kappa with its asymptotic standard error and confidence bounds."""

    kappa: float
    std_error: float
    lower: float
    upper: float
    n: int


def cohens_kappa(matrix: pd.DataFrame | np.ndarray, *, alpha: float = 0.05) -> KappaResult:
    """Return Cohen's kappa of a square count table with its standard error and interval.

    ``kappa = (p_o - p_e) / (1 - p_e)``, observed vs chance agreement; the standard error is
    the large-sample one of Fleiss, Cohen & Everitt (1969), from statsmodels'
    ``cohens_kappa``; bounds are ``kappa ± z(1 - alpha/2) se``. All NaN for an empty table
    or one where chance agreement is certain (a single category used by both sides).

    References
    ----------
    Cohen J (1960). A coefficient of agreement for nominal scales. Educ Psychol Meas 20:37-46.
    Fleiss JL, Cohen J, Everitt BS (1969). Large sample standard errors of kappa and weighted
    kappa. Psychol Bull 72:323-327.
    """
    table = np.asarray(matrix, dtype=float)
    if table.ndim != 2 or table.shape[0] != table.shape[1]:
        raise ValueError(f"kappa needs a square table, got shape {table.shape}")
    n = int(round(table.sum()))
    total = table.sum()
    chance = (table.sum(axis=0) * table.sum(axis=1)).sum() / total**2 if total > 0 else 1.0
    if chance >= 1.0:
        return KappaResult(np.nan, np.nan, np.nan, np.nan, n)
    result = sm_cohens_kappa(table)
    z = norm.ppf(1 - alpha / 2)
    kappa, std_error = float(result.kappa), float(result.std_kappa)
    return KappaResult(
        kappa, std_error, float(kappa - z * std_error), float(kappa + z * std_error), n
    )
