"""Impact of an action: constructed series where the true effect is known.

The seeded simulations run ``MODQA_IMPACT_SIMULATIONS`` series per claim (200 by default,
a few seconds; README.md reports the figures at 2,000).
"""

from __future__ import annotations

import datetime as dt
import os

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, logit

from metrics.impact import describe_impact, first_post_week, measure_impact, window_end

RUNS = int(os.environ.get("MODQA_IMPACT_SIMULATIONS", "200"))
FIRST_MONDAY = dt.date(2026, 1, 5)
PRE, WINDOW = 12, 6
BASE, SLOPE = 0.93, 0.005


def _mondays(weeks: int) -> list[dt.date]:
    return [FIRST_MONDAY + dt.timedelta(weeks=week) for week in range(weeks)]


def _frame(k, n, weeks: int) -> pd.DataFrame:
    return pd.DataFrame(
        {"period": pd.to_datetime(_mondays(weeks)), "numerator": k, "denominator": n}
    )


def _logits(level: float, shock: float = 0.0) -> np.ndarray:
    """Return the true weekly logits: base, a slow trend, and changes at week PRE."""
    t = np.arange(PRE + WINDOW)
    return logit(BASE) + SLOPE * t + (level + shock) * (t >= PRE)


def _draw(rng, logits: np.ndarray, n_mean: int = 800, extra: float = 0.05) -> pd.DataFrame:
    # Extra week-to-week noise on the logit: overdispersion, as real weekly rates have.
    n = rng.poisson(n_mean, len(logits))
    k = rng.binomial(n, expit(logits + rng.normal(0, extra, len(logits))))
    return _frame(k, n, len(logits))


def _measure(frame: pd.DataFrame, control: pd.DataFrame | None = None):
    start = _mondays(PRE + 1)[PRE]
    return measure_impact(
        frame,
        start=start,
        window_weeks=WINDOW,
        direction="up",
        as_of=window_end(start, WINDOW),
        control=control,
    )


def _true_effect(level: float, shock: float = 0.0) -> float:
    """Return the change at the last window week: with the action minus without it."""
    last = _logits(0.0, shock)[-1]
    return float(expit(last + level) - expit(last))


def test_known_level_change_is_inside_the_interval_in_95_percent_of_runs():
    rng = np.random.default_rng(20261201)
    level = 0.5
    truth = _true_effect(level)  # 2.4 points at the end of the window
    results = [_measure(_draw(rng, _logits(level))) for _ in range(RUNS)]
    assert all(result.status == "measured" for result in results)
    covered = np.mean([result.lower <= truth <= result.upper for result in results])
    print(f"coverage of a {truth:.3f} level change: {covered:.3f} over {RUNS} runs")
    assert covered >= 0.95
    # And the estimate is centred on the truth: the mean error is a small part of the effect.
    assert abs(np.mean([result.effect for result in results]) - truth) < 0.15 * truth


def test_no_effect_series_are_called_significant_in_at_most_5_percent():
    rng = np.random.default_rng(20261202)
    results = [_measure(_draw(rng, _logits(0.0))) for _ in range(RUNS)]
    called = np.mean([result.significant for result in results])
    print(f"no-effect series called significant: {called:.3f} over {RUNS} runs")
    assert called <= 0.05


def test_a_control_series_removes_a_shift_shared_with_the_control_markets():
    rng = np.random.default_rng(20261203)
    runs = max(RUNS // 2, 100)
    level, shock = 0.4, 0.6
    truth = _true_effect(level, shock)
    with_control, alone = [], []
    for _ in range(runs):
        treated = _draw(rng, _logits(level, shock))
        control = _draw(rng, _logits(0.0, shock), n_mean=2000)
        with_control.append(_measure(treated, control))
        alone.append(_measure(treated))
    assert {result.method for result in with_control} == {"difference-in-differences"}
    covered = np.mean([r.lower <= truth <= r.upper for r in with_control])
    print(f"difference-in-differences coverage: {covered:.3f} over {runs} runs")
    assert covered >= 0.95
    # Without the control the shared shift is taken for the action's effect.
    assert np.mean([r.lower <= truth <= r.upper for r in alone]) < 0.5


def test_noiseless_counts_give_the_hand_computed_effect():
    # Expected counts on a huge denominator: the fit must return the generating logits.
    n = np.full(PRE + WINDOW, 1_000_000.0)
    level, slope_change = 0.3, 0.05
    t = np.arange(PRE + WINDOW)
    logits = _logits(level) + slope_change * (t - PRE) * (t >= PRE)
    result = _measure(_frame(np.round(n * expit(logits)), n, PRE + WINDOW))
    # At the last window week (t = 17): logit(0.93) + 0.085, with and without 0.3 + 5 x 0.05.
    without = expit(logit(0.93) + 0.085)
    with_action = expit(logit(0.93) + 0.085 + 0.3 + 0.25)
    assert result.effect == pytest.approx(with_action - without, abs=2e-5)
    assert result.baseline == pytest.approx(without, abs=2e-5)
    assert result.verdict == "improved"


def test_too_early_until_the_window_has_passed():
    start = dt.date(2026, 3, 30)  # a Monday
    frame = _draw(np.random.default_rng(1), _logits(0.0))
    result = measure_impact(
        frame, start=start, window_weeks=6, direction="up", as_of=dt.date(2026, 5, 9)
    )
    assert result.status == "too early"
    assert result.evaluation_end == dt.date(2026, 5, 10)
    assert "10 May 2026" in result.message


def test_a_mid_week_start_counts_from_the_next_monday():
    assert first_post_week(dt.date(2026, 4, 1)) == dt.date(2026, 4, 6)
    assert first_post_week(dt.date(2026, 4, 6)) == dt.date(2026, 4, 6)
    assert window_end(dt.date(2026, 4, 1), 2) == dt.date(2026, 4, 19)


def test_few_weeks_before_the_action_are_underpowered():
    frame = _draw(np.random.default_rng(2), _logits(0.0)).iloc[PRE - 2 :]
    result = _measure(frame)
    assert result.status == "underpowered"
    assert "Only 2 week(s)" in result.message


def test_small_counts_are_underpowered_with_the_minimum_detectable_effect():
    frame = _draw(np.random.default_rng(3), _logits(0.0), n_mean=15)
    result = _measure(frame)
    assert result.status == "underpowered"
    # Hand check of the order of magnitude: one week's rate at n=15 has a standard error of
    # sqrt(.93 x .07 / 15) = 6.6 points, and an end-of-window effect is less certain than that.
    assert result.mde > 0.10
    assert f"{result.mde * 100:.1f} points" in result.message


def test_no_inspections_after_the_start_is_no_data():
    frame = _draw(np.random.default_rng(4), _logits(0.0)).iloc[:PRE]
    assert _measure(frame).status == "no data"


def test_the_card_sentence_names_the_metric_the_change_and_the_interval():
    n = np.full(PRE + WINDOW, 1_000_000.0)
    result = _measure(_frame(np.round(n * expit(_logits(0.5))), n, PRE + WINDOW))
    points = (expit(_logits(0.0)[-1] + 0.5) - expit(_logits(0.0)[-1])) * 100
    sentence = describe_impact(result, "Accuracy")
    assert sentence.startswith(f"Accuracy rose {points:.1f} points (")
    assert sentence.endswith(") after it.")
