"""Control charts for one rate over time: p-chart or Laney p' limits and per-point rule flags.

statsmodels has no control charts, so the limits and run rules are written here by hand.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from metrics.rates import counts, safe_rate

__all__ = ["laney_sigma_z", "p_chart", "run_flags"]

# d2 for moving ranges of two points: E|X1 - X2| = 1.128 sigma (Montgomery, Appendix VI).
D2_MOVING_RANGE = 1.128


def _baseline_mask(frame: pd.DataFrame, baseline: pd.Series | np.ndarray | None) -> np.ndarray:
    """Return the baseline as a boolean array aligned to ``frame``'s rows (all True if None)."""
    if baseline is None:
        return np.ones(len(frame), dtype=bool)
    if isinstance(baseline, pd.Series):
        return baseline.reindex(frame.index, fill_value=False).to_numpy(dtype=bool)
    return np.asarray(baseline, dtype=bool)


def laney_sigma_z(rate: np.ndarray, centre: float, sigma_p: np.ndarray) -> float:
    """Return Laney's sigma_z: mean moving range of consecutive z-scores divided by 1.128.

    ``z_i = (p_i - p_bar) / sqrt(p_bar(1-p_bar)/n_i)``; ``sigma_z = mean|z_i - z_(i-1)| / d2``.
    NaN with fewer than two usable points.

    References
    ----------
    Laney DB (2002). Improved control charts for attributes. Quality Engineering 14:531-537.
    """
    usable = np.isfinite(rate) & (sigma_p > 0)
    z_scores = (rate[usable] - centre) / sigma_p[usable]
    if len(z_scores) < 2:
        return float("nan")
    return float(np.mean(np.abs(np.diff(z_scores))) / D2_MOVING_RANGE)


def run_flags(
    deviation: np.ndarray, run_length: int = 8, groups: np.ndarray | None = None
) -> np.ndarray:
    """Return True where a point completes ``run_length`` or more in a row on one side.

    A point on the centre line, or without a rate, ends a run, and so does a change of
    ``groups`` (one chart per group, rows in time order within each). This is Western
    Electric rule 4 (Statistical Quality Control Handbook, 1956): eight successive points on
    one side.
    """
    side = pd.Series(np.sign(np.nan_to_num(deviation, nan=0.0)))
    changed = side != side.shift()
    if groups is not None:
        group = pd.Series(groups)
        changed |= group != group.shift()
    position_in_run = side.groupby(changed.cumsum()).cumcount() + 1
    return ((side != 0) & (position_in_run >= run_length)).to_numpy()


def p_chart(
    frame: pd.DataFrame,
    numerator: str,
    denominator: str,
    *,
    baseline: pd.Series | np.ndarray | None = None,
    method: Literal["p", "laney"] = "p",
    sigma: float = 3.0,
    run_length: int = 8,
    by: str | None = None,
) -> pd.DataFrame:
    """Return the series with p-chart ``centre`` and per-point limits, and rule flags.

    ``centre = sum(numerator) / sum(denominator)`` over the baseline rows (all rows if None);
    limits ``centre ± sigma sqrt(centre(1-centre)/n_i)``, times Laney's ``sigma_z`` when
    ``method="laney"`` (for very large n, where between-period variation dominates), clipped
    to [0, 1]. Adds ``rate, centre, lower_limit, upper_limit, beyond_limits, run_of_eight,
    breach`` (breach = either rule). Rows must be in time order; points with n = 0 have no
    rate or limits and are never flagged. With ``by``, each value of that column is its own
    chart (its own centre, limits and runs), as if charted alone; its rows must be
    contiguous. Hand-written: statsmodels has no control charts.

    References
    ----------
    Montgomery DC (2009). Introduction to Statistical Quality Control, 6th ed., section 7.2.
    Laney DB (2002). Improved control charts for attributes. Quality Engineering 14:531-537.
    """
    if method not in ("p", "laney"):
        raise ValueError(f"method must be 'p' or 'laney', not {method!r}")
    num, den = counts(frame, numerator), counts(frame, denominator)
    in_baseline = _baseline_mask(frame, baseline) & (den > 0)
    groups = (
        pd.factorize(frame[by], use_na_sentinel=False)[0]
        if by is not None
        else np.zeros(len(frame), dtype=np.intp)
    )
    size = int(groups.max()) + 1 if len(groups) else 0
    centres = safe_rate(
        np.bincount(groups[in_baseline], num[in_baseline], minlength=size),
        np.bincount(groups[in_baseline], den[in_baseline], minlength=size),
    )
    centre = centres[groups]
    rate = safe_rate(num, den)
    sigma_p = np.sqrt(safe_rate(centre * (1 - centre), den))
    if method == "laney":
        sigma_z = np.empty(size)
        for group in range(size):
            rows = in_baseline & (groups == group)
            sigma_z[group] = laney_sigma_z(rate[rows], centres[group], sigma_p[rows])
        # A centre of 0 or 1 has zero width whatever sigma_z is; keep it rather than NaN.
        sigma_p = np.where(sigma_p > 0, sigma_p * sigma_z[groups], sigma_p)
    lower = np.clip(centre - sigma * sigma_p, 0.0, 1.0)
    upper = np.clip(centre + sigma * sigma_p, 0.0, 1.0)
    beyond = (rate > upper) | (rate < lower)
    run = run_flags(rate - centre, run_length, groups if by is not None else None)
    return frame.assign(
        rate=rate,
        centre=centre,
        lower_limit=lower,
        upper_limit=upper,
        beyond_limits=beyond,
        run_of_eight=run,
        breach=beyond | run,
    )
