"""QA sample planning: inspections needed for a margin of error, and the margin a sample gives."""

from __future__ import annotations

import math

from scipy.stats import norm
from statsmodels.stats.proportion import samplesize_confint_proportion

__all__ = ["achieved_margin", "required_sample_size"]


def _check_rate(expected_rate: float) -> None:
    """Raise ValueError unless the expected rate is strictly between 0 and 1."""
    if not 0 < expected_rate < 1:
        # At 0 or 1 the normal-approximation margin is 0 for any n: the formula has no answer.
        raise ValueError(f"expected_rate must be strictly between 0 and 1, not {expected_rate}")


def required_sample_size(
    margin: float,
    expected_rate: float = 0.5,
    *,
    population: int | None = None,
    alpha: float = 0.05,
) -> int:
    """Return the inspections needed so the interval half-width is at most ``margin``.

    ``n0 = z² p(1-p) / margin²`` (statsmodels ``samplesize_confint_proportion``), then for a
    stratum of ``population`` decisions ``n = n0 / (1 + (n0 - 1) / N)``, rounded up and never
    more than N.

    References
    ----------
    Cochran WG (1977). Sampling Techniques, 3rd ed. Wiley, sections 4.4-4.5.
    """
    _check_rate(expected_rate)
    if not 0 < margin < 1:
        raise ValueError(f"margin must be strictly between 0 and 1, not {margin}")
    needed = samplesize_confint_proportion(expected_rate, margin, alpha=alpha)
    if population is not None:
        if population < 1:
            raise ValueError(f"population must be at least 1, not {population}")
        needed = min(needed / (1 + (needed - 1) / population), population)
    # Guard against 384.00000000001 rounding up to 385 from floating-point noise.
    return max(1, math.ceil(round(needed, 9)))


def achieved_margin(
    sample: int,
    expected_rate: float,
    *,
    population: int | None = None,
    alpha: float = 0.05,
) -> float:
    """Return the interval half-width a sample of ``sample`` inspections achieves.

    ``margin = z sqrt(p(1-p)/n)``, times ``sqrt((N - n)/(N - 1))`` for a stratum of N, the
    inverse of :func:`required_sample_size`. NaN for an empty sample; 0 once the whole
    stratum is inspected. statsmodels has no such inverse, so it is one line here.

    References
    ----------
    Cochran WG (1977). Sampling Techniques, 3rd ed. Wiley, section 2.6 (finite population
    correction).
    """
    _check_rate(expected_rate)
    if sample <= 0:
        return float("nan")
    if population is not None and sample >= population:
        return 0.0
    margin = norm.isf(alpha / 2) * math.sqrt(expected_rate * (1 - expected_rate) / sample)
    if population is not None:
        margin *= math.sqrt((population - sample) / (population - 1))
    return float(margin)
