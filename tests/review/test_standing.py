"""Standing problems and pooled units: levels judged against peers, on constructed counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from review.standing import judge_units, unjudgeable

WEEKS = pd.date_range("2026-07-06", periods=13, freq="7D")


def weekly(key: str, rates: dict[str, list[float]], volume: int, numerator: str, denominator: str):
    """Return weekly counts per unit at the given weekly rates, ``volume`` a week each."""
    rows = [
        {"period": week, key: unit, numerator: round(rate * volume), denominator: volume}
        for unit, unit_rates in rates.items()
        for week, rate in zip(WEEKS, unit_rates, strict=True)
    ]
    return pd.DataFrame(rows)


def test_a_label_overturned_far_more_often_is_out_of_line_since_its_run_began():
    # Ten labels at 10% with 40 resolved appeals a week; "bad" at 10% for 3 weeks, then 50%.
    rates = {f"label{i}": [0.1] * 13 for i in range(9)}
    rates["bad"] = [0.1] * 3 + [0.5] * 10
    frame = weekly("label_code", rates, 40, "overturned", "resolved")
    units = judge_units(
        {"label:overturn_rate": frame}, WEEKS[0], WEEKS[-1], min_sample=30, fdr=0.05
    )
    flagged = units[units["flagged"]]
    assert flagged["label_code"].tolist() == ["bad"]
    bad = flagged.iloc[0]
    # 12 + 200 of 520 = 40.8% against the others' 10%.
    assert bad["rate"] == pytest.approx(212 / 520) and bad["reference_rate"] == pytest.approx(0.1)
    assert bad["since"] == WEEKS[3] and bool(bad["worse"])
    assert int(units["judged"].sum()) == 10


def test_a_moderator_is_judged_on_the_funnel_with_the_exact_binomial_p_value():
    # 40 moderators, 20 inspections a week at 95%; "weak" at 80%. Over 13 weeks: 260 each.
    rates = {f"M{i:04d}": [0.95] * 13 for i in range(39)}
    rates["weak"] = [0.8] * 13
    frame = weekly("moderator_id", rates, 20, "correct", "inspections")
    units = judge_units(
        {"moderator:accuracy": frame}, WEEKS[0], WEEKS[-1], min_sample=30, fdr=0.05
    ).set_index("moderator_id")
    overall = (39 * 247 + 208) / (40 * 260)
    assert units.loc["weak", "reference_rate"] == pytest.approx(overall)
    expected = 2 * binom.cdf(208, 260, overall)
    assert units.loc["weak", "p_value"] == pytest.approx(expected)
    assert units.loc["weak", "position"] == "below" and units.loc["weak", "flagged"]
    assert units["flagged"].sum() == 1


def test_pooling_judges_a_unit_too_small_in_one_week_and_says_what_the_rest_would_need():
    # "quiet" has 10 inspections a week at 60%; 4 pooled weeks give 40, enough to judge.
    # "tiny" has 2 a week: 8 pooled, never judgeable; it needs ceil(30 / 4) = 8 a week.
    rates = {f"M{i:04d}": [0.95] * 13 for i in range(20)}
    frame = weekly("moderator_id", rates, 40, "correct", "inspections")
    quiet = weekly("moderator_id", {"quiet": [0.6] * 13}, 10, "correct", "inspections")
    tiny = weekly("moderator_id", {"tiny": [1.0] * 13}, 2, "correct", "inspections")
    sources = {"moderator:accuracy": pd.concat([frame, quiet, tiny], ignore_index=True)}
    only = {"moderator:accuracy": {"quiet", "tiny"}}
    start = WEEKS[-4]
    pooled = judge_units(sources, start, WEEKS[-1], only=only, min_sample=30, fdr=0.05)
    assert set(pooled["moderator_id"]) == {"quiet", "tiny"}
    quiet_row = pooled.set_index("moderator_id").loc["quiet"]
    assert quiet_row["denominator"] == 40 and quiet_row["flagged"]
    assert not pooled.set_index("moderator_id").loc["tiny", "judged"]
    left = unjudgeable(sources, start, WEEKS[-1], only, min_sample=30, weeks=4).iloc[0]
    assert (left["units"], left["median_per_week"], left["minimum_per_week"]) == (1, 2.0, 8)
    # Overall over the 4 weeks: (3,040 + 24 + 8) / (3,200 + 40 + 8) = 0.945813; a ±5-pt
    # 95% interval needs 1.959964² × 0.945813 × 0.054187 / 0.05² = 78.8 -> 79, 20 a week.
    assert left["for_margin_per_week"] == 20


def _run_start_by_hand(weeks: pd.DataFrame, reference: float, higher: bool):
    """Walk one unit's weeks back from the last: the earliest week before one off the side."""
    since = None
    for _, week in weeks.sort_values("period", ascending=False).iterrows():
        if week["inspections"] == 0:
            continue
        rate = week["correct"] / week["inspections"]
        if not (rate > reference if higher else rate < reference):
            break
        since = week["period"]
    return since


def test_run_starts_match_a_walk_back_over_each_units_weeks():
    from review.standing import _run_starts

    rng = np.random.default_rng(12)
    frame = pd.DataFrame(
        [
            {
                "period": week,
                "moderator_id": f"M{unit:03d}",
                "inspections": int(volume),
                "correct": int(rng.binomial(volume, 0.85 + 0.1 * (unit % 3) / 2)),
            }
            for unit in range(60)
            for week, volume in zip(WEEKS, rng.choice([0, 5, 20, 40], size=13), strict=True)
        ]
    )
    units = pd.DataFrame(
        {
            "moderator_id": [f"M{unit:03d}" for unit in range(60)],
            "reference_rate": 0.9,
            "_higher": [unit % 2 == 0 for unit in range(60)],
            "flagged": [unit % 5 != 0 for unit in range(60)],
            "_weekly": "moderator:accuracy",
        }
    )
    starts = _run_starts(units, {"moderator:accuracy": frame}, WEEKS[2], WEEKS[-1])
    window = frame[frame["period"] >= WEEKS[2]]
    expected = {
        index: _run_start_by_hand(
            window[window["moderator_id"] == row["moderator_id"]], 0.9, row["_higher"]
        )
        for index, row in units[units["flagged"]].iterrows()
    }
    assert starts == {index: since for index, since in expected.items() if since is not None}
    assert 10 < len(starts) < 48, "some flagged units have a run and some do not"
