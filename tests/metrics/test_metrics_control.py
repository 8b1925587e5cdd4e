"""p-chart and Laney p' limits: Montgomery's printed example, hand arithmetic and run rules."""

import numpy as np
import pandas as pd
import pytest

from metrics.control import p_chart

# numpy warnings (division by zero, invalid values) fail the test; others are not ours.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

# Montgomery DC, Introduction to Statistical Quality Control, 6th ed. (Wiley, 2009),
# Example 7.1, Table 7.1: nonconforming frozen orange-juice cans in 30 samples of n = 50.
ORANGE_JUICE_NONCONFORMING = [
    12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22,
    8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6,
]  # fmt: skip


@pytest.fixture
def orange_juice() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": range(1, 31),
            "nonconforming": ORANGE_JUICE_NONCONFORMING,
            "inspected": 50,
        }
    )


def test_orange_juice_trial_limits_match_montgomery(orange_juice):
    # Printed: p-bar = 347/1500 = 0.2313, UCL = 0.4102, LCL = 0.0524;
    # samples 15 (0.44) and 23 (0.48) plot above the UCL.
    chart = p_chart(orange_juice, "nonconforming", "inspected")
    assert chart["centre"].iloc[0] == pytest.approx(0.2313, abs=5e-5)
    assert chart["upper_limit"].to_numpy() == pytest.approx([0.4102] * 30, abs=5e-5)
    assert chart["lower_limit"].to_numpy() == pytest.approx([0.0524] * 30, abs=5e-5)
    assert chart.loc[chart["beyond_limits"], "period"].tolist() == [15, 23]


def test_orange_juice_revised_limits_exclude_the_assignable_causes(orange_juice):
    # Printed revised limits without samples 15 and 23: p-bar = 301/1400 = 0.2150,
    # UCL = 0.3893, LCL = 0.0407. By hand, sample 21 (20/50 = 0.40 > 0.3893) is now above too.
    baseline = ~orange_juice["period"].isin([15, 23])
    chart = p_chart(orange_juice, "nonconforming", "inspected", baseline=baseline)
    assert chart["centre"].iloc[0] == pytest.approx(0.2150, abs=5e-5)
    assert chart["upper_limit"].iloc[0] == pytest.approx(0.3893, abs=5e-5)
    assert chart["lower_limit"].iloc[0] == pytest.approx(0.0407, abs=5e-5)
    assert chart.loc[chart["beyond_limits"], "period"].tolist() == [15, 21, 23]


def test_baseline_may_be_a_plain_boolean_array(orange_juice):
    baseline = np.array([period not in (15, 23) for period in range(1, 31)])
    chart = p_chart(orange_juice, "nonconforming", "inspected", baseline=baseline)
    assert chart["centre"].iloc[0] == pytest.approx(301 / 1400)


def test_limits_vary_with_each_points_sample_size():
    # p-bar = (10 + 40 + 5) / (100 + 400 + 25) = 55/525 = 0.104762; p-bar(1 - p-bar) = 0.093787.
    # n = 100: 3 sqrt(0.093787/100) = 0.091874 -> 0.012888 .. 0.196636
    # n = 400: 3 sqrt(0.093787/400) = 0.045937 -> 0.058825 .. 0.150699
    # n = 25:  3 sqrt(0.093787/25)  = 0.183748 -> clipped 0 .. 0.288510
    frame = pd.DataFrame(
        {"period": [1, 2, 3], "errors": [10, 40, 5], "inspections": [100, 400, 25]}
    )
    chart = p_chart(frame, "errors", "inspections")
    assert chart["centre"].iloc[0] == pytest.approx(55 / 525)
    assert chart["lower_limit"].to_numpy() == pytest.approx([0.012888, 0.058825, 0.0], abs=1e-6)
    assert chart["upper_limit"].to_numpy() == pytest.approx(
        [0.196636, 0.150699, 0.288510], abs=1e-6
    )


def test_laney_with_constant_n_is_the_individuals_chart_on_p():
    # Laney (2002): with equal n, p' limits are p-bar ± 3 MR-bar / 1.128 on the proportions.
    # Rates 0.10, 0.12, 0.09, 0.13 (n = 1000): p-bar = 0.11; moving ranges 0.02, 0.03, 0.04,
    # MR-bar = 0.03; limits 0.11 ± 3 * 0.03 / 1.128 = 0.11 ± 0.079787.
    frame = pd.DataFrame(
        {"period": [1, 2, 3, 4], "errors": [100, 120, 90, 130], "inspections": 1000}
    )
    chart = p_chart(frame, "errors", "inspections", method="laney")
    assert chart["lower_limit"].to_numpy() == pytest.approx([0.11 - 0.079787] * 4, abs=1e-6)
    assert chart["upper_limit"].to_numpy() == pytest.approx([0.11 + 0.079787] * 4, abs=1e-6)


