"""Did an action work? Segmented regression of weekly counts around the action's start.

Interrupted time series on the weekly numerator/denominator counts, as a binomial GLM:

    logit p_t = b0 + b1 t + b2 post_t + b3 (t - t0) post_t

``b2`` is the level change at the start, ``b3`` the slope change after it. The effect
reported is the change in points at the *end of the evaluation window*: the fitted rate
with the action minus the counterfactual rate without it (``b2 = b3 = 0``), in the last
window week. With a control series (markets outside the action's scope) the model is fitted
on both series with a ``treated`` interaction on every term, and the effect is the
treated-only level and slope change: a difference-in-differences on the logit scale, so a
shift shared with the control markets (a season, a tooling change everywhere) is removed.

Choices, and why:

* **Quasi-binomial scale** (Pearson chi-squared / residual df, floored at 1; t on the
  residual df), not HAC errors: weekly quality rates vary beyond binomial (mix of items,
  reviewers), which the scale absorbs; HAC kernels need far more than the 10-30 weekly
  points an action has, and are anti-conservative on short series (Andrews 1991). The floor
  at 1 keeps a series that happens to look under-dispersed from narrowing the interval.
* **Delta method** for the interval of the effect (a smooth function of four estimated
  parameters), on the t quantile of the residual df: deterministic, instant, and its
  coverage is checked by the seeded simulations in ``tests/metrics/test_impact.py``.
* **Pre-registered window**: only the ``window_weeks`` weeks from the first full week of
  the action are used after it, so later data cannot change the verdict; "too early" until
  the window has passed.
* **Minimum detectable effect**: (z_{1-alpha/2} + z_{0.8}) times the effect's standard
  error under no change, from the design's Fisher information at the pre-period rate; the
  result is "underpowered" when that exceeds ``max_mde`` or the pre period is too short.

References
----------
Wagner AK, Soumerai SB, Zhang F, Ross-Degnan D (2002). Segmented regression analysis of
interrupted time series studies in medication use research. J Clin Pharm Ther 27:299-309.
Bernal JL, Cummins S, Gasparrini A (2017). Interrupted time series regression for the
evaluation of public health interventions: a tutorial. Int J Epidemiol 46:348-355.
McCullagh P, Nelder JA (1989). Generalized Linear Models, 2nd ed., section 4.5.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from scipy.special import expit
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

__all__ = ["Impact", "describe_impact", "first_post_week", "measure_impact", "window_end"]

PRE_WEEKS = 12
MIN_PRE_WEEKS = 4
MAX_MDE = 0.10
POWER = 0.80
EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class Impact:
    """The measured effect of an action, or why it is not measured yet.

    ``status`` is "measured", "too early", "underpowered" or "no data". ``effect``,
    ``lower`` and ``upper`` are in rate units (0.041 = 4.1 points) at the end of the window;
    ``verdict`` is "improved", "worsened" or "no significant change" when measured.
    """

    status: str
    message: str
    method: str = "segmented regression"
    effect: float = float("nan")
    lower: float = float("nan")
    upper: float = float("nan")
    p_value: float = float("nan")
    mde: float = float("nan")
    baseline: float = float("nan")
    observed: float = float("nan")
    verdict: str = ""
    pre_weeks: int = 0
    post_weeks: int = 0
    evaluation_end: dt.date | None = None

    @property
    def significant(self) -> bool:
        """Return True when the 95% interval of the effect excludes zero."""
        return self.status == "measured" and (self.lower > 0 or self.upper < 0)


def first_post_week(start: dt.date) -> dt.date:
    """Return the Monday of the first full week on or after ``start``.

    A week the action started in the middle of is half before and half after: it belongs to
    neither side and is left out of the fit.
    """
    return start + dt.timedelta(days=(7 - start.weekday()) % 7)


def window_end(start: dt.date, window_weeks: int) -> dt.date:
    """Return the last day (a Sunday) of the evaluation window of an action starting ``start``."""
    return first_post_week(start) + dt.timedelta(weeks=window_weeks, days=-1)


def _weekly(frame: pd.DataFrame | None, period: str, numerator: str, denominator: str):
    """Return (week Mondays as day numbers, numerators, denominators) summed per week."""
    if frame is None or frame.empty:
        return np.array([], dtype=np.int64), np.array([]), np.array([])
    days = pd.to_datetime(frame[period]).to_numpy().astype("datetime64[D]").astype(np.int64)
    weeks, position = np.unique(days, return_inverse=True)
    k = np.bincount(position, weights=frame[numerator].to_numpy(dtype=float))
    n = np.bincount(position, weights=frame[denominator].to_numpy(dtype=float))
    return weeks[n > 0], k[n > 0], n[n > 0]


def _day(day: dt.date) -> int:
    return (day - EPOCH).days


def _design(weeks: np.ndarray, post_start: int, treated: np.ndarray | None) -> np.ndarray:
    """Return the model matrix: constant, time, post, time since start (x treated terms).

    ``weeks`` and ``post_start`` are day numbers of Mondays; time counts weeks from
    ``post_start``, so the constant is the rate just before the action.
    """
    t = (weeks - post_start) / 7.0
    post = (t >= 0).astype(float)
    base = np.column_stack([np.ones_like(t), t, post, t * post])
    if treated is None:
        return base
    return np.column_stack([base, base * treated[:, None]])


def _effect_and_gradient(params: np.ndarray, x_with: np.ndarray, x_without: np.ndarray):
    """Return (effect, gradient of the effect with respect to the parameters)."""
    p_with, p_without = expit(x_with @ params), expit(x_without @ params)
    gradient = p_with * (1 - p_with) * x_with - p_without * (1 - p_without) * x_without
    return p_with - p_without, p_with, p_without, gradient


def measure_impact(
    frame: pd.DataFrame,
    *,
    start: dt.date,
    window_weeks: int,
    direction: str,
    as_of: dt.date,
    control: pd.DataFrame | None = None,
    numerator: str = "numerator",
    denominator: str = "denominator",
    period: str = "period",
    pre_weeks: int = PRE_WEEKS,
    min_pre_weeks: int = MIN_PRE_WEEKS,
    max_mde: float = MAX_MDE,
    alpha: float = 0.05,
) -> Impact:
    """Return the effect at the end of the window of an action starting ``start``.

    ``frame`` (and ``control``) hold weekly counts: ``period`` is the week's Monday.
    ``direction`` ("up" or "down") is the pre-registered expectation and only decides the
    wording of the verdict; the test itself is two-sided. ``as_of`` is the last day with
    complete data. Weeks before ``pre_weeks`` weeks ahead of the action and after the
    window are ignored.
    """
    post_start = first_post_week(start)
    end = window_end(start, window_weeks)
    window = {"evaluation_end": end}
    if as_of < end:
        return Impact(
            "too early",
            f"The {window_weeks}-week evaluation window ends on {end:%d %b %Y}; "
            "the effect is measured after that.",
            **window,
        )
    first, post_day, last_day = (
        _day(post_start - dt.timedelta(weeks=pre_weeks)),
        _day(post_start),
        _day(end),
    )
    series = {}
    for name, counts in (("treated", frame), ("control", control)):
        weeks, k, n = _weekly(counts, period, numerator, denominator)
        kept = (weeks >= first) & (weeks <= last_day)
        series[name] = (weeks[kept], k[kept], n[kept])
    weeks, k, n = series["treated"]
    before = weeks < post_day
    counts = {"pre_weeks": int(before.sum()), "post_weeks": int((~before).sum()), **window}
    if before.all() or not before.any():
        return Impact(
            "no data",
            "No inspections in the action's scope "
            + ("after it started." if before.all() else "before it started."),
            **counts,
        )
    pre_k, pre_n = k[before].sum(), n[before].sum()
    method = "segmented regression"
    flags = None
    if control is not None and len(series["control"][0]):
        method = "difference-in-differences"
        control_weeks, control_k, control_n = series["control"]
        flags = np.concatenate([np.ones(len(weeks)), np.zeros(len(control_weeks))])
        weeks = np.concatenate([weeks, control_weeks])
        k, n = np.concatenate([k, control_k]), np.concatenate([n, control_n])
    exog = _design(weeks, post_day, flags)
    # The treated series' last window week, with and without the action's terms.
    last = _design(np.array([last_day - 6]), post_day, None)[0]
    no_action = last * np.array([1, 1, 0, 0])
    if flags is None:
        x_with, x_without = last, no_action
    else:
        x_with, x_without = np.concatenate([last, last]), np.concatenate([last, no_action])

    mde = _minimum_detectable_effect(exog, n, pre_k / pre_n, pre_n, x_with, x_without, alpha)
    counts["mde"] = mde
    if counts["pre_weeks"] < min_pre_weeks or not np.isfinite(mde) or mde > max_mde:
        return Impact(
            "underpowered",
            _underpowered_message(counts["pre_weeks"], min_pre_weeks, mde),
            method=method,
            **counts,
        )
    fit = _fit(k, n, exog)
    if fit is None:
        return Impact(
            "underpowered",
            "The counts are too extreme to fit (a rate of 0% or 100% throughout).",
            method=method,
            **counts,
        )
    params, covariance, df_resid = fit
    effect, p_with, p_without, gradient = _effect_and_gradient(params, x_with, x_without)
    std_error = float(np.sqrt(gradient @ covariance @ gradient))
    quantile = stats.t.ppf(1 - alpha / 2, df_resid)
    lower, upper = effect - quantile * std_error, effect + quantile * std_error
    p_value = float(2 * stats.t.sf(abs(effect) / std_error, df_resid)) if std_error > 0 else 1.0
    significant = lower > 0 or upper < 0
    expected = 1 if direction == "up" else -1
    if not significant:
        verdict = "no significant change"
    else:
        verdict = "improved" if np.sign(effect) == expected else "worsened"
    return Impact(
        "measured",
        "",
        method=method,
        effect=float(effect),
        lower=float(lower),
        upper=float(upper),
        p_value=p_value,
        baseline=float(p_without),
        observed=float(p_with),
        verdict=verdict,
        **counts,
    )


def _fit(k: np.ndarray, n: np.ndarray, exog: np.ndarray):
    """Return (params, quasi-binomial covariance, residual df), or None when it cannot fit."""
    if k.sum() == 0 or k.sum() == n.sum() or len(k) <= exog.shape[1]:
        return None
    endog = np.column_stack([k, n - k])
    model = sm.GLM(endog, exog, family=sm.families.Binomial())
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        fit = model.fit()
    params = np.asarray(fit.params)
    if not np.all(np.isfinite(params)):
        return None
    # Refitting with scale= gives the same estimates; scaling the unscaled covariance is
    # that refit's covariance without a second IRLS run.
    dispersion = max(1.0, fit.pearson_chi2 / fit.df_resid)
    return params, np.asarray(fit.normalized_cov_params) * dispersion, float(fit.df_resid)


def _minimum_detectable_effect(
    exog: np.ndarray,
    n: np.ndarray,
    rate: float,
    pre_n: float,
    x_with: np.ndarray,
    x_without: np.ndarray,
    alpha: float,
) -> float:
    """Return the effect (in rate units) detectable with 80% power, under no change.

    The effect's standard error comes from the binomial Fisher information of the design
    with every week at the pre-period rate (Wagner et al. 2002 plan power the same way).
    """
    rate = min(max(rate, 0.5 / pre_n), 1 - 0.5 / pre_n)
    information = exog.T @ (exog * (n * rate * (1 - rate))[:, None])
    if np.linalg.matrix_rank(information) < exog.shape[1]:
        return float("nan")
    covariance = np.linalg.inv(information)
    # Under no change the fitted rate is the pre-period rate everywhere.
    gradient = rate * (1 - rate) * (x_with - x_without)
    std_error = float(np.sqrt(gradient @ covariance @ gradient))
    return float((stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(POWER)) * std_error)


def _underpowered_message(pre_weeks: int, min_pre_weeks: int, mde: float) -> str:
    if pre_weeks < min_pre_weeks:
        return (
            f"Only {pre_weeks} week(s) of data before the action; at least {min_pre_weeks} "
            "are needed to know what would have happened without it."
        )
    if not np.isfinite(mde):
        return "Too few weeks with data to separate a level change from a slope change."
    return (
        f"Too few inspections: only a change of at least {mde * 100:.1f} points could be "
        "detected (80% power), so a smaller effect would go unseen."
    )


def describe_impact(impact: Impact, metric_label: str) -> str:
    """Return one sentence: "Accuracy rose 4.1 points (1.2 to 7.0) after it." or the status."""
    if impact.status != "measured":
        return impact.message
    points = impact.effect * 100
    interval = f"({impact.lower * 100:.1f} to {impact.upper * 100:.1f})"
    if not impact.significant:
        return (
            f"{metric_label} changed by {points:+.1f} points {interval} after it: "
            "not a significant change."
        )
    verb = "rose" if points > 0 else "fell"
    return f"{metric_label} {verb} {abs(points):.1f} points {interval} after it."
