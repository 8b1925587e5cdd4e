"""Funnel limits and positions: Spiegelhalter's formulas worked by hand."""

import numpy as np
import pandas as pd
import pytest

from metrics.funnel import funnel_limits, funnel_positions

# numpy warnings (division by zero, invalid values) fail the test; others are not ours.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def test_normal_limits_worked_by_hand():
    # theta = 0.1, n = 100: sd = sqrt(0.1 * 0.9 / 100) = 0.03.
    # 95%:   0.1 ± 1.959964 * 0.03 = 0.1 ± 0.058799 -> 0.041201 .. 0.158799
    # 99.8%: 0.1 ± 3.090232 * 0.03 = 0.1 ± 0.092707 -> 0.007293 .. 0.192707
    limits = funnel_limits(0.1, [100], method="normal").iloc[0]
    assert list(limits.index) == ["volume", "lower_95", "upper_95", "lower_998", "upper_998"]
    assert limits["lower_95"] == pytest.approx(0.041201, abs=1e-6)
    assert limits["upper_95"] == pytest.approx(0.158799, abs=1e-6)
    assert limits["lower_998"] == pytest.approx(0.007293, abs=1e-6)
    assert limits["upper_998"] == pytest.approx(0.192707, abs=1e-6)


def test_exact_binomial_limits_interpolated_as_spiegelhalter_appendix():
    # Binomial(10, 0.5): F(1) = 11/1024, F(2) = 56/1024, F(7) = 968/1024, F(8) = 1013/1024.
    # p = 0.025 = 25.6/1024: r = 2, a = (56 - 25.6) / (56 - 11) = 0.675556,
    #   limit = (2 - 0.675556) / 10 = 0.132444.
    # p = 0.975 = 998.4/1024: r = 8, a = (1013 - 998.4) / (1013 - 968) = 0.324444,
    #   limit = (8 - 0.324444) / 10 = 0.767556.
    limits = funnel_limits(0.5, [10], levels=(0.95,), method="exact").iloc[0]
    assert limits["lower_95"] == pytest.approx((2 - 30.4 / 45) / 10, abs=1e-9)
    assert limits["upper_95"] == pytest.approx((8 - 14.6 / 45) / 10, abs=1e-9)


def test_exact_and_normal_limits_agree_for_large_volumes():
    normal = funnel_limits(0.2, [100_000], method="normal")
    exact = funnel_limits(0.2, [100_000], method="exact")
    # The interpolated quantile sits about half an event (0.5/n) below the continuous one.
    assert np.allclose(normal.to_numpy(), exact.to_numpy(), atol=2e-5)


def test_zero_volume_has_no_limits_and_zero_rate_has_a_flat_funnel():
    limits = funnel_limits(0.1, [0, 50], method="normal")
    assert limits.iloc[0, 1:].isna().all()
    for method in ("binomial", "normal", "exact"):
        flat = funnel_limits(0.0, [50], method=method).iloc[0, 1:]
        assert (flat == 0.0).all()
        full = funnel_limits(1.0, [50], method=method).iloc[0, 1:]
        assert (full == 1.0).all()


def test_limits_are_clipped_to_the_unit_interval():
    limits = funnel_limits(0.02, [30], method="normal")
    assert limits["lower_998"].iloc[0] == 0.0


@pytest.fixture
def moderators() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "moderator_id": ["a", "b", "c", "d"],
            "errors": [10, 30, 0, 5],
            "inspections": [100, 100, 100, 20],
        }
    )


def test_positions_against_the_998_limits_worked_by_hand(moderators):
    # overall = 45 / 320 = 0.140625; at n = 100:
    # sd = sqrt(0.140625 * 0.859375 / 100) = 0.0347634; 3.090232 * sd = 0.1074271
    # -> 0.0331979 .. 0.2480521: a (0.10) inside, b (0.30) above, c (0.00) below;
    # d has 20 < 30 inspections: too small.
    result = funnel_positions(moderators, "errors", "inspections", method="normal")
    assert result["overall_rate"].iloc[0] == pytest.approx(0.140625)
    assert result["lower_998"].iloc[0] == pytest.approx(0.0331979, abs=1e-6)
    assert result["upper_998"].iloc[0] == pytest.approx(0.2480521, abs=1e-6)
    assert result["position"].tolist() == ["inside", "above", "below", "too small"]
    assert list(result.columns[-7:]) == [
        "rate",
        "overall_rate",
        "lower_95",
        "upper_95",
        "lower_998",
        "upper_998",
        "position",
    ]


def test_positions_at_the_95_warning_line(moderators):
    # 95% at n = 100: 0.140625 ± 1.959964 * 0.0347634 = 0.0724899 .. 0.2087601; a (0.10) inside.
    result = funnel_positions(moderators, "errors", "inspections", level=0.95, method="normal")
    assert result["position"].tolist() == ["inside", "above", "below", "too small"]
    assert result["lower_95"].iloc[0] == pytest.approx(0.0724899, abs=1e-6)


def test_single_unit_sits_on_its_own_overall_rate():
    frame = pd.DataFrame({"vendor_code": ["v1"], "errors": [7], "inspections": [70]})
    assert funnel_positions(frame, "errors", "inspections")["position"].tolist() == ["inside"]


def test_zero_volume_unit_is_too_small_even_with_no_minimum():
    frame = pd.DataFrame({"vendor_code": ["v1", "v2"], "errors": [7, 0], "inspections": [70, 0]})
    result = funnel_positions(frame, "errors", "inspections", min_sample=0)
    assert result["position"].tolist() == ["inside", "too small"]
    assert np.isnan(result["rate"].iloc[1])


def test_target_overrides_the_overall_rate():
    frame = pd.DataFrame({"vendor_code": ["v1"], "errors": [30], "inspections": [100]})
    result = funnel_positions(frame, "errors", "inspections", target=0.1, method="normal")
    # 0.30 against 0.1 ± 3.090232 * 0.03 = 0.192707: above.
    assert result["position"].tolist() == ["above"]
