"""Movers: which segments' rates changed between two periods, with false-discovery control.

"Moved" follows DESIGN.md: two-proportion test per segment, Benjamini-Hochberg at 5% across
every segment compared, segments below the minimum sample never flagged, ranked by effect size.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

from metrics.rates import MIN_SAMPLE, counts, safe_rate

__all__ = ["MOVER_COLUMNS", "bh_adjust", "compare_periods", "difference_test", "period_movers"]

MOVER_COLUMNS = (
    "numerator_current",
    "denominator_current",
    "rate_current",
    "numerator_previous",
    "denominator_previous",
    "rate_previous",
    "difference",
    "difference_lower",
    "difference_upper",
    "p_value",
    "p_adjusted",
    "moved",
    "judged",
)


def bh_adjust(p_values: ArrayLike) -> np.ndarray:
    """Return Benjamini-Hochberg adjusted p-values; NaN inputs stay NaN and leave the family.

    ``p_adj(i) = min over j >= i of min(1, m p(j) / j)`` for sorted p-values, m the number of
    finite p-values (statsmodels ``multipletests(method="fdr_bh")``).

    References
    ----------
    Benjamini Y, Hochberg Y (1995). Controlling the false discovery rate. JRSS B 57:289-300.
    """
    raw = np.asarray(p_values, dtype=float)
    adjusted = np.full(raw.shape, np.nan)
    finite = np.isfinite(raw)
    if finite.any():
        adjusted[finite] = multipletests(raw[finite], method="fdr_bh")[1]
    return adjusted


def difference_test(
    count_current: ArrayLike,
    nobs_current: ArrayLike,
    count_previous: ArrayLike,
    nobs_previous: ArrayLike,
    *,
    alpha: float = 0.05,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (lower, upper, p_value) for ``p_current - p_previous``; NaN where a side is 0/0.

    The interval is Newcombe's hybrid score interval (his method 10); the p-value is the
    pooled two-proportion z-test (score test without correction, equal to Pearson's
    chi-squared), both from statsmodels. Equal rates of 0 or 1 on both sides give p = 1.

    References
    ----------
    Newcombe RG (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. Stat Med 17:873-890.
    """
    arrays = np.broadcast_arrays(
        *(
            np.asarray(a, float)
            for a in (count_current, nobs_current, count_previous, nobs_previous)
        )
    )
    c1, n1, c2, n2 = arrays
    lower, upper, p_value = (np.full(c1.shape, np.nan) for _ in range(3))
    both = (n1 > 0) & (n2 > 0)
    pooled = safe_rate(c1 + c2, n1 + n2)
    # A pooled rate of 0 or 1 has zero variance: the sides are identical, nothing to test.
    testable = both & (pooled > 0) & (pooled < 1)
    p_value[both & ~testable] = 1.0
    # statsmodels also computes the ratio and odds ratio, which divide by zero at 0/n: muted.
    with np.errstate(divide="ignore", invalid="ignore"):
        if both.any():
            lower[both], upper[both] = confint_proportions_2indep(
                c1[both],
                n1[both],
                c2[both],
                n2[both],
                method="newcomb",
                compare="diff",
                alpha=alpha,
            )
        if testable.any():
            p_value[testable] = test_proportions_2indep(
                c1[testable],
                n1[testable],
                c2[testable],
                n2[testable],
                method="score",
                compare="diff",
                correction=False,
            ).pvalue
    # Newcombe's bounds are exact only up to rounding: 0/7 vs 7/7 gives -1.0000000000000002.
    return np.clip(lower, -1.0, 1.0), np.clip(upper, -1.0, 1.0), p_value


def _side(frame: pd.DataFrame, keys: list[str], names: dict[str, str], suffix: str):
    """Return one period's counts summed per segment, as ``{name}_{suffix}`` columns."""
    # Select before renaming: the frame may already hold "numerator"/"denominator" copies.
    summed = frame[[*keys, *names]].set_axis(
        [*keys, *(f"{name}_{suffix}" for name in names.values())], axis=1
    )
    if not keys:
        return summed.sum().to_frame().T
    return summed.groupby(keys, as_index=False, dropna=False, sort=False).sum()


def _test_counts(both: pd.DataFrame, suffix: str, weighted: bool) -> tuple[np.ndarray, ...]:
    """Return (successes, trials) for the test: raw counts, or Kish-effective ones if weighted."""
    numerator, denominator = (
        counts(both, f"numerator_{suffix}"),
        counts(both, f"denominator_{suffix}"),
    )
    if not weighted:
        return numerator, denominator
    effective_n = safe_rate(denominator**2, counts(both, f"weight_sq_{suffix}"))
    return safe_rate(numerator, denominator) * effective_n, effective_n


