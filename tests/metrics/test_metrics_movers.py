"""Movers: Newcombe's printed difference intervals, BH's printed example, edge cases, null sims."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from metrics.movers import bh_adjust, compare_periods, difference_test, period_movers

# numpy warnings (division by zero, invalid values) fail the test; others are not ours.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

COLUMNS = [
    "market_code",
    "numerator_current",
    "denominator_current",
    "rate_current",
    "numerator_previous",
    "denominator_previous",
    "rate_previous",
    "difference",
    "difference_lower",
    "difference_upper",
    "p_value",
    "p_adjusted",
    "moved",
    "judged",
]

# Newcombe RG (1998). Interval estimation for the difference between independent proportions:
# comparison of eleven methods. Stat Med 17:873-890, Table II, method 10 (score, no CC).
NEWCOMBE_1998_TABLE_II = [
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
    (6, 7, 2, 7, 0.0582, 0.8062),
    (5, 56, 0, 29, -0.0381, 0.1926),
    (0, 10, 0, 20, -0.1611, 0.2775),
    (0, 10, 0, 10, -0.2775, 0.2775),
    (10, 10, 0, 20, 0.6791, 1.0000),
    (10, 10, 0, 10, 0.6075, 1.0000),
]

# Benjamini Y, Hochberg Y (1995). JRSS B 57:289-300, section 4.1: 15 p-values from a
# myocardial infarction study; at q = 0.05 the procedure rejects the four smallest.
BH_1995_P_VALUES = [
    0.0001,
    0.0004,
    0.0019,
    0.0095,
    0.0201,
    0.0278,
    0.0298,
    0.0344,
    0.0459,
    0.3240,
    0.4262,
    0.5719,
    0.6528,
    0.7590,
    1.0000,
]


def frames(current_counts, previous_counts):
    """Return (current, previous) frames keyed by market_code from {market: (x, n)} dicts."""

    def frame(counts):
        return pd.DataFrame(
            [(market, x, n) for market, (x, n) in counts.items()],
            columns=["market_code", "correct", "inspections"],
        )

    return frame(current_counts), frame(previous_counts)


@pytest.mark.parametrize(("x1", "n1", "x2", "n2", "lower", "upper"), NEWCOMBE_1998_TABLE_II)
def test_difference_interval_matches_newcombe_1998_table_ii(x1, n1, x2, n2, lower, upper):
    low, upp, _ = difference_test([x1], [n1], [x2], [n2])
    assert low[0] == pytest.approx(lower, abs=5e-5)
    assert upp[0] == pytest.approx(upper, abs=5e-5)


def test_p_value_is_the_pooled_two_proportion_z_test_worked_by_hand():
    # 56/70 vs 48/80: pooled p = 104/150 = 0.693333;
    # se = sqrt(0.693333 * 0.306667 * (1/70 + 1/80)) = sqrt(0.212622 * 0.026786) = 0.075467;
    # z = (0.8 - 0.6) / 0.075467 = 2.65017; two-sided p = 2 * (1 - Phi(2.65017)) = 0.008045.
    z = 0.2 / np.sqrt((104 / 150) * (46 / 150) * (1 / 70 + 1 / 80))
    assert z == pytest.approx(2.65017, abs=1e-5)
    _, _, p_value = difference_test([56], [70], [48], [80])
    assert p_value[0] == pytest.approx(2 * norm.sf(2.65017), abs=1e-6)
    assert p_value[0] == pytest.approx(0.008045, abs=1e-6)


def test_compare_periods_reports_newcombe_example_a():
    current, previous = frames({"US": (56, 70)}, {"US": (48, 80)})
    row = compare_periods(current, previous, ["market_code"], "correct", "inspections").iloc[0]
    assert row["rate_current"] == 0.8 and row["rate_previous"] == 0.6
    assert row["difference"] == pytest.approx(0.2)
    assert row["difference_lower"] == pytest.approx(0.0524, abs=5e-5)
    assert row["difference_upper"] == pytest.approx(0.3339, abs=5e-5)
    # A single segment is its own BH family: p_adjusted = p_value.
    assert row["p_adjusted"] == pytest.approx(row["p_value"])
    assert row["judged"] and row["moved"]


def test_bh_adjust_rejects_four_of_benjamini_hochberg_1995_example():
    adjusted = bh_adjust(BH_1995_P_VALUES)
    assert (adjusted < 0.05).sum() == 4
    assert (adjusted[:4] < 0.05).all()
    # By hand, p_adj(i) = min over j >= i of 15 p(j) / j:
    # 0.0015, 0.003, 0.0095, 15/4 * 0.0095 = 0.035625, 3 * 0.0201 = 0.0603,
    # min(15/6 * 0.0278, 15/7 * 0.0298) = 0.063857 (twice), 15/8 * 0.0344 = 0.0645,
    # 15/9 * 0.0459 = 0.0765.
    expected = [0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.063857, 0.063857, 0.0645, 0.0765]
    assert adjusted[:9] == pytest.approx(expected, abs=1e-6)


def test_bh_adjust_keeps_nan_out_of_the_family():
    adjusted = bh_adjust([0.01, np.nan, 0.04])
    # m = 2 finite p-values: 2 * 0.01 / 1 = 0.02, 2 * 0.04 / 2 = 0.04.
    assert adjusted[0] == pytest.approx(0.02)
    assert np.isnan(adjusted[1])
    assert adjusted[2] == pytest.approx(0.04)
    assert bh_adjust([]).shape == (0,)


def test_columns_and_order_are_the_documented_contract():
    current, previous = frames({"US": (56, 70)}, {"US": (48, 80)})
    result = compare_periods(current, previous, ["market_code"], "correct", "inspections")
    assert list(result.columns) == COLUMNS


def test_segment_missing_on_one_side_counts_as_zero_of_zero():
    current, previous = frames({"US": (50, 100), "ID": (10, 100)}, {"US": (40, 100)})
    result = compare_periods(current, previous, ["market_code"], "correct", "inspections")
    row = result.set_index("market_code").loc["ID"]
    assert row["numerator_previous"] == 0 and row["denominator_previous"] == 0
    assert np.isnan(row["rate_previous"]) and np.isnan(row["difference"])
    assert np.isnan(row["p_value"]) and np.isnan(row["p_adjusted"])
    assert not row["judged"] and not row["moved"]


def test_segments_below_min_sample_are_never_flagged_however_large_the_change():
    # 0/29 -> 29/29 is an enormous change, but 29 < 30 inspections on each side.
    current, previous = frames({"US": (29, 29)}, {"US": (0, 29)})
    row = compare_periods(current, previous, ["market_code"], "correct", "inspections").iloc[0]
    assert row["p_value"] < 1e-10
    assert not row["judged"] and not row["moved"] and np.isnan(row["p_adjusted"])


def test_zero_of_n_on_both_sides_is_no_change():
    current, previous = frames({"US": (0, 50)}, {"US": (0, 60)})
    row = compare_periods(current, previous, ["market_code"], "correct", "inspections").iloc[0]
    assert row["difference"] == 0 and row["p_value"] == 1.0 and not row["moved"]


def test_n_of_n_on_both_sides_is_no_change():
    current, previous = frames({"US": (50, 50)}, {"US": (60, 60)})
    row = compare_periods(current, previous, ["market_code"], "correct", "inspections").iloc[0]
    assert row["difference"] == 0 and row["p_value"] == 1.0 and not row["moved"]


def test_all_segments_equal_flags_nothing():
    counts = {market: (30, 100) for market in ["US", "ID", "BR", "DE"]}
    current, previous = frames(counts, counts)
    result = compare_periods(current, previous, ["market_code"], "correct", "inspections")
    assert (result["difference"] == 0).all()
    assert result["p_value"].to_numpy() == pytest.approx([1.0] * 4)
    assert not result["moved"].any()


def test_only_judged_segments_enter_the_bh_family():
    # Two judged segments with p = 0.008045 (Newcombe example a) and one tiny one with p = 1.
    current, previous = frames(
        {"US": (56, 70), "ID": (56, 70), "BR": (5, 10)},
        {"US": (48, 80), "ID": (48, 80), "BR": (5, 10)},
    )
    result = compare_periods(current, previous, ["market_code"], "correct", "inspections")
    judged = result[result["judged"]]
    # Family of two equal p-values: BH gives min(2p/1, 2p/2) = p = 0.008045. Were BR (p = 1)
    # in the family, it would be min(3p/2, 3p/3, 3 * 1/3) = 1.5p = 0.012068 instead.
    assert judged["p_adjusted"].to_numpy() == pytest.approx([0.008045] * 2, abs=1e-6)
    assert np.isnan(result.set_index("market_code").loc["BR", "p_adjusted"])


def test_rows_sorted_judged_first_then_by_absolute_difference():
    current, previous = frames(
        {"US": (50, 100), "ID": (20, 100), "BR": (10, 10), "DE": (45, 100)},
        {"US": (40, 100), "ID": (50, 100), "BR": (0, 10), "DE": (45, 100)},
    )
    result = compare_periods(current, previous, ["market_code"], "correct", "inspections")
    # |diff|: ID 0.30, US 0.10, DE 0.00 are judged; BR (|diff| 1.0) is too small, so last.
    assert result["market_code"].tolist() == ["ID", "US", "DE", "BR"]


def test_input_frames_are_not_mutated():
    current, previous = frames({"US": (5, 50)}, {"US": (6, 50)})
    before = current.copy()
    compare_periods(current, previous, ["market_code"], "correct", "inspections")
    pd.testing.assert_frame_equal(current, before)


def test_no_keys_compares_the_whole_frame_as_one_segment():
    current, previous = frames({"US": (30, 40), "ID": (26, 30)}, {"US": (40, 60), "ID": (8, 20)})
    result = compare_periods(current, previous, [], "correct", "inspections")
    assert len(result) == 1
    # Summed: 56/70 vs 48/80, Newcombe's example (a).
    assert result["difference_lower"].iloc[0] == pytest.approx(0.0524, abs=5e-5)


def test_period_movers_compares_with_the_period_before_by_default():
    frame = pd.DataFrame(
        {
            "period": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15"] * 1),
            "market_code": ["US", "US", "US"],
            "correct": [10, 48, 56],
            "inspections": [100, 80, 70],
        }
    )
    result = period_movers(
        frame, ["market_code"], "correct", "inspections", current=pd.Timestamp("2024-01-15")
    )
    row = result.iloc[0]
    assert (row["numerator_previous"], row["denominator_previous"]) == (48, 80)
    assert row["difference_lower"] == pytest.approx(0.0524, abs=5e-5)


def test_period_movers_with_no_earlier_period_judges_nothing():
    frame = pd.DataFrame(
        {"period": [1], "market_code": ["US"], "correct": [5], "inspections": [50]}
    )
    result = period_movers(frame, ["market_code"], "correct", "inspections", current=1)
    assert not result["judged"].any()


def simulate_null(rng: np.random.Generator, segments: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return two periods of counts drawn from the same rate per segment (no true change)."""
    rate = rng.uniform(0.02, 0.4, segments)
    size_current = rng.integers(30, 3000, segments)
    size_previous = rng.integers(30, 3000, segments)
    keys = [f"segment_{i}" for i in range(segments)]
    current = pd.DataFrame(
        {
            "market_code": keys,
            "correct": rng.binomial(size_current, rate),
            "inspections": size_current,
        }
    )
    previous = pd.DataFrame(
        {
            "market_code": keys,
            "correct": rng.binomial(size_previous, rate),
            "inspections": size_previous,
        }
    )
    return current, previous


