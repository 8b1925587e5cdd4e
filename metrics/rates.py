"""Rates with 95% Wilson intervals and an "enough data" flag, plain and sampling-weighted.

Every displayed rate goes through this module, so a rate and its interval are computed one
way everywhere (DESIGN.md, "Statistical conventions").
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from statsmodels.stats.proportion import proportion_confint

from metrics.registry import Metric

__all__ = [
    "MIN_SAMPLE",
    "metric_rates",
    "safe_rate",
    "weighted_with_interval",
    "wilson_interval",
    "with_interval",
]

MIN_SAMPLE = 30


def counts(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Return a count column as a float array, NaN where the warehouse returned null."""
    return pd.to_numeric(frame[column]).to_numpy(dtype=float, na_value=np.nan)


def safe_rate(numerator: ArrayLike, denominator: ArrayLike) -> np.ndarray:
    """Return ``numerator / denominator``, NaN where the denominator is 0 or missing.

    An empty denominator is an empty rate by design (as ``zero_division=np.nan`` in
    scikit-learn), so no division warning is ever raised.
    """
    num, den = np.broadcast_arrays(np.asarray(numerator, float), np.asarray(denominator, float))
    rate = np.full(num.shape, np.nan)
    np.divide(num, den, out=rate, where=den > 0)
    return rate


def wilson_interval(
    successes: ArrayLike, trials: ArrayLike, alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """Return the Wilson score interval (lower, upper) of ``successes / trials``, NaN for n = 0.

    ``(p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)``, computed by statsmodels'
    ``proportion_confint(method="wilson")``; ``trials`` may be fractional (an effective n).

    References
    ----------
    Wilson EB (1927). Probable inference, the law of succession, and statistical inference.
    JASA 22:209-212. Newcombe RG (1998). Stat Med 17:857-872.
    """
    num, den = np.broadcast_arrays(np.asarray(successes, float), np.asarray(trials, float))
    lower, upper = np.full(num.shape, np.nan), np.full(num.shape, np.nan)
    known = (den > 0) & np.isfinite(num)
    if known.any():
        low, upp = proportion_confint(num[known], den[known], alpha=alpha, method="wilson")
        rate = num[known] / den[known]
        # Rounding can leave a bound a hair past the rate at 0/n or n/n; the interval must hold it.
        lower[known] = np.clip(np.minimum(low, rate), 0.0, 1.0)
        upper[known] = np.clip(np.maximum(upp, rate), 0.0, 1.0)
    return lower, upper


def with_interval(
    frame: pd.DataFrame,
    numerator: str,
    denominator: str,
    *,
    min_sample: int = MIN_SAMPLE,
    alpha: float = 0.05,
    prefix: str = "",
) -> pd.DataFrame:
    """Return ``frame`` with ``rate``, Wilson ``lower``/``upper`` and ``enough_data`` added.

    ``rate = numerator / denominator`` (NaN when the denominator is 0, with NaN bounds);
    ``enough_data = denominator >= min_sample``. Column names take ``prefix``.

    References
    ----------
    Brown LD, Cai TT, DasGupta A (2001). Interval estimation for a binomial proportion.
    Statistical Science 16:101-133.
    """
    num, den = counts(frame, numerator), counts(frame, denominator)
    lower, upper = wilson_interval(num, den, alpha)
    return frame.assign(
        **{
            f"{prefix}rate": safe_rate(num, den),
            f"{prefix}lower": lower,
            f"{prefix}upper": upper,
            f"{prefix}enough_data": den >= min_sample,
        }
    )


def weighted_with_interval(
    frame: pd.DataFrame,
    weighted_numerator: str,
    weight: str,
    weight_sq: str,
    *,
    min_sample: int = MIN_SAMPLE,
    alpha: float = 0.05,
    prefix: str = "",
) -> pd.DataFrame:
    """Return ``frame`` with a weighted ``rate``, Wilson bounds on Kish's effective n, and flags.

    ``rate = sum(w y) / sum(w)``; ``effective_n = sum(w)² / sum(w²)``; the Wilson interval
    treats ``rate * effective_n`` successes in ``effective_n`` trials, and ``enough_data`` is
    ``effective_n >= min_sample``. Adds ``rate, lower, upper, enough_data, effective_n``.

    References
    ----------
    Kish L (1965). Survey Sampling. Wiley, section 11.7 (design effect of weighting).
    Korn EL, Graubard BI (1998). Confidence intervals for proportions with small expected
    number of positive counts estimated from survey data. Survey Methodology 24:193-201.
    """
    weighted_num = counts(frame, weighted_numerator)
    total_weight, total_weight_sq = counts(frame, weight), counts(frame, weight_sq)
    effective_n = safe_rate(total_weight**2, total_weight_sq)
    rate = safe_rate(weighted_num, total_weight)
    lower, upper = wilson_interval(rate * effective_n, effective_n, alpha)
    return frame.assign(
        **{
            f"{prefix}rate": rate,
            f"{prefix}lower": lower,
            f"{prefix}upper": upper,
            f"{prefix}enough_data": effective_n >= min_sample,
            f"{prefix}effective_n": effective_n,
        }
    )


def metric_rates(
    frame: pd.DataFrame, metric: Metric, *, min_sample: int = MIN_SAMPLE, alpha: float = 0.05
) -> pd.DataFrame:
    """Return ``frame`` with the registry metric's rate, interval and flag, plus its counts.

    Dispatches to :func:`weighted_with_interval` for weighted metrics and to
    :func:`with_interval` otherwise; ``numerator``/``denominator`` columns copy the metric's
    count columns so charts can show them without knowing the metric.
    """
    if metric.weight_sq is not None:
        rates = weighted_with_interval(
            frame,
            metric.numerator,
            metric.denominator,
            metric.weight_sq,
            min_sample=min_sample,
            alpha=alpha,
        )
    else:
        rates = with_interval(
            frame, metric.numerator, metric.denominator, min_sample=min_sample, alpha=alpha
        )
    return rates.assign(numerator=frame[metric.numerator], denominator=frame[metric.denominator])
