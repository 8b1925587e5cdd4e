"""Coverage per stratum, checked by hand on constructed counts."""

from __future__ import annotations

import pandas as pd
import pytest

from metrics.coverage import coverage_summary, stratum_coverage


def frame() -> pd.DataFrame:
    # A: 1000 decisions, 400 inspections at weight 2.5, 380 correct.
    # B: 1000 decisions, 40 inspections at weight 25, 30 correct.
    # C: 50 decisions, nothing inspected.
    return pd.DataFrame(
        {
            "stratum": ["A", "B", "C"],
            "decisions": [1000, 1000, 50],
            "inspections": [400, 40, 0],
            "correct": [380, 30, 0],
            "weight": [1000.0, 1000.0, 0.0],
            "correct_weight": [950.0, 750.0, 0.0],
            "weight_sq": [2500.0, 25000.0, 0.0],
        }
    )


def test_each_stratum_gets_rate_margin_status_and_needed():
    coverage = stratum_coverage(frame(), target=0.05, min_sample=30).set_index("stratum")
    # A: p = 0.95, Kish n = 1000² / 2500 = 400. Wilson half-width
    # z sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n) = 1.959964 x sqrt(0.00011875 + 0.0000060023)
    # / 1.0096036 = 0.021683 -> at target.
    assert coverage.loc["A", "accuracy"] == pytest.approx(0.95)
    assert coverage.loc["A", "margin"] == pytest.approx(0.021683, abs=1e-6)
    assert coverage.loc["A", "sampling_rate"] == pytest.approx(0.4)
    assert coverage.loc["A", "status"] == "at_target" and coverage.loc["A", "needed"] == 0
    # B: p = 0.75, Kish n = 1000² / 25000 = 40: 1.959964 x sqrt(0.0046875 + 0.00060023)
    # / 1.0960365 = 0.130034 -> too wide.
    assert coverage.loc["B", "margin"] == pytest.approx(0.130034, abs=1e-6)
    assert coverage.loc["B", "status"] == "wider"
    # Needed for B, planned at the error rate the interval allows nearest 50%: the Wilson
    # centre (0.75 + z²/80) / 1.0960365 = 0.728095, lower bound 0.728095 - 0.130034 = 0.598060,
    # error 0.401940; n0 = 3.841459 x 0.401940 x 0.598060 / 0.0025 = 369.37; FPC 1000:
    # 369.37 / (1 + 368.37 / 1000) = 269.93 -> 270, minus 40 done = 230.
    assert coverage.loc["B", "needed"] == 230
    # C: no inspections: not judgeable; needs at least the 30 any judged rate needs.
    assert coverage.loc["C", "status"] == "not_judged" and coverage.loc["C", "needed"] >= 30


def test_summary_counts_and_the_weighted_versus_plain_difference():
    summary = coverage_summary(stratum_coverage(frame(), target=0.05, min_sample=30))
    assert (summary["at_target"], summary["wider"], summary["not_judged"]) == (1, 1, 1)
    # Weighted: 1700 / 2000 = 0.85; plain: 410 / 440 = 0.931818.
    assert summary["weighted_accuracy"] == pytest.approx(0.85)
    assert summary["plain_accuracy"] == pytest.approx(410 / 440)
    assert summary["difference"] == pytest.approx(0.85 - 410 / 440)