def test_with_no_true_change_at_most_five_percent_of_300_segments_are_flagged():
    rng = np.random.default_rng(20240601)
    flagged = []
    for _ in range(20):
        current, previous = simulate_null(rng, 300)
        result = compare_periods(current, previous, ["market_code"], "correct", "inspections")
        flagged.append(result["moved"].mean())
    assert max(flagged) <= 0.05
    # Under the global null BH controls the family-wise rate too: flags are rare events.
    assert np.mean(flagged) <= 0.01


def test_real_changes_are_found_among_null_segments():
    rng = np.random.default_rng(7)
    current, previous = simulate_null(rng, 250)
    # Ten segments double their error count on 2000 inspections: 10% -> 20%.
    changed = [f"segment_{i}" for i in range(10)]
    current.loc[current["market_code"].isin(changed), ["correct", "inspections"]] = [400, 2000]
    previous.loc[previous["market_code"].isin(changed), ["correct", "inspections"]] = [200, 2000]
    result = compare_periods(current, previous, ["market_code"], "correct", "inspections")
    moved = set(result.loc[result["moved"], "market_code"])
    assert set(changed) <= moved
    assert len(moved - set(changed)) <= 0.05 * 240


def test_weighted_metric_with_unit_weights_matches_the_unweighted_comparison():
    # All weights 1: weight = weight_sq = inspections, so n_eff is the count itself and the
    # interval is Newcombe's example (a) again.
    current = pd.DataFrame(
        {"market_code": ["US"], "correct_weight": [56.0], "weight": [70.0], "weight_sq": [70.0]}
    )
    previous = pd.DataFrame(
        {"market_code": ["US"], "correct_weight": [48.0], "weight": [80.0], "weight_sq": [80.0]}
    )
    row = compare_periods(
        current, previous, ["market_code"], "correct_weight", "weight", weight_sq="weight_sq"
    ).iloc[0]
    assert row["difference_lower"] == pytest.approx(0.0524, abs=5e-5)
    assert row["difference_upper"] == pytest.approx(0.3339, abs=5e-5)
    assert (row["effective_n_current"], row["effective_n_previous"]) == (70, 80)


def test_weighted_metric_is_judged_on_effective_n():
    # Ten inspections of weight 10 a side: total weight 100 but n_eff = 100² / 1000 = 10 < 30.
    side = pd.DataFrame(
        {"market_code": ["US"], "correct_weight": [50.0], "weight": [100.0], "weight_sq": [1000.0]}
    )
    row = compare_periods(
        side,
        side.assign(correct_weight=90.0),
        ["market_code"],
        "correct_weight",
        "weight",
        weight_sq="weight_sq",
    ).iloc[0]
    assert row["effective_n_current"] == 10
    assert not row["judged"] and not row["moved"]


def test_frames_that_already_carry_numerator_columns_are_accepted():
    current, previous = frames({"US": (56, 70)}, {"US": (48, 80)})
    current = current.assign(numerator=0, denominator=0)
    row = compare_periods(current, previous, ["market_code"], "correct", "inspections").iloc[0]
    assert (row["numerator_current"], row["denominator_current"]) == (56, 70)
