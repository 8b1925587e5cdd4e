"""Allocation of a QA budget: a published Neyman example, hand-worked bounds, properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrics.allocation import (
    BudgetTooSmall,
    allocate,
    bounded_allocation,
    expected_margins,
    judged_at_target,
    largest_remainder,
    needed_for_target,
    neyman_allocation,
    overall_margin,
    proportional_allocation,
    risk_score,
    shrunk_error_rate,
    split_floor,
)


def test_neyman_reproduces_the_published_six_stratum_hospital_example():
    # Valliant R, Dever JA, Kreuter F (2018), Practical Tools for Designing and Weighting
    # Survey Samples, 2nd ed., Springer, chapter 3 (the smho98 hospitals, stratified by
    # type); the worked call and its printed output are in the authors' PracTools vignette
    # "Sample Size Calculation in Single-stage Sampling" (2024-06-24), section "Stratified
    # Simple Random Sampling": strAlloc(n.tot = 100, Nh, Sh, alloc = "neyman") prints
    #   nh = 34.641683, 4.161947, 10.473487, 3.333804, 8.798970, 38.590108
    population = [215, 65, 252, 50, 149, 144]
    stddev = [26787207, 10645109, 6909676, 11085034, 9817762, 44553355]
    printed = [34.641683, 4.161947, 10.473487, 3.333804, 8.798970, 38.590108]
    assert neyman_allocation(100, population, stddev) == pytest.approx(printed, abs=5e-7)
    # No bound binds in this example, so the bounded allocation is the same Neyman one.
    bounded = bounded_allocation(100, np.multiply(population, stddev), [0] * 6, population)
    assert bounded == pytest.approx(printed, abs=5e-7)
    # Rounded by largest remainder: 34.64 35? The remainders .64 .16 .47 .33 .80 .59 add
    # up to 3 missing units, which go to the three largest (.80, .64, .59).
    assert largest_remainder(printed, 100).tolist() == [35, 4, 10, 3, 9, 39]


def test_neyman_on_error_rates_uses_the_bernoulli_standard_deviation():
    # Two strata of 1000 decisions, error rates 0.5 and 0.1: S = 0.5 and 0.3, so a budget of
    # 80 splits 500 : 300 -> 50 and 30.
    stddev = np.sqrt([0.5 * 0.5, 0.1 * 0.9])
    assert allocate(80, [1000, 1000], stddev).tolist() == [50, 30]


def test_floors_are_met_first_and_the_rest_follows_neyman():
    # Weights 100 x 0.1 = 10, 10, 50: unbounded 10/70 x 10 = 1.43 each for the first two,
    # below their floor of 3; they are held at 3 and the third takes the other 4.
    assert allocate(10, [100, 100, 100], [0.1, 0.1, 0.5], floors=[3, 3, 0]).tolist() == [3, 3, 4]


def test_a_stratum_is_never_given_more_inspections_than_decisions():
    # Weights 10 x 0.5 = 5 and 100 x 0.01 = 1: unbounded 50 and 10, but the first has only
    # 10 decisions; it is taken whole and the other gets the remaining 50.
    assert allocate(60, [10, 100], [0.5, 0.01]).tolist() == [10, 50]


def test_risk_share_goes_by_risk_score_and_the_rest_by_neyman():
    # 20% of 100 = 20 inspections by risk, all to the only risky stratum; 80 split evenly.
    result = allocate(100, [1000, 1000], [0.2, 0.2], risk=[1.0, 0.0], risk_share=0.2)
    assert result.tolist() == [60, 40]


def test_a_budget_below_the_floors_raises_a_clear_exception():
    with pytest.raises(BudgetTooSmall, match=r"budget of 5 inspections .* need 6"):
        allocate(5, [100, 100, 100], [0.2, 0.2, 0.2], floors=[2, 2, 2])


def test_floors_count_no_more_than_a_stratum_holds():
    # A floor of 5 on a stratum of 2 decisions asks for 2, so 2 + 5 = 7 fits a budget of 7.
    assert allocate(7, [2, 100], [0.3, 0.3], floors=[5, 5]).tolist() == [2, 5]


def test_no_stratum_passes_its_target_while_another_falls_short():
    # Neyman on 1000 x 0.3 vs 100 x 0.3 would give 100 and 10 of 110; with enough = 40 and
    # 80, the large one stops at 40 and the small one gets the other 70.
    assert allocate(110, [1000, 100], [0.3, 0.3], enough=[40, 80]).tolist() == [40, 70]
    # Once both can have enough (40 + 80 = 120 <= 200), the targets become floors of a
    # Neyman allocation: 10 : 1 of 200 would be 182 and 18, so the small one is held at its
    # 80 and the large one takes the other 120.
    assert allocate(200, [1000, 100], [0.3, 0.3], enough=[40, 80]).tolist() == [120, 80]


def test_a_budget_above_every_decision_is_refused():
    with pytest.raises(ValueError, match="more than the 20 decisions"):
        allocate(21, [10, 10], [0.2, 0.2])


def test_proportional_allocation_by_hand():
    # 60 over 500, 300, 200 -> 30, 18, 12.
    assert proportional_allocation(60, [500, 300, 200]).tolist() == [30, 18, 12]


def test_largest_remainder_breaks_ties_towards_the_earlier_stratum_and_respects_caps():
    assert largest_remainder([2.5, 2.5, 5.0], 10).tolist() == [3, 2, 5]
    assert largest_remainder([2.5, 2.5, 5.0], 10, upper=[2, 3, 5]).tolist() == [2, 3, 5]


def test_a_moderators_floor_is_split_over_their_strata_by_volume():
    # Floor 4 over volumes 30, 10: 3 and 1. A moderator with 2 decisions gives only 2.
    assert split_floor(4, [30, 10]).tolist() == [3, 1]
    assert split_floor(4, [1, 1]).tolist() == [1, 1]


def test_shrinkage_pulls_thin_strata_to_the_prior():
    # No inspections: the prior 0.05. 4 clean: (0 + 20 x 0.05) / 24 = 0.041667.
    # 200 with 40 errors: (40 + 1) / 220 = 0.186364.
    rates = shrunk_error_rate([0, 0, 40], [0, 4, 200], 0.05)
    assert rates == pytest.approx([0.05, 1 / 24, 41 / 220])


def test_risk_score_scales_each_part_by_its_largest_value():
    import pandas as pd

    frame = pd.DataFrame(
        {
            "error_rate": [0.05, 0.10],
            "overturn_rate": [0.2, 0.1],
            "new_moderator_share": [0.0, 0.0],
            "new_label_share": [0.5, 0.0],
        }
    )
    # 0.4 x 0.5 + 0.3 x 1 + 0 + 0.15 x 1 = 0.65; 0.4 x 1 + 0.3 x 0.5 = 0.55.
    assert risk_score(frame) == pytest.approx([0.65, 0.55])


def test_expected_margins_by_hand():
    # n = 100 of N = 1000 at p = 0.1: 1.959964 sqrt(0.09/100) sqrt(900/999)
    #  = 1.959964 x 0.03 x 0.949158 = 0.055809.
    margins = expected_margins([100, 0, 10], [1000, 50, 10], [0.1, 0.1, 0.1])
    assert margins[0] == pytest.approx(0.055809, abs=1e-6)
    assert math.isnan(margins[1]) and margins[2] == 0.0
    assert judged_at_target([100, 0, 10], margins, 0.06, 30).tolist() == [True, False, False]


def test_overall_margin_is_the_stratified_formula():
    # W = 0.5, 0.5; f = 0.1; p = 0.1 and 0.3; n = 100 each:
    # var = 0.25 x 0.9 x (0.09 + 0.21) / 100 = 0.000675; 1.959964 sqrt(var) = 0.050921.
    assert overall_margin([100, 100], [1000, 1000], [0.1, 0.3]) == pytest.approx(0.050921, 1e-5)
    assert math.isnan(overall_margin([100, 0], [1000, 10], [0.1, 0.3]))


def test_needed_for_target_uses_the_finite_population_sample_size():
    # p = 0.5, N = 1000: 278 needed (Cochran with FPC); 200 done -> 78 more; none for 300.
    assert needed_for_target([200, 300], [1000, 1000], [0.5, 0.5], 0.05).tolist() == [78, 0]


strata = st.lists(
    st.tuples(
        st.integers(0, 3000),  # expected decisions
        st.floats(0.0, 0.5),  # standard deviation
        st.integers(0, 15),  # floor
        st.floats(0.0, 1.0),  # risk
    ),
    min_size=1,
    max_size=40,
)


@given(
    strata=strata,
    fraction=st.floats(0.0, 1.0),
    risk_share=st.floats(0.0, 0.5),
    enough=st.one_of(st.none(), st.integers(0, 200)),
)
def test_budget_is_exact_after_rounding_and_floors_and_caps_hold(
    strata, fraction, risk_share, enough
):
    population = np.array([s[0] for s in strata])
    stddev = np.array([s[1] for s in strata])
    floors = np.array([s[2] for s in strata])
    risk = np.array([s[3] for s in strata])
    needed = int(np.minimum(floors, population).sum())
    budget = needed + int(fraction * (population.sum() - needed))
    targets = None if enough is None else np.full(len(strata), enough)
    result = allocate(
        budget,
        population,
        stddev,
        floors=floors,
        risk=risk,
        risk_share=risk_share,
        enough=targets,
    )
    assert result.sum() == budget
    assert np.all(result >= np.minimum(floors, population))
    assert np.all(result <= population)
    proportional = proportional_allocation(budget, population, floors=floors)
    assert proportional.sum() == budget
    assert np.all(proportional >= np.minimum(floors, population))


@given(strata=strata)
def test_any_budget_below_the_floors_raises(strata):
    population = np.array([s[0] for s in strata])
    floors = np.array([s[2] for s in strata])
    needed = int(np.minimum(floors, population).sum())
    if needed == 0:
        return
    with pytest.raises(BudgetTooSmall):
        allocate(needed - 1, population, np.full(len(strata), 0.2), floors=floors)
