"""Rates and Wilson intervals, checked against Newcombe's printed table and hand arithmetic."""

import numpy as np
import pandas as pd
import pytest

from metrics.rates import safe_rate, weighted_with_interval, wilson_interval, with_interval

# numpy warnings (division by zero, invalid values) fail the test; others are not ours.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

Z = 1.959964  # z(0.975)


def wilson_by_hand(successes: float, trials: float) -> tuple[float, float]:
    """Wilson (1927) written out: (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    p = successes / trials
    centre = (p + Z**2 / (2 * trials)) / (1 + Z**2 / trials)
    half = Z / (1 + Z**2 / trials) * np.sqrt(p * (1 - p) / trials + Z**2 / (4 * trials**2))
    return centre - half, centre + half


# Newcombe RG (1998). Two-sided confidence intervals for the single proportion: comparison of
# seven methods. Stat Med 17:857-872, Table I, method 3 (Wilson score, no continuity correction).
NEWCOMBE_1998_TABLE_I = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("successes", "trials", "lower", "upper"), NEWCOMBE_1998_TABLE_I)
def test_wilson_interval_matches_newcombe_1998_table_i(successes, trials, lower, upper):
    frame = pd.DataFrame({"correct": [successes], "inspections": [trials]})
    result = with_interval(frame, "correct", "inspections")
    assert result["lower"].iloc[0] == pytest.approx(lower, abs=5e-5)
    assert result["upper"].iloc[0] == pytest.approx(upper, abs=5e-5)
    assert result["rate"].iloc[0] == pytest.approx(successes / trials)


def test_n_of_n_has_upper_bound_one_and_lower_n_over_n_plus_z_squared():
    # For x = n the Wilson lower bound is n / (n + z²): 29 / (29 + 3.841459) = 0.883030.
    lower, upper = wilson_interval(29, 29)
    assert float(lower) == pytest.approx(29 / (29 + Z**2), abs=1e-6)
    assert float(lower) == pytest.approx(0.883030, abs=1e-6)
    assert float(upper) == 1.0


def test_zero_of_n_has_lower_bound_zero_and_upper_z_squared_over_n_plus_z_squared():
    # 0/20: upper = 3.841459 / 23.841459 = 0.161125 (Newcombe prints 0.1611).
    lower, upper = wilson_interval(0, 20)
    assert float(lower) == 0.0
    assert float(upper) == pytest.approx(3.841459 / 23.841459, abs=1e-6)


def test_zero_denominator_gives_empty_rate_without_warnings():
    frame = pd.DataFrame({"correct": [0, 0, 3], "inspections": [0, 0, 4]})
    result = with_interval(frame, "correct", "inspections")
    assert result["rate"].iloc[:2].isna().all()
    assert result["lower"].iloc[:2].isna().all()
    assert result["upper"].iloc[:2].isna().all()
    assert not result["enough_data"].iloc[:2].any()
    assert result["rate"].iloc[2] == 0.75


def test_safe_rate_is_nan_for_zero_and_missing_denominators():
    rate = safe_rate([1, 2, 3], [0, np.nan, 6])
    assert np.isnan(rate[0]) and np.isnan(rate[1]) and rate[2] == 0.5


def test_enough_data_is_denominator_at_least_min_sample():
    frame = pd.DataFrame({"correct": [10, 10, 10], "inspections": [29, 30, 31]})
    assert with_interval(frame, "correct", "inspections")["enough_data"].tolist() == [
        False,
        True,
        True,
    ]
    relaxed = with_interval(frame, "correct", "inspections", min_sample=10)
    assert relaxed["enough_data"].all()


def test_prefix_names_every_added_column():
    frame = pd.DataFrame({"agreed": [5], "predicted": [10]})
    result = with_interval(frame, "agreed", "predicted", prefix="precision_")
    assert list(result.columns) == [
        "agreed",
        "predicted",
        "precision_rate",
        "precision_lower",
        "precision_upper",
        "precision_enough_data",
    ]


def test_input_frame_is_not_mutated():
    frame = pd.DataFrame({"correct": [1], "inspections": [2]})
    with_interval(frame, "correct", "inspections")
    assert list(frame.columns) == ["correct", "inspections"]


def test_nullable_integer_counts_from_the_warehouse_are_accepted():
    frame = pd.DataFrame(
        {
            "correct": pd.array([81, pd.NA], dtype="Int64"),
            "inspections": pd.array([263, 10], dtype="Int64"),
        }
    )
    result = with_interval(frame, "correct", "inspections")
    assert result["lower"].iloc[0] == pytest.approx(0.2553, abs=5e-5)
    assert np.isnan(result["rate"].iloc[1])


def test_weighted_interval_uses_kish_effective_sample_size():
    # Three inspections with weights 1, 2, 3; the first two correct.
    # rate = (1 + 2) / 6 = 0.5; n_eff = 6² / (1 + 4 + 9) = 36 / 14 = 2.571429.
    # Wilson on p = 0.5, n = 2.571429: z²/n = 1.493901, centre = 0.5,
    # half = 1.959964 / 2.493901 * sqrt(0.25/2.571429 + 3.841459/(4 * 6.612245))
    #      = 0.785903 * sqrt(0.097222 + 0.145239) = 0.386982.
    frame = pd.DataFrame({"correct_weight": [3.0], "weight": [6.0], "weight_sq": [14.0]})
    result = weighted_with_interval(frame, "correct_weight", "weight", "weight_sq")
    assert result["effective_n"].iloc[0] == pytest.approx(36 / 14)
    assert result["rate"].iloc[0] == 0.5
    assert result["lower"].iloc[0] == pytest.approx(0.5 - 0.386982, abs=1e-5)
    assert result["upper"].iloc[0] == pytest.approx(0.5 + 0.386982, abs=1e-5)
    assert result["lower"].iloc[0] == pytest.approx(
        wilson_by_hand(0.5 * 36 / 14, 36 / 14)[0], abs=1e-6
    )


def test_unit_weights_reproduce_the_unweighted_newcombe_interval():
    # All weights 1: weight = weight_sq = 263, so n_eff = 263 and the interval is Newcombe's.
    frame = pd.DataFrame({"correct_weight": [81.0], "weight": [263.0], "weight_sq": [263.0]})
    result = weighted_with_interval(frame, "correct_weight", "weight", "weight_sq")
    assert result["lower"].iloc[0] == pytest.approx(0.2553, abs=5e-5)
    assert result["upper"].iloc[0] == pytest.approx(0.3662, abs=5e-5)


def test_weighted_enough_data_is_judged_on_effective_n_not_total_weight():
    # Ten inspections of weight 10: total weight 100 but n_eff = 100² / (10 * 100) = 10.
    frame = pd.DataFrame({"correct_weight": [80.0], "weight": [100.0], "weight_sq": [1000.0]})
    result = weighted_with_interval(frame, "correct_weight", "weight", "weight_sq")
    assert result["effective_n"].iloc[0] == 10
    assert not result["enough_data"].iloc[0]


def test_weighted_zero_weight_gives_empty_rate_without_warnings():
    frame = pd.DataFrame({"correct_weight": [0.0], "weight": [0.0], "weight_sq": [0.0]})
    result = weighted_with_interval(frame, "correct_weight", "weight", "weight_sq")
    assert result[["rate", "lower", "upper", "effective_n"]].isna().all(axis=None)
    assert not result["enough_data"].iloc[0]
