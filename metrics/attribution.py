"""Root causes: a rate's change split into segment contributions, each with its sampling error.

For a ratio metric ``p = sum(x) / sum(n)`` over segments with weights ``w = n / sum(n)``,

    p1 - p0 = sum w1 (p1 - p0)  +  sum (w1 - w0)(p0 - pbar0)
              (rate effect)        (mix effect)

exactly, because ``sum (w1 - w0) = 0``. A segment's contribution is its two terms; the
contributions of any partition of the rows (markets, labels, vendors...) add up to the
headline change. This is the additive split behind LinkedIn ThirdEye's dimension analysis
and Squeeze's ratio-metric attribution; Adtributor ranks by the same "explanatory power".
Those tools treat the counts as exact. Here each contribution also carries a standard error
and interval, so a small segment's noisy swing is not mistaken for a cause.

Sampling error (delta method, conditional on the denominators): writing ``d = w1 - w0``,
a contribution is linear in the segment rates,

    c_i = w1_i p1_i - (w0_i + d_i w0_i) p0_i - d_i sum_{j != i} w0_j p0_j ,

so with independent binomial rates its variance is exact given the rates:
``w1_i² v1_i + (w0_i (1 + d_i))² v0_i + d_i² sum_{j != i} w0_j² v0_j`` with ``v = p(1-p)/n``.
The plug-in rate is ``(x + 0.5) / (n + 1)`` so that a segment at 0% or 100% is not given
zero variance.

References
----------
Bhagwan R et al. (2014). Adtributor: revenue debugging in advertising systems. NSDI.
Li Z et al. (2019). Generic and robust localization of multi-dimensional root causes
(Squeeze). ISSRE.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm

from metrics.rates import counts, safe_rate

__all__ = ["ATTRIBUTION_COLUMNS", "decompose_change", "undo_change"]

ATTRIBUTION_COLUMNS = (
    "numerator_previous",
    "denominator_previous",
    "numerator_current",
    "denominator_current",
    "rate_previous",
    "rate_current",
    "weight_previous",
    "weight_current",
    "rate_effect",
    "mix_effect",
    "contribution",
    "contribution_se",
    "contribution_lower",
    "contribution_upper",
    "p_value",
)


def _summed(frame: pd.DataFrame, keys: list[str], numerator: str, denominator: str, suffix: str):
    """Return numerator and denominator summed per segment, as ``{name}_{suffix}`` columns."""
    parts = frame[[*keys, numerator, denominator]].set_axis(
        [*keys, f"numerator_{suffix}", f"denominator_{suffix}"], axis=1
    )
    return parts.groupby(keys, as_index=False, dropna=False, sort=True).sum()


def decompose_change(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    keys: Sequence[str],
    numerator: str,
    denominator: str,
    *,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Return one row per segment: its rate and mix effects on the overall change, in rate units.

    ``contribution = w1 (p1 - p0) + (w1 - w0)(p0 - pbar0)``; over all rows the contributions
    sum to ``pbar1 - pbar0``. A segment absent from the previous period takes ``p0 = pbar0``
    (its arrival changes the rate only by how its rate differs from the old average); a
    segment absent now contributes only its mix effect. ``contribution_lower/upper`` is the
    ``1 - alpha`` normal interval from the delta-method ``contribution_se`` (see module
    notes) and ``p_value`` the two-sided test of a zero contribution. Empty periods give an
    empty frame.
    """
    keys = list(keys)
    both = _summed(current, keys, numerator, denominator, "current").merge(
        _summed(previous, keys, numerator, denominator, "previous"), on=keys, how="outer"
    )
    for column in both.columns.difference(keys):
        both[column] = both[column].fillna(0)
    x1, n1 = counts(both, "numerator_current"), counts(both, "denominator_current")
    x0, n0 = counts(both, "numerator_previous"), counts(both, "denominator_previous")
    total1, total0 = n1.sum(), n0.sum()
    if total1 == 0 or total0 == 0:
        return pd.DataFrame(columns=[*keys, *ATTRIBUTION_COLUMNS])
    w1, w0 = n1 / total1, n0 / total0
    pbar0 = x0.sum() / total0
    p1 = safe_rate(x1, n1)
    p0 = np.where(n0 > 0, safe_rate(x0, n0), pbar0)
    p1_effect = np.where(n1 > 0, p1, 0.0)
    rate_effect = w1 * (p1_effect - p0)
    mix = w1 - w0
    mix_effect = mix * (p0 - pbar0)
    # Variance of each side's plug-in rate; 0 where the side has no observations.
    v1 = np.where(n1 > 0, _plug_in_variance(x1, n1), 0.0)
    v0 = np.where(n0 > 0, _plug_in_variance(x0, n0), 0.0)
    weighted_v0 = w0**2 * v0
    variance = w1**2 * v1 + (w0 * (1 + mix)) ** 2 * v0 + mix**2 * (weighted_v0.sum() - weighted_v0)
    se = np.sqrt(variance)
    contribution = rate_effect + mix_effect
    z = norm.isf(alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        # A contribution with no sampling error (whole populations) is certain unless zero.
        statistic = np.where(
            se > 0, np.abs(contribution) / se, np.where(contribution == 0, 0, np.inf)
        )
    return both.assign(
        rate_previous=np.where(n0 > 0, p0, np.nan),
        rate_current=np.where(n1 > 0, p1, np.nan),
        weight_previous=w0,
        weight_current=w1,
        rate_effect=rate_effect,
        mix_effect=mix_effect,
        contribution=contribution,
        contribution_se=se,
        contribution_lower=contribution - z * se,
        contribution_upper=contribution + z * se,
        p_value=2 * norm.sf(statistic),
    )[[*keys, *ATTRIBUTION_COLUMNS]]


def _plug_in_variance(successes: np.ndarray, trials: np.ndarray) -> np.ndarray:
    """Return ``p(1-p)/n`` with ``p = (x + 0.5)/(n + 1)``, never 0 for 0% or 100%."""
    rate = (successes + 0.5) / (trials + 1)
    return safe_rate(rate * (1 - rate), trials)


def undo_change(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    where: pd.Series,
    keys: Sequence[str],
    numerator: str,
    denominator: str,
    *,
    fallback_rate: float,
) -> pd.DataFrame:
    """Return ``current`` with the rows ``where`` selects set back to their previous rates.

    Each selected row keeps its current denominator and gets ``denominator * p0`` as its
    numerator, ``p0`` the previous rate of the row with the same ``keys`` (``fallback_rate``,
    e.g. the parent's previous rate, when that row had no previous data). What a child
    segment still contributes once its parent's change is undone is the part the parent does
    not explain.
    """
    keys = list(keys)
    summed = previous.groupby(keys, as_index=False, dropna=False)[[numerator, denominator]].sum()
    rates = summed.assign(_p0=safe_rate(counts(summed, numerator), counts(summed, denominator)))
    merged = current[keys].merge(rates[[*keys, "_p0"]], on=keys, how="left")
    selected = where.reindex(current.index, fill_value=False).to_numpy(dtype=bool)
    p0 = merged["_p0"].fillna(fallback_rate).to_numpy()[selected]
    undone = current.copy()
    undone[numerator] = counts(undone, numerator)
    undone.loc[selected, numerator] = counts(undone, denominator)[selected] * p0
    return undone
