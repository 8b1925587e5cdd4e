"""Trend per segment: is the rate rising or falling over the selected periods?"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from metrics.rates import counts

__all__ = ["logistic_trend", "trend_by_segment"]


def logistic_trend(
    period_index: np.ndarray,
    numerator: np.ndarray,
    denominator: np.ndarray,
    *,
    overdispersion: bool = True,
) -> tuple[float, float]:
    """Return (slope, p_value) of ``logit(rate) = a + slope * period_index``, binomial GLM.

    With ``overdispersion`` the standard error is scaled by ``sqrt(phi)``, ``phi`` = Pearson
    chi-squared / residual df when above 1 (quasi-binomial, t on the residual df), so
    period-to-period noise beyond binomial does not read as a trend. A rate of 0 or 1
    throughout is flat (0, 1.0); separation (say, no errors in any period but the last) has
    no finite maximum-likelihood slope and gives (NaN, NaN).

    References
    ----------
    McCullagh P, Nelder JA (1989). Generalized Linear Models, 2nd ed., sections 4.5 and 4.5.2.
    """
    if numerator.sum() == 0 or numerator.sum() == denominator.sum():
        return 0.0, 1.0
    endog = np.column_stack([numerator, denominator - numerator])
    exog = sm.add_constant(period_index.astype(float), has_constant="add")
    model = sm.GLM(endog, exog, family=sm.families.Binomial())
    # A saturated fit (two periods) has no residual df; statsmodels' internal WLS divides by it.
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        # statsmodels warns of "perfect prediction" for any exact fit too; separation is
        # judged below from the fitted probabilities instead.
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        fit = model.fit()
        if overdispersion and fit.df_resid > 0:
            dispersion = fit.pearson_chi2 / fit.df_resid
            if dispersion > 1:
                # An estimated dispersion calls for t, not z, on the residual df.
                fit = model.fit(scale=dispersion, use_t=True)
    fitted = np.asarray(fit.fittedvalues)
    if not np.isfinite(fit.params[1]) or np.any((fitted < 1e-8) | (fitted > 1 - 1e-8)):
        return float("nan"), float("nan")
    return float(fit.params[1]), float(fit.pvalues[1])


def _direction(slope: float, p_value: float, alpha: float) -> str:
    """Return "rising", "falling" or "flat" for a fitted slope and its p-value."""
    if not np.isfinite(p_value):
        return "not judged"
    if p_value >= alpha:
        return "flat"
    return "rising" if slope > 0 else "falling"


def trend_by_segment(
    frame: pd.DataFrame,
    keys: Sequence[str],
    numerator: str,
    denominator: str,
    *,
    period: str = "period",
    min_periods: int = 3,
    alpha: float = 0.05,
    overdispersion: bool = True,
) -> pd.DataFrame:
    """Return keys + ``slope`` (log-odds per period), ``p_value``, ``direction`` per segment.

    Fits :func:`logistic_trend` on the period index (0 for the earliest period in ``frame``,
    so gaps count). ``direction`` is "rising"/"falling" when ``p_value < alpha``, else "flat";
    "not judged" when fewer than ``min_periods`` periods have inspections (or no finite fit).
    """
    keys = list(keys)
    index_of = {value: position for position, value in enumerate(sorted(frame[period].unique()))}
    rows = []
    groups = frame.groupby(keys, sort=True, dropna=False) if keys else [((), frame)]
    for key, segment in groups:
        num, den = counts(segment, numerator), counts(segment, denominator)
        present = den > 0
        slope, p_value = float("nan"), float("nan")
        # A slope needs two distinct periods whatever min_periods says.
        if segment[period][present].nunique() >= max(min_periods, 2):
            position = segment[period].map(index_of).to_numpy()[present]
            slope, p_value = logistic_trend(
                position, num[present], den[present], overdispersion=overdispersion
            )
        key = key if isinstance(key, tuple) else (key,)
        rows.append((*key, slope, p_value, _direction(slope, p_value, alpha)))
    return pd.DataFrame(rows, columns=[*keys, "slope", "p_value", "direction"])
