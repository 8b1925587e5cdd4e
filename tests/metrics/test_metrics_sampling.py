"""Sample size and achieved margin, worked by hand from Cochran's formulas."""

import math

import pytest

from metrics.sampling import achieved_margin, required_sample_size

Z = 1.959964  # z(0.975)


def test_classic_385_for_five_points_at_half():
    # n0 = 1.959964² * 0.5 * 0.5 / 0.05² = 3.841459 * 0.25 / 0.0025 = 384.15 -> 385.
    assert required_sample_size(0.05) == 385


def test_rate_and_margin_enter_as_p_one_minus_p_over_margin_squared():
    # n0 = 3.841459 * 0.2 * 0.8 / 0.02² = 3.841459 * 0.16 / 0.0004 = 1536.58 -> 1537.
    assert required_sample_size(0.02, 0.2) == 1537


def test_finite_population_correction_for_a_stratum_of_1000():
    # n = 384.146 / (1 + 383.146 / 1000) = 384.146 / 1.383146 = 277.73 -> 278.
    assert required_sample_size(0.05, population=1000) == 278


def test_small_stratum_needs_most_of_itself():
    # N = 50: 384.146 / (1 + 383.146 / 50) = 384.146 / 8.66292 = 44.34 -> 45.
    assert required_sample_size(0.05, population=50) == 45
    assert required_sample_size(0.001, population=50) == 50


def test_achieved_margin_by_hand():
    # 385 inspections at p = 0.5: 1.959964 * sqrt(0.25 / 385) = 1.959964 * 0.0254824 = 0.049945.
    assert achieved_margin(385, 0.5) == pytest.approx(0.049945, abs=1e-6)
    # 278 of N = 1000: 1.959964 * sqrt(0.25/278) * sqrt(722/999)
    #                = 1.959964 * 0.0299880 * 0.8501313 = 0.0499667.
    assert achieved_margin(278, 0.5, population=1000) == pytest.approx(0.0499667, abs=1e-6)


def test_achieved_margin_edge_cases():
    assert math.isnan(achieved_margin(0, 0.1))
    assert achieved_margin(50, 0.1, population=50) == 0.0
    assert achieved_margin(60, 0.1, population=50) == 0.0


def test_required_and_achieved_are_inverse():
    for margin, rate, population in [(0.05, 0.5, None), (0.03, 0.1, 2000), (0.1, 0.3, 40)]:
        n = required_sample_size(margin, rate, population=population)
        assert achieved_margin(n, rate, population=population) <= margin
        if n > 1:
            assert achieved_margin(n - 1, rate, population=population) > margin


@pytest.mark.parametrize("rate", [0.0, 1.0, -0.1, 1.5])
def test_expected_rate_must_be_strictly_inside_zero_one(rate):
    with pytest.raises(ValueError, match="expected_rate"):
        required_sample_size(0.05, rate)
    with pytest.raises(ValueError, match="expected_rate"):
        achieved_margin(100, rate)


def test_margin_and_population_are_validated():
    with pytest.raises(ValueError, match="margin"):
        required_sample_size(0.0)
    with pytest.raises(ValueError, match="population"):
        required_sample_size(0.05, population=0)
