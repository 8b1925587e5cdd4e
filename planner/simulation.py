"""Does the plan keep accuracy honest? A seeded repeated-sampling check on a known population.

Give every decision of a week a known truth (correct or not, drawn from its stratum's error
rate), draw the plan's sample many times, and count how often each estimate's 95% interval
holds the week's true accuracy: the weighted (Hájek) accuracy with the dashboard's Wilson
interval on Kish's effective n, and the plain share of correct inspections with its Wilson
interval, which ignores that the plan looked harder at some strata.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics.rates import wilson_interval
from metrics.selection import sampling_design, selected


@dataclass(frozen=True)
class Coverage:
    """How often each estimate's interval covered the truth, and its average error."""

    draws: int
    true_accuracy: float
    weighted_coverage: float
    unweighted_coverage: float
    weighted_bias: float
    unweighted_bias: float
    mean_inspections: float


def simulate_coverage(
    frame: pd.DataFrame,
    allocation: pd.DataFrame,
    error_rates: Mapping[tuple, float],
    *,
    keys: Sequence[str],
    draws: int,
    seed: int,
    moderator_floor: int = 0,
) -> Coverage:
    """Return the coverage of the weighted and unweighted accuracy intervals over ``draws``
    seeded samples of ``frame`` by ``allocation``.

    ``error_rates`` maps a stratum (tuple of ``keys`` values) to the error rate its decisions'
    truth is drawn with; strata missing from it use the mean of the given rates.
    """
    design = sampling_design(frame, allocation, keys=keys, moderator_floor=moderator_floor)
    units = design.units
    fallback = float(np.mean(list(error_rates.values())))
    strata = list(zip(*(units[key] for key in keys), strict=True))
    rate = np.array([error_rates.get(stratum, fallback) for stratum in strata])
    rng = np.random.default_rng(seed)
    correct = rng.random(len(units)) >= rate
    truth = correct.mean()
    weight = 1 / units["inclusion_probability"].to_numpy()
    sums = np.zeros((draws, 5))
    for draw in range(draws):
        chosen = selected(design, seed * 100_003 + draw)
        w, y = weight[chosen], correct[chosen]
        sums[draw] = (w.sum(), (w * y).sum(), (w**2).sum(), chosen.sum(), y.sum())
    total_weight, correct_weight, weight_sq, inspections, correct_count = sums.T
    weighted = correct_weight / total_weight
    effective_n = total_weight**2 / weight_sq
    low_w, high_w = wilson_interval(weighted * effective_n, effective_n)
    plain = correct_count / inspections
    low_u, high_u = wilson_interval(correct_count, inspections)
    return Coverage(
        draws=draws,
        true_accuracy=float(truth),
        weighted_coverage=float(np.mean((low_w <= truth) & (truth <= high_w))),
        unweighted_coverage=float(np.mean((low_u <= truth) & (truth <= high_u))),
        weighted_bias=float(np.mean(weighted) - truth),
        unweighted_bias=float(np.mean(plain) - truth),
        mean_inspections=float(np.mean(inspections)),
    )
