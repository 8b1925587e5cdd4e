"""On the demo, a risk-weighted plan's weighted accuracy covers the truth; the plain one
does not. Heavier run: MODQA_SIMULATION_DRAWS=2000 (the README's figures)."""

from __future__ import annotations

import datetime as dt
import os

from data_access import planning, queries
from data_access.filters import Filters
from planner.plan import STRATUM_KEYS, PlanSettings, build_plan, gather_inputs
from planner.simulation import simulate_coverage
from tests.conftest import read_only

DRAWS = int(os.environ.get("MODQA_SIMULATION_DRAWS", "200"))
WEEK = dt.date(2026, 11, 16)  # 2026-W47, the planted demo's last complete week


def test_weighted_accuracy_covers_the_truth_and_unweighted_does_not(planted_url):
    engine = read_only(planted_url)
    try:
        previous = Filters(start=WEEK - dt.timedelta(days=7), end=WEEK - dt.timedelta(days=1))
        budget = int(queries.inspection_counts(engine, previous, by=())["inspections"].sum())
        plan = build_plan(gather_inputs(engine, WEEK), PlanSettings(budget=budget))
        frame = planning.sampling_frame(engine, Filters(start=WEEK, end=WEEK + dt.timedelta(6)))
    finally:
        engine.dispose()
    # The week's truth: each decision wrong with its stratum's recent error rate, which holds
    # the planted Northwind drop in ID listing (about 50%) beside about 5% elsewhere.
    rates = {
        tuple(row[key] for key in STRATUM_KEYS): row["recent_error_rate"]
        for _, row in plan.strata.iterrows()
    }
    allocation = plan.strata[[*STRATUM_KEYS, "planned"]].rename(columns={"planned": "inspections"})
    coverage = simulate_coverage(
        frame, allocation, rates, keys=STRATUM_KEYS, draws=DRAWS, seed=2026, moderator_floor=1
    )
    assert coverage.mean_inspections == budget, "no floor needed a top-up on this plan"
    # About 95%: with 200 draws the binomial sd of a 95% coverage is 1.5 points.
    assert 0.90 <= coverage.weighted_coverage <= 0.99
    assert abs(coverage.weighted_bias) < 0.002
    # The plan looks harder where errors are: the plain share of correct inspections is
    # pulled down by about a point, and its interval misses the truth far more often.
    assert coverage.unweighted_bias < -0.005
    assert coverage.unweighted_coverage < 0.7
