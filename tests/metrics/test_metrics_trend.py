"""Per-segment trend from a binomial GLM, against closed-form logistic fits worked by hand."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from metrics.trend import trend_by_segment

# numpy warnings (division by zero, invalid values) fail the test; others are not ours.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def series(segment: str, periods, errors, inspections) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "market_code": segment,
            "period": periods,
            "errors": errors,
            "inspections": inspections,
        }
    )


def test_two_periods_give_the_log_odds_ratio_and_woolf_standard_error():
    # Saturated fit: slope = logit(20/100) - logit(10/100) = ln(0.25) - ln(1/9) = ln 2.25
    # = 0.810930; se = sqrt(1/10 + 1/90 + 1/20 + 1/80) = sqrt(0.173611) = 0.416667;
    # z = 1.946233, two-sided p = 0.051627.
    frame = series("US", [0, 1], [10, 20], [100, 100])
    row = trend_by_segment(frame, ["market_code"], "errors", "inspections", min_periods=2).iloc[0]
    assert row["slope"] == pytest.approx(math.log(2.25), abs=1e-6)
    assert row["p_value"] == pytest.approx(2 * norm.sf(math.log(2.25) / 0.416667), abs=1e-5)
    assert row["direction"] == "flat"  # 0.0516 is not below 0.05


def test_exactly_linear_log_odds_recover_slope_ln2_and_its_information_se():
    # Rates 1/3, 1/2, 2/3 have logits -ln 2, 0, ln 2: the fit is exact, slope = ln 2.
    # Weights n p (1 - p) = 66.67, 75, 66.67; centred x = -1, 0, 1;
    # var(slope) = 1 / (66.67 + 66.67) = 0.0075, se = 0.0866025; z = 8.00378.
    frame = series("US", [0, 1, 2], [100, 150, 200], [300, 300, 300])
    row = trend_by_segment(frame, ["market_code"], "errors", "inspections").iloc[0]
    assert row["slope"] == pytest.approx(math.log(2), abs=1e-9)
    assert row["p_value"] == pytest.approx(2 * norm.sf(math.log(2) / math.sqrt(0.0075)), rel=1e-4)
    assert row["direction"] == "rising"


def test_falling_series_is_falling():
    frame = series("US", [0, 1, 2], [200, 150, 100], [300, 300, 300])
    row = trend_by_segment(frame, ["market_code"], "errors", "inspections").iloc[0]
    assert row["slope"] == pytest.approx(-math.log(2), abs=1e-9)
    assert row["direction"] == "falling"


def test_gaps_in_a_segment_count_as_periods():
    # The frame has periods 0..4; this segment has 0, 2, 4, so its logits -ln2, 0, ln2 rise
    # by ln 2 over two periods: slope = ln(2) / 2 = 0.346574.
    frame = pd.concat(
        [
            series("US", [0, 2, 4], [100, 150, 200], [300, 300, 300]),
            series("ID", [0, 1, 2, 3, 4], [5] * 5, [50] * 5),
        ]
    )
    result = trend_by_segment(frame, ["market_code"], "errors", "inspections").set_index(
        "market_code"
    )
    assert result.loc["US", "slope"] == pytest.approx(math.log(2) / 2, abs=1e-9)


def test_equal_rates_are_flat():
    frame = series("US", [0, 1, 2, 3], [10] * 4, [100] * 4)
    row = trend_by_segment(frame, ["market_code"], "errors", "inspections").iloc[0]
    assert row["slope"] == pytest.approx(0.0, abs=1e-9)
    assert row["p_value"] == pytest.approx(1.0, abs=1e-6)
    assert row["direction"] == "flat"


def test_zero_of_n_and_n_of_n_throughout_are_flat():
    frame = pd.concat(
        [series("US", [0, 1, 2], [0, 0, 0], [40] * 3), series("ID", [0, 1, 2], [40] * 3, [40] * 3)]
    )
    result = trend_by_segment(frame, ["market_code"], "errors", "inspections")
    assert result["slope"].tolist() == [0.0, 0.0]
    assert result["direction"].tolist() == ["flat", "flat"]


def test_too_few_periods_with_inspections_are_not_judged():
    # Three periods, but one has no inspections: two usable < min_periods = 3.
    frame = series("US", [0, 1, 2], [10, 0, 30], [100, 0, 100])
    row = trend_by_segment(frame, ["market_code"], "errors", "inspections").iloc[0]
    assert np.isnan(row["slope"]) and np.isnan(row["p_value"])
    assert row["direction"] == "not judged"


def test_separated_series_has_no_finite_slope_and_is_not_judged():
    frame = series("US", [0, 1, 2, 3], [0, 0, 0, 2], [50] * 4)
    assert trend_by_segment(frame, ["market_code"], "errors", "inspections")[
        "direction"
    ].tolist() == ["not judged"]


def test_overdispersion_keeps_zigzag_noise_from_reading_as_a_trend():
    # Rates zigzag 0.10/0.20 with a slight drift on 10,000 inspections a week: a plain
    # binomial GLM calls it rising; the quasi-binomial scale (Pearson chi2 / df) does not.
    rates = [0.10, 0.20, 0.11, 0.21, 0.12, 0.22]
    frame = series("US", range(6), [int(r * 10_000) for r in rates], [10_000] * 6)
    plain = trend_by_segment(
        frame, ["market_code"], "errors", "inspections", overdispersion=False
    ).iloc[0]
    scaled = trend_by_segment(frame, ["market_code"], "errors", "inspections").iloc[0]
    assert plain["direction"] == "rising" and scaled["direction"] == "flat"
    assert plain["slope"] == pytest.approx(scaled["slope"])


def test_one_row_per_segment_with_keys_first():
    frame = pd.concat(
        [
            series("US", [0, 1, 2], [100, 150, 200], [300] * 3),
            series("ID", [0, 1, 2], [10, 10, 10], [100] * 3),
        ]
    )
    result = trend_by_segment(frame, ["market_code"], "errors", "inspections")
    assert list(result.columns) == ["market_code", "slope", "p_value", "direction"]
    assert result.set_index("market_code")["direction"].to_dict() == {
        "ID": "flat",
        "US": "rising",
    }


def test_dates_as_periods_and_empty_frames():
    frame = series("US", pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15"]), [1, 2, 3], 50)
    assert len(trend_by_segment(frame, ["market_code"], "errors", "inspections")) == 1
    empty = trend_by_segment(frame.iloc[0:0], ["market_code"], "errors", "inspections")
    assert list(empty.columns) == ["market_code", "slope", "p_value", "direction"]
    assert empty.empty
