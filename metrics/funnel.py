"""Funnel plots: limits around the overall rate as a function of volume, and each unit's place.

Vendors and moderators are compared on funnels, never on a bare leaderboard (DESIGN.md).
statsmodels has no funnel limits, so they are written here by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.stats import binom, norm

from metrics.rates import MIN_SAMPLE, counts, safe_rate

__all__ = ["funnel_limits", "funnel_positions"]

LEVELS = (0.95, 0.998)
Method = Literal["binomial", "normal", "exact"]
METHODS = ("binomial", "normal", "exact")


def level_suffix(level: float) -> str:
    """Return the column suffix of a limit level: 0.95 -> "95", 0.998 -> "998"."""
    return f"{level:g}".split(".")[1]


def _normal_limit(target: float, volume: np.ndarray, probability: float) -> np.ndarray:
    """Return ``target + z_p sqrt(target(1-target)/n)``, the normal approximation."""
    return target + norm.ppf(probability) * np.sqrt(safe_rate(target * (1 - target), volume))


def _interpolated_count(target: float, volume: np.ndarray, probability: float) -> np.ndarray:
    """Return Spiegelhalter's interpolated binomial quantile count ``r_p - a``.

    ``r_p`` is the p-quantile of Binomial(n, target) and
    ``a = (F(r_p) - p) / (F(r_p) - F(r_p - 1))``.
    """
    quantile = binom.ppf(probability, volume, target)
    at, below = binom.cdf(quantile, volume, target), binom.cdf(quantile - 1, volume, target)
    return quantile - safe_rate(at - probability, at - below)


def _exact_limit(target: float, volume: np.ndarray, probability: float) -> np.ndarray:
    """Return Spiegelhalter's interpolated binomial quantile as a rate, ``(r_p - a) / n``."""
    return safe_rate(_interpolated_count(target, volume, probability), volume)


def _binomial_limit(target: float, volume: np.ndarray, probability: float) -> np.ndarray:
    """Return the tail-calibrated interpolated binomial limit for one tail probability.

    The low limit is Spiegelhalter's ``(r_p - a) / n`` on the count of successes; the high
    limit is the same construction on the count of failures, mirrored: ``(n - r'_p + a') / n``
    with ``r'_p`` the p-quantile of Binomial(n, 1 - target).
    """
    if probability < 0.5:
        return _exact_limit(target, volume, probability)
    failures = _interpolated_count(1 - target, volume, 1 - probability)
    return safe_rate(volume - failures, volume)


def funnel_limits(
    overall_rate: float,
    volumes: ArrayLike,
    levels: Sequence[float] = LEVELS,
    *,
    method: Method = "binomial",
) -> pd.DataFrame:
    """Return ``volume`` and two-sided funnel limits ``lower_95, upper_95, lower_998, ...``.

    ``method="binomial"`` (default): exact binomial quantiles, interpolated as in
    Spiegelhalter's (2005) Appendix A.1.1, counted from the tail each limit guards: the low
    limit interpolates between ``r_p - 1`` and ``r_p`` successes, the high limit between
    ``r'_p - 1`` and ``r'_p`` failures (``r'_p`` the quantile of Binomial(n, 1 - theta)). A
    rate is flagged only when strictly outside, so the flagged counts are exactly those
    beyond the exact quantile and each side's false-flag rate is at most its nominal
    ``(1 - level) / 2`` at every rate and volume (tests/metrics/test_funnel_calibration.py
    checks the grid). The interpolation only smooths the drawn curve between whole counts.
    ``method="normal"``: ``theta ± z sqrt(theta(1-theta)/n)`` with z = 1.96 and 3.09; at
    accuracy near 0.96 and ~130 inspections its low side fires about 4x too often, because
    the binomial is skewed there. ``method="exact"``: the appendix's interpolation applied to
    successes on both sides; its high side can fire far more often than nominal at high
    rates (a unit with every inspection correct sits above it), kept for comparison.
    Volumes are rounded to whole inspections; limits are NaN for volume 0 and clipped to
    [0, 1]. Hand-written: statsmodels has no funnel limits.

    References
    ----------
    Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance.
    Stat Med 24:1185-1202.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    volume = np.rint(np.atleast_1d(np.asarray(volumes, dtype=float)))
    limit = {"binomial": _binomial_limit, "normal": _normal_limit, "exact": _exact_limit}[method]
    columns: dict[str, np.ndarray] = {"volume": volume}
    usable = volume > 0
    for level in levels:
        tail = (1 - level) / 2
        for side, probability in (("lower", tail), ("upper", 1 - tail)):
            values = np.full(volume.shape, np.nan)
            if 0 < overall_rate < 1:
                values[usable] = limit(overall_rate, volume[usable], probability)
            else:
                # A rate of exactly 0 or 1 has no binomial spread: the funnel is the line itself.
                values[usable] = overall_rate
            columns[f"{side}_{level_suffix(level)}"] = np.clip(values, 0.0, 1.0)
    return pd.DataFrame(columns)


def funnel_positions(
    frame: pd.DataFrame,
    numerator: str,
    denominator: str,
    *,
    min_sample: int = MIN_SAMPLE,
    level: float = 0.998,
    method: Method = "binomial",
    target: float | None = None,
) -> pd.DataFrame:
    """Return ``frame`` with each unit's rate, the funnel limits at its volume and its position.

    ``overall_rate = sum(numerator) / sum(denominator)`` over all units (or ``target``);
    ``position`` is "too small" below ``min_sample``, else "above"/"below" when the rate is
    outside the ``level`` limits (99.8% by default, 95% is the warning line), else "inside".
    Adds ``rate, overall_rate, lower_95, upper_95, lower_998, upper_998, position``.
    """
    num, den = counts(frame, numerator), counts(frame, denominator)
    overall = float(safe_rate(np.nansum(num), np.nansum(den))) if target is None else target
    levels = tuple(dict.fromkeys((*LEVELS, level)))
    limits = funnel_limits(overall, np.nan_to_num(den), levels, method=method)
    rate = safe_rate(num, den)
    suffix = level_suffix(level)
    position = np.select(
        [
            ~(den >= max(min_sample, 1)),
            rate > limits[f"upper_{suffix}"],
            rate < limits[f"lower_{suffix}"],
        ],
        ["too small", "above", "below"],
        default="inside",
    )
    return frame.assign(
        rate=rate,
        overall_rate=overall,
        **{name: limits[name].to_numpy() for name in limits.columns if name != "volume"},
        position=position,
    )
