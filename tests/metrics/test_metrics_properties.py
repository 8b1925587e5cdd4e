"""Invariants that must hold for any counts: intervals, BH adjustment, limits versus volume."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.control import p_chart
from metrics.funnel import funnel_limits
from metrics.movers import bh_adjust, compare_periods, difference_test
from metrics.rates import weighted_with_interval, with_interval

# numpy warnings (division by zero, invalid values) fail the test; others are not ours.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

counts_and_trials = st.integers(0, 100_000).flatmap(
    lambda trials: st.tuples(st.integers(0, trials), st.just(trials))
)
rates = st.floats(0.001, 0.999)


@given(st.lists(counts_and_trials, min_size=1, max_size=20))
def test_wilson_interval_contains_the_rate_and_lies_in_unit_interval(pairs):
    frame = pd.DataFrame(pairs, columns=["correct", "inspections"])
    result = with_interval(frame, "correct", "inspections")
    known = result[result["inspections"] > 0]
    assert (known["lower"] <= known["rate"]).all() and (known["rate"] <= known["upper"]).all()
    assert (known["lower"] >= 0).all() and (known["upper"] <= 1).all()
    assert result.loc[result["inspections"] == 0, ["rate", "lower", "upper"]].isna().all(axis=None)


@given(
    st.lists(
        st.tuples(st.floats(0.01, 100.0), st.booleans()),
        min_size=1,
        max_size=60,
    )
)
def test_weighted_interval_contains_the_rate_and_lies_in_unit_interval(inspections):
    weights = np.array([weight for weight, _ in inspections])
    correct = np.array([ok for _, ok in inspections])
    frame = pd.DataFrame(
        {
            "correct_weight": [weights[correct].sum()],
            "weight": [weights.sum()],
            "weight_sq": [(weights**2).sum()],
        }
    )
    row = weighted_with_interval(frame, "correct_weight", "weight", "weight_sq").iloc[0]
    assert 0 <= row["lower"] <= row["rate"] <= row["upper"] <= 1
    # Kish's effective n never exceeds the number of inspections.
    assert row["effective_n"] <= len(inspections) * (1 + 1e-9)


@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=50))
def test_bh_adjusted_p_values_are_monotone_in_raw_and_never_below_them(raw):
    raw = np.array(raw)
    adjusted = bh_adjust(raw)
    assert (adjusted >= raw - 1e-12).all() and (adjusted <= 1).all()
    order = np.argsort(raw, kind="stable")
    assert (np.diff(adjusted[order]) >= -1e-12).all()


@given(st.lists(st.tuples(counts_and_trials, counts_and_trials), min_size=1, max_size=15))
def test_movers_adjusted_p_never_below_raw_and_interval_holds_difference(pairs):
    current = pd.DataFrame(
        [(i, x, n) for i, ((x, n), _) in enumerate(pairs)], columns=["key", "x", "n"]
    )
    previous = pd.DataFrame(
        [(i, x, n) for i, (_, (x, n)) in enumerate(pairs)], columns=["key", "x", "n"]
    )
    result = compare_periods(current, previous, ["key"], "x", "n")
    judged = result[result["judged"]]
    assert (judged["p_adjusted"] >= judged["p_value"] - 1e-12).all()
    assert not result.loc[~result["judged"], "moved"].any()
    both = result[(result["denominator_current"] > 0) & (result["denominator_previous"] > 0)]
    assert (both["difference_lower"] <= both["difference"] + 1e-12).all()
    assert (both["difference"] <= both["difference_upper"] + 1e-12).all()
    assert (both["difference_lower"] >= -1).all() and (both["difference_upper"] <= 1).all()


@given(counts_and_trials, counts_and_trials)
def test_difference_p_value_is_a_probability(first, second):
    _, _, p_value = difference_test([first[0]], [first[1]], [second[0]], [second[1]])
    assert np.isnan(p_value[0]) or 0 <= p_value[0] <= 1


@given(rates, st.integers(1, 100_000), st.integers(1, 100_000))
def test_funnel_limits_widen_as_volume_falls(overall_rate, volume_a, volume_b):
    small, large = sorted((volume_a, volume_b))
    limits = funnel_limits(overall_rate, [small, large], method="normal")
    for level in ("95", "998"):
        assert limits[f"lower_{level}"].iloc[0] <= limits[f"lower_{level}"].iloc[1]
        assert limits[f"upper_{level}"].iloc[0] >= limits[f"upper_{level}"].iloc[1]
    # The 99.8% funnel always contains the 95% funnel, which contains the overall rate.
    assert (limits["lower_998"] <= limits["lower_95"]).all()
    assert (limits["lower_95"] <= overall_rate).all() and (overall_rate <= limits["upper_95"]).all()
    assert (limits["upper_95"] <= limits["upper_998"]).all()


@settings(max_examples=50)
@given(rates, st.integers(1, 5_000))
def test_binomial_funnel_limits_nest_and_stay_in_unit_interval(overall_rate, volume):
    for method in ("binomial", "exact"):
        limits = funnel_limits(overall_rate, [volume], method=method).iloc[0]
        assert 0 <= limits["lower_998"] <= limits["lower_95"] <= limits["upper_95"]
        assert limits["upper_95"] <= limits["upper_998"] <= 1


@given(st.lists(counts_and_trials.filter(lambda pair: pair[1] > 0), min_size=2, max_size=30))
def test_p_chart_limits_widen_as_sample_size_falls(points):
    frame = pd.DataFrame(points, columns=["errors", "inspections"]).assign(
        period=range(len(points))
    )
    chart = p_chart(frame, "errors", "inspections").sort_values("inspections")
    assert (np.diff(chart["lower_limit"]) >= -1e-12).all()
    assert (np.diff(chart["upper_limit"]) <= 1e-12).all()
    assert ((chart["lower_limit"] >= 0) & (chart["upper_limit"] <= 1)).all()
