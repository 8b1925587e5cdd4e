"""QA sample allocation: where a weekly inspection budget goes, stratum by stratum.

Plain functions on arrays and count frames (no Streamlit, no SQL). The planner combines:

- **Neyman allocation** of the budget, ``n_h = n N_h S_h / sum(N_h S_h)`` with
  ``S_h = sqrt(p_h (1 - p_h))`` on each stratum's trailing error rate ``p_h``;
- **floors** per stratum (and, summed into them, per moderator), so nothing goes unwatched;
- an optional **risk share** of the budget placed in proportion to a documented risk score;
- **caps** at the stratum's expected decisions ``N_h`` (without replacement, no stratum can
  give more inspections than it has decisions);
- **rounding** to whole inspections by largest remainder, so the budget is met exactly.

Why hand-written: statsmodels has sample-size functions but no allocation. ``samplics``
(0.6) has ``allocate(method="optimum_mean")``, which computes ``ceil(rate * N_h * S_h)`` for a
sampling *rate*, not a fixed budget: it has no floors, no caps, no risk share, and its
ceilings break an exact budget. The bounded allocation here is the textbook one (Neyman with
lower and upper bounds, as SAS PROC SURVEYSELECT's ALLOCMIN does), a one-dimensional
monotone root that bisection finds exactly enough for the rounding step.

References
----------
Neyman J (1934). On the two different aspects of the representative method. JRSS 97:558-625.
Cochran WG (1977). Sampling Techniques, 3rd ed. Wiley, sections 5.5 (optimum allocation)
and 5.9 (allocation requiring more than 100 per cent sampling).
Valliant R, Dever JA, Kreuter F (2018). Practical Tools for Designing and Weighting Survey
Samples, 2nd ed. Springer, chapter 3.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.stats import norm

from metrics.sampling import achieved_margin, required_sample_size

__all__ = [
    "BudgetTooSmall",
    "RISK_WEIGHTS",
    "allocate",
    "bounded_allocation",
    "expected_margins",
    "judged_at_target",
    "largest_remainder",
    "needed_for_target",
    "neyman_allocation",
    "overall_margin",
    "proportional_allocation",
    "risk_score",
    "shrunk_error_rate",
    "split_floor",
]

# Pseudo-inspections of the prior in ``shrunk_error_rate`` (see its Notes).
PRIOR_STRENGTH = 20.0
# The risk score's parts and their weights (``risk_score``); they sum to 1.
RISK_WEIGHTS = {
    "error_rate": 0.4,
    "overturn_rate": 0.3,
    "new_moderator_share": 0.15,
    "new_label_share": 0.15,
}


class BudgetTooSmall(ValueError):
    """The budget cannot cover the floors; the message says how many inspections they need."""

    def __init__(self, budget: int, needed: int) -> None:
        self.budget, self.needed = budget, needed
        super().__init__(
            f"A budget of {budget:,} inspections cannot cover the floors, which need "
            f"{needed:,}. Raise the budget to at least {needed:,} or lower the floors."
        )


def neyman_allocation(budget: float, population: ArrayLike, stddev: ArrayLike) -> np.ndarray:
    """Return the unrounded Neyman allocation ``n N_h S_h / sum(N_h S_h)`` of a budget.

    References
    ----------
    Cochran WG (1977). Sampling Techniques, 3rd ed. Wiley, equation (5.26).
    """
    weights = np.asarray(population, float) * np.asarray(stddev, float)
    total = weights.sum()
    if total <= 0:
        raise ValueError("Neyman allocation needs at least one stratum with N_h S_h > 0")
    return budget * weights / total


def bounded_allocation(
    budget: float, weights: ArrayLike, lower: ArrayLike, upper: ArrayLike
) -> np.ndarray:
    """Return ``x_h = clip(lam * w_h, lower_h, upper_h)`` with ``lam`` such that sum x = budget.

    The allocation proportional to ``weights`` within bounds (Cochran 1977, section 5.9:
    strata whose share passes ``upper`` are taken whole and the rest re-allocated; the same
    for strata held at ``lower``). The sum is monotone in ``lam``, so bisection finds it.
    Raises ValueError when the bounds make the budget impossible.
    """
    weights = np.asarray(weights, float)
    lower = np.asarray(lower, float)
    upper = np.asarray(upper, float)
    if np.any(weights < 0) or np.any(lower > upper):
        raise ValueError("weights must be >= 0 and every lower bound at most its upper bound")
    if weights.max(initial=0.0) > 0:
        # On a common scale, negligible weights are none: lam must stay a finite number.
        weights = weights / weights.max()
        weights[weights < 1e-12] = 0.0
    low_total = lower.sum()
    reachable = np.where(weights > 0, upper, lower).sum()
    if budget < low_total - 1e-9 or budget > reachable + 1e-9:
        raise ValueError(
            f"a budget of {budget:g} is outside what the bounds allow ({low_total:g} to "
            f"{reachable:g})"
        )
    positive = weights > 0
    if not positive.any() or budget <= low_total:
        return lower.copy()
    plain = budget * weights / weights.sum()
    if np.all((plain >= lower) & (plain <= upper)):
        return plain  # no bound binds: the plain proportional share is the answer
    high = float(np.max(upper[positive] / weights[positive]))
    low = 0.0
    for _ in range(200):
        middle = (low + high) / 2
        if np.clip(middle * weights, lower, upper).sum() < budget:
            low = middle
        else:
            high = middle
    allocation = np.clip(high * weights, lower, upper)
    # Spread the last rounding residue over strata still strictly inside their bounds.
    free = positive & (allocation > lower) & (allocation < upper)
    residue = budget - allocation.sum()
    if free.any() and residue:
        allocation[free] += residue * weights[free] / weights[free].sum()
    return allocation


def largest_remainder(quotas: ArrayLike, total: int, upper: ArrayLike | None = None) -> np.ndarray:
    """Return whole numbers summing exactly to ``total``: each quota rounded down, then one
    more to the largest fractional parts (Hamilton's method), never past ``upper``.

    ``quotas`` must already sum to ``total`` (within rounding); floors and caps that are whole
    numbers hold, because a quota between two integers rounds to one of them.
    """
    quotas = np.asarray(quotas, float)
    # Floating-point noise (4.9999999999) must not cost a stratum its whole inspection.
    cleaned = np.round(quotas, 9)
    whole = np.floor(cleaned).astype(np.int64)
    caps = None if upper is None else np.floor(np.asarray(upper, float)).astype(np.int64)
    missing = int(total) - int(whole.sum())
    if missing < 0:
        raise ValueError(f"quotas sum to more than {total}")
    fraction = cleaned - whole
    eligible = np.ones(len(whole), bool) if caps is None else whole < caps
    # Stable order: largest remainder first, ties to the earlier stratum.
    order = np.lexsort((np.arange(len(whole)), -fraction))
    order = order[eligible[order]]
    if missing > len(order):
        raise ValueError(f"cannot reach {total} within the caps")
    whole[order[:missing]] += 1
    return whole


def proportional_allocation(
    budget: int, population: ArrayLike, *, floors: ArrayLike | None = None
) -> np.ndarray:
    """Return the whole-number proportional allocation ``n N_h / N`` (with floors and caps).

    The comparison plan: every decision has the same chance, except where a floor or the
    stratum's size bends it. Raises ``BudgetTooSmall`` when the floors exceed the budget.
    """
    population = np.asarray(population, float)
    return allocate(budget, population, np.ones_like(population), floors=floors)


def allocate(
    budget: int,
    population: ArrayLike,
    stddev: ArrayLike,
    *,
    floors: ArrayLike | None = None,
    risk: ArrayLike | None = None,
    risk_share: float = 0.0,
    enough: ArrayLike | None = None,
) -> np.ndarray:
    """Return whole inspections per stratum: Neyman with floors and caps, plus a risk share.

    ``enough`` (optional) is what each stratum needs to reach the target margin: while the
    budget cannot give every stratum that much, no stratum gets more than it (or its
    floor), so inspections that would only narrow an interval already at target go to
    strata still short of it; once every stratum has enough, the rest is Neyman again.

    ``round(risk_share * budget)`` inspections go in proportion to ``risk`` (capped at what
    each stratum has left); the rest by Neyman (``population * stddev``) with each stratum
    at least its floor and at most its ``population``; then largest-remainder rounding, so
    the result sums to ``budget`` exactly. When the floors leave less than the Neyman part
    needs, the risk share shrinks first. Raises ``BudgetTooSmall`` when the floors alone
    exceed the budget, ValueError when the budget exceeds every decision.
    """
    population = np.floor(np.asarray(population, float))
    stddev = np.asarray(stddev, float)
    if budget < 0 or int(budget) != budget:
        raise ValueError(f"the budget must be a whole number of inspections, not {budget}")
    if not 0 <= risk_share <= 1:
        raise ValueError(f"risk_share must be between 0 and 1, not {risk_share}")
    if np.any(population < 0) or np.any(stddev < 0):
        raise ValueError("stratum sizes and standard deviations must be >= 0")
    floor_values = np.zeros_like(population) if floors is None else np.asarray(floors, float)
    floor_values = np.minimum(np.ceil(np.maximum(floor_values, 0)), population)
    needed = int(floor_values.sum())
    if needed > budget:
        raise BudgetTooSmall(int(budget), needed)
    if budget > population.sum():
        raise ValueError(
            f"a budget of {budget:,} inspections is more than the {int(population.sum()):,} "
            "decisions expected"
        )
    risk_part = np.zeros_like(population)
    if risk is not None and risk_share > 0:
        risk_values = np.clip(np.nan_to_num(np.asarray(risk, float)), 0, None)
        if risk_values.max(initial=0.0) > 0:
            risk_values = risk_values / risk_values.max()
            risk_values[risk_values < 1e-9] = 0.0
        # Risk goes first, into the room above the floors; the floors still hold after it.
        room = population - floor_values
        risk_budget = min(round(risk_share * budget), budget - needed)
        risk_budget = min(risk_budget, int(room[risk_values > 0].sum()))
        if risk_budget > 0:
            risk_part = bounded_allocation(
                risk_budget, np.where(room > 0, risk_values, 0.0), np.zeros_like(room), room
            )
    neyman_budget = budget - risk_part.sum()
    weights = population * stddev
    weights = weights / weights.max() if weights.max() > 0 else weights
    # A stratum with (next to) no spread takes budget only once every other one is full, so
    # a budget is never left unspent while decisions remain.
    fallback = np.where(population > 0, 1e-9, 0.0)
    weights = np.where(weights > 1e-6, weights, fallback)
    upper = population - risk_part
    lower = floor_values
    if enough is not None:
        target = np.clip(np.ceil(np.asarray(enough, float)), floor_values, upper)
        if neyman_budget <= np.where(weights > 0, target, floor_values).sum():
            upper = target
        else:
            lower = target
    quotas = risk_part + bounded_allocation(neyman_budget, weights, lower, upper)
    return largest_remainder(quotas, int(budget), population)


def split_floor(floor: int, volumes: ArrayLike) -> np.ndarray:
    """Return one unit's floor split over its strata in proportion to its volume there.

    ``min(floor, sum(volumes))`` whole inspections, largest remainder, never more than the
    volume in a stratum: a moderator's weekly floor becomes part of the floors of the
    strata they work in.
    """
    volumes = np.floor(np.asarray(volumes, float))
    total = int(min(floor, volumes.sum()))
    if total <= 0:
        return np.zeros(len(volumes), np.int64)
    # total <= sum(volumes), so no stratum's proportional share passes its volume.
    return largest_remainder(total * volumes / volumes.sum(), total, volumes)


def shrunk_error_rate(
    errors: ArrayLike,
    inspections: ArrayLike,
    prior_rate: float | ArrayLike,
    *,
    prior_strength: float = PRIOR_STRENGTH,
) -> np.ndarray:
    """Return ``(errors + m p0) / (inspections + m)``: each stratum's error rate pulled
    towards a prior rate ``p0`` by ``m`` pseudo-inspections.

    Notes
    -----
    The posterior mean under a Beta(m p0, m (1 - p0)) prior. Without it a stratum with no
    inspections has no rate at all, and one with 4 clean inspections has ``S_h = 0``: Neyman
    would give it nothing, so it would never be inspected again and never earn a rate. With
    it, a stratum without data is planned at the prior (the pooled rate), and data take over
    as inspections accumulate (at ``m = 20``, 20 inspections weigh as much as the prior).
    ``errors`` and ``inspections`` may be weighted sums (Kish effective n).

    References
    ----------
    Gelman A et al. (2013). Bayesian Data Analysis, 3rd ed. CRC, section 2.4 (beta-binomial).
    """
    errors = np.asarray(errors, float)
    inspections = np.asarray(inspections, float)
    prior = np.broadcast_to(np.asarray(prior_rate, float), errors.shape)
    if np.any((prior <= 0) | (prior >= 1)):
        raise ValueError("prior_rate must be strictly between 0 and 1")
    errors = np.nan_to_num(errors)
    inspections = np.nan_to_num(inspections)
    return (errors + prior_strength * prior) / (inspections + prior_strength)


def risk_score(frame: pd.DataFrame, weights: dict[str, float] | None = None) -> np.ndarray:
    """Return each stratum's risk score in [0, 1]: a weighted mean of its scaled risk parts.

    Parts (columns of ``frame``, each a share in [0, 1]) and default weights, ``RISK_WEIGHTS``:

    - ``error_rate`` 0.4: the recent (shrunk) QA error rate, the direct measure of risk;
    - ``overturn_rate`` 0.3: appeals overturned of those resolved, errors sellers caught;
    - ``new_moderator_share`` 0.15: share of decisions by moderators first seen recently,
      who have no track record yet;
    - ``new_label_share`` 0.15: share of decisions under rejection labels first used
      recently (new or changed policy), whose application is untested.

    Each part is divided by its largest value over the strata, so the parts weigh as stated
    whatever their scale; a part that is zero everywhere (or missing) adds nothing.
    """
    weights = RISK_WEIGHTS if weights is None else weights
    score = np.zeros(len(frame))
    for column, weight in weights.items():
        if column not in frame:
            continue
        values = np.nan_to_num(pd.to_numeric(frame[column]).to_numpy(dtype=float))
        largest = values.max() if len(values) else 0.0
        if largest > 0:
            score += weight * values / largest
    return score / sum(weights.values())


def expected_margins(
    inspections: ArrayLike, population: ArrayLike, rate: ArrayLike, *, alpha: float = 0.05
) -> np.ndarray:
    """Return each stratum's expected interval half-width: ``z sqrt(p(1-p)/n) sqrt((N-n)/(N-1))``.

    ``metrics.sampling.achieved_margin`` per stratum: NaN with no inspections, 0 when every
    decision is inspected.
    """
    return np.array(
        [
            achieved_margin(int(n), float(p), population=max(int(size), 1), alpha=alpha)
            if size > 0
            else math.nan
            for n, size, p in zip(
                np.asarray(inspections), np.asarray(population), np.asarray(rate), strict=True
            )
        ]
    )


def overall_margin(
    inspections: ArrayLike, population: ArrayLike, rate: ArrayLike, *, alpha: float = 0.05
) -> float:
    """Return the stratified estimate's expected half-width over all strata.

    ``z sqrt(sum W_h² (1 - f_h) p_h (1 - p_h) / n_h)`` with ``W_h = N_h / N`` and
    ``f_h = n_h / N_h`` (Cochran 1977, equation 5.7 for proportions); NaN when a stratum
    with decisions has no inspections, since the estimate then leaves it out.
    """
    n = np.asarray(inspections, float)
    size = np.asarray(population, float)
    p = np.asarray(rate, float)
    present = size > 0
    if np.any(present & (n <= 0)):
        return math.nan
    n, size, p = n[present], size[present], p[present]
    share = size / size.sum()
    variance = np.sum(share**2 * (1 - n / size) * p * (1 - p) / n)
    return float(norm.isf(alpha / 2) * math.sqrt(max(variance, 0.0)))


def needed_for_target(
    inspections: ArrayLike, population: ArrayLike, rate: ArrayLike, target: float
) -> np.ndarray:
    """Return the extra inspections each stratum needs for an interval of ±``target``.

    ``required_sample_size(target, p_h, population=N_h) - n_h``, never below 0.
    """
    return np.array(
        [
            max(0, required_sample_size(target, float(p), population=int(size)) - int(n))
            if size >= 1
            else 0
            for n, size, p in zip(
                np.asarray(inspections), np.asarray(population), np.asarray(rate), strict=True
            )
        ],
        dtype=np.int64,
    )


def judged_at_target(
    inspections: ArrayLike, margins: ArrayLike, target: float, min_sample: int
) -> np.ndarray:
    """Return True where a stratum is judged at the target: at least ``min_sample``
    inspections (the dashboard's rule for judging any rate) and a margin of at most ``target``.
    """
    n = np.asarray(inspections, float)
    margins = np.asarray(margins, float)
    return (n >= min_sample) & (np.nan_to_num(margins, nan=np.inf) <= target + 1e-12)