def compare_periods(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    keys: Sequence[str],
    numerator: str,
    denominator: str,
    *,
    min_sample: int = MIN_SAMPLE,
    fdr: float = 0.05,
    weight_sq: str | None = None,
) -> pd.DataFrame:
    """Return one row per segment comparing two periods: difference, CI, p-values, ``moved``.

    ``difference = rate_current - rate_previous`` with Newcombe's interval and the pooled
    two-proportion p-value (:func:`difference_test`); ``judged`` = both sides have at least
    ``min_sample``; ``p_adjusted`` is Benjamini-Hochberg over judged rows only (NaN otherwise);
    ``moved = judged & (p_adjusted < fdr)``. A segment missing from one side counts as 0/0.
    Rows are sorted judged first, then by ``abs(difference)`` descending. For a weighted
    metric pass ``weight_sq``: the test, interval and ``judged`` then use Kish's effective n
    (``weight² / weight_sq``), added as ``effective_n_current``/``effective_n_previous``.
    """
    keys = list(keys)
    names = {numerator: "numerator", denominator: "denominator"}
    if weight_sq is not None:
        names[weight_sq] = "weight_sq"
    sides = [
        _side(frame, keys, names, suffix)
        for frame, suffix in ((current, "current"), (previous, "previous"))
    ]
    both = sides[0].merge(sides[1], on=keys, how="outer") if keys else pd.concat(sides, axis=1)
    # The outer merge turns integer counts into floats; whole counts go back to integers.
    # One array for all count columns: per-column pandas calls were a fifth of this function.
    columns = [column for column in both.columns if column not in keys]
    filled = np.nan_to_num(both[columns].to_numpy(dtype=float, na_value=np.nan), nan=0.0)
    whole = (filled % 1 == 0).all(axis=0)
    both = both[keys].assign(
        **{
            column: filled[:, index].astype("int64") if whole[index] else filled[:, index]
            for index, column in enumerate(columns)
        }
    )
    c1, n1 = _test_counts(both, "current", weight_sq is not None)
    c2, n2 = _test_counts(both, "previous", weight_sq is not None)
    lower, upper, p_value = difference_test(c1, n1, c2, n2)
    judged = (n1 >= min_sample) & (n2 >= min_sample)
    p_adjusted = np.where(judged, bh_adjust(np.where(judged, p_value, np.nan)), np.nan)
    rate_current = safe_rate(counts(both, "numerator_current"), counts(both, "denominator_current"))
    rate_previous = safe_rate(
        counts(both, "numerator_previous"), counts(both, "denominator_previous")
    )
    result = both.assign(
        rate_current=rate_current,
        rate_previous=rate_previous,
        difference=rate_current - rate_previous,
        difference_lower=lower,
        difference_upper=upper,
        p_value=p_value,
        p_adjusted=p_adjusted,
        moved=judged & (p_adjusted < fdr),
        judged=judged,
    )
    extra = []
    if weight_sq is not None:
        result = result.assign(effective_n_current=n1, effective_n_previous=n2)
        extra = ["effective_n_current", "effective_n_previous"]
    ranked = (
        result[[*keys, *MOVER_COLUMNS, *extra]]
        .assign(_effect=result["difference"].abs())
        .sort_values(["judged", "_effect"], ascending=[False, False], na_position="last")
    )
    return ranked.drop(columns="_effect").reset_index(drop=True)


def period_movers(
    frame: pd.DataFrame,
    keys: Sequence[str],
    numerator: str,
    denominator: str,
    *,
    current: Hashable,
    previous: Hashable | None = None,
    period: str = "period",
    min_sample: int = MIN_SAMPLE,
    fdr: float = 0.05,
    weight_sq: str | None = None,
) -> pd.DataFrame:
    """Return :func:`compare_periods` for two periods of one frame (default: the one before).

    ``previous=None`` takes the latest period in ``frame[period]`` earlier than ``current``;
    with none earlier, every segment's previous side is 0/0 and nothing is judged.
    """
    periods = frame[period]
    if previous is None:
        earlier = periods[periods < current]
        previous = earlier.max() if len(earlier) else None
    current_rows = frame[periods == current]
    previous_rows = frame[periods == previous] if previous is not None else frame.iloc[0:0]
    return compare_periods(
        current_rows,
        previous_rows,
        keys,
        numerator,
        denominator,
        min_sample=min_sample,
        fdr=fdr,
        weight_sq=weight_sq,
    )
