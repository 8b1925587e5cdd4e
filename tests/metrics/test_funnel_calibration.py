"""Funnel calibration: how often a unit at the overall rate falls outside the 99.8% limits.

The false-flag rate of each side is computed exactly, not simulated: for Binomial(n, theta)
the share below the low limit is the sum of the probabilities of the counts x with
x / n < lower (the same strict comparison ``funnel_positions`` makes), and likewise above.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from metrics.funnel import funnel_limits, funnel_positions

RATES = np.round(np.arange(0.80, 0.9901, 0.01), 2)
VOLUMES = np.unique(np.rint(np.geomspace(30, 5_000, 40)).astype(int))
NOMINAL = (1 - 0.998) / 2


def tail_shares(method: str, rate: float, volumes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return P(rate < lower_998) and P(rate > upper_998) per volume for Binomial(n, rate)."""
    limits = funnel_limits(rate, volumes, levels=(0.998,), method=method)
    low, high = [], []
    for volume, lower, upper in zip(volumes, limits["lower_998"], limits["upper_998"], strict=True):
        successes = np.arange(volume + 1)
        probability = binom.pmf(successes, volume, rate)
        observed = successes / volume
        low.append(probability[observed < lower].sum())
        high.append(probability[observed > upper].sum())
    return np.array(low), np.array(high)


def test_binomial_limits_hold_each_side_within_1_5x_nominal_over_the_grid():
    worst_low = worst_high = 0.0
    for rate in RATES:
        low, high = tail_shares("binomial", rate, VOLUMES)
        worst_low, worst_high = max(worst_low, low.max()), max(worst_high, high.max())
    assert len(RATES) == 20 and VOLUMES[0] == 30 and VOLUMES[-1] == 5_000
    assert worst_low <= 1.5 * NOMINAL, f"low side {worst_low / NOMINAL:.2f}x nominal"
    assert worst_high <= 1.5 * NOMINAL, f"high side {worst_high / NOMINAL:.2f}x nominal"


def test_binomial_limits_are_not_needlessly_wide_at_large_volume():
    # At n = 5,000 the binomial is close to normal: each side keeps most of its 0.1%.
    for rate in (0.80, 0.90, 0.96):
        low, high = tail_shares("binomial", rate, np.array([5_000]))
        assert low[0] > 0.5 * NOMINAL and high[0] > 0.5 * NOMINAL


def test_the_normal_approximation_fails_the_same_check_at_high_accuracy():
    # The case: accuracy about 0.96 and about 130 inspections. The normal funnel's
    # low side fires over twice its nominal 0.1%, so the grid test above can fail.
    low, _ = tail_shares("normal", 0.96, np.array([130]))
    assert low[0] > 1.5 * NOMINAL


def test_binomial_low_limit_worked_by_hand():
    # Binomial(10, 0.5), p = 0.001 = 1.024/1024: F(0) = 1/1024, F(1) = 11/1024, so r = 1 and
    # a = (11 - 1.024) / (11 - 1) = 0.9976; low limit = (1 - 0.9976) / 10 = 0.00024.
    # The high side mirrors it on failures: 1 - 0.00024 = 0.99976.
    limits = funnel_limits(0.5, [10], levels=(0.998,)).iloc[0]
    assert limits["lower_998"] == pytest.approx(0.00024, abs=1e-12)
    assert limits["upper_998"] == pytest.approx(0.99976, abs=1e-12)


def test_a_unit_on_the_exact_quantile_is_not_flagged():
    # Binomial(100, 0.9): the 0.1% quantile is r = 80 (F(79) < 0.001 <= F(80)), so 80/100
    # is inside and 79/100 below, whatever the interpolation draws between them.
    assert binom.cdf(79, 100, 0.9) < 0.001 <= binom.cdf(80, 100, 0.9)
    frame = pd.DataFrame({"correct": [79, 80], "inspections": [100, 100]})
    positions = funnel_positions(frame, "correct", "inspections", target=0.9)
    assert positions["position"].tolist() == ["below", "inside"]