def test_laney_stops_huge_samples_from_flagging_every_point():
    # n = 1,000,000: p-chart limits are 0.1 ± 3 sqrt(0.09/1e6) = 0.1 ± 0.0009, so ordinary
    # week-to-week movement of ±0.001 to ±0.002 breaches; Laney's sigma_z absorbs it.
    rates = [0.100, 0.1015, 0.0985, 0.1012, 0.0988, 0.1018, 0.0982, 0.1000]
    frame = pd.DataFrame(
        {
            "period": range(8),
            "errors": [round(r * 1_000_000) for r in rates],
            "inspections": 1_000_000,
        }
    )
    assert p_chart(frame, "errors", "inspections")["beyond_limits"].sum() >= 5
    assert not p_chart(frame, "errors", "inspections", method="laney")["beyond_limits"].any()


def test_eighth_point_in_a_row_on_one_side_is_flagged():
    # Eight points at 0.3 then eight at 0.1 (n = 50): centre 0.2, limits 0.2 ± 0.1697, no
    # point beyond; points 8 and 16 complete runs of eight.
    frame = pd.DataFrame({"period": range(1, 17), "errors": [15] * 8 + [5] * 8, "inspections": 50})
    chart = p_chart(frame, "errors", "inspections")
    assert not chart["beyond_limits"].any()
    assert chart.loc[chart["run_of_eight"], "period"].tolist() == [8, 16]
    assert chart["breach"].tolist() == chart["run_of_eight"].tolist()


def test_seven_in_a_row_is_not_a_run():
    frame = pd.DataFrame({"period": range(1, 15), "errors": [15] * 7 + [5] * 7, "inspections": 50})
    assert not p_chart(frame, "errors", "inspections")["run_of_eight"].any()


def test_a_point_without_inspections_has_no_rate_and_breaks_a_run():
    errors = [15] * 4 + [0] + [15] * 4 + [5] * 9
    inspections = [50] * 4 + [0] + [50] * 13
    frame = pd.DataFrame({"period": range(18), "errors": errors, "inspections": inspections})
    chart = p_chart(frame, "errors", "inspections")
    assert np.isnan(chart["rate"].iloc[4]) and np.isnan(chart["upper_limit"].iloc[4])
    assert not chart["breach"].iloc[4]
    # Above-centre points 0-3 and 5-8 are split by the empty week: no run of eight above.
    assert chart.loc[chart["run_of_eight"], "period"].tolist() == [16, 17]


def test_all_points_equal_gives_no_breach():
    frame = pd.DataFrame({"period": range(10), "errors": 5, "inspections": 50})
    chart = p_chart(frame, "errors", "inspections")
    assert not chart["breach"].any()
    assert (chart["centre"] == 0.1).all()


def test_zero_rate_throughout_collapses_limits_to_zero_without_warnings():
    frame = pd.DataFrame({"period": range(3), "errors": 0, "inspections": 40})
    for method in ("p", "laney"):
        chart = p_chart(frame, "errors", "inspections", method=method)
        assert (chart[["lower_limit", "upper_limit"]] == 0).all(axis=None)
        assert not chart["breach"].any()


def test_unknown_method_is_refused():
    frame = pd.DataFrame({"period": [1], "errors": [1], "inspections": [10]})
    with pytest.raises(ValueError, match="method"):
        p_chart(frame, "errors", "inspections", method="u")


@pytest.mark.parametrize("method", ["p", "laney"])
def test_charts_by_group_equal_each_group_charted_alone(orange_juice, method):
    # Three charts in one frame: Montgomery's series, its reverse with a run planted at the
    # end, and a short one with an empty sample; each is judged on its own baseline.
    reverse = orange_juice.iloc[::-1].assign(period=range(1, 31), market="FR")
    reverse.loc[reverse.index[:9], "nonconforming"] = 30
    short = pd.DataFrame(
        {"period": range(1, 6), "nonconforming": [3, 0, 4, 2, 5], "inspected": [40, 0, 40, 40, 40]}
    ).assign(market="JP")
    frame = pd.concat([orange_juice.assign(market="DE"), reverse, short], ignore_index=True)
    baseline = frame["period"] <= 20
    together = p_chart(
        frame, "nonconforming", "inspected", baseline=baseline, method=method, by="market"
    )
    alone = pd.concat(
        [
            p_chart(
                rows, "nonconforming", "inspected", baseline=baseline[rows.index], method=method
            )
            for _, rows in frame.groupby("market", sort=False)
        ]
    )
    pd.testing.assert_frame_equal(together, alone)
    assert together["centre"].nunique() == 3
    # The planted run is found in its own chart only: runs do not cross from one to the next.
    assert together.loc[together["market"] == "FR", "run_of_eight"].any()
