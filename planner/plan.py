"""Build a week's QA inspection plan: inputs from the warehouse, allocation from metrics.

A plan is per stratum (market x policy area x vendor): the decisions expected next week
(the mean of the recent weeks), the planning error rate (the trailing weighted QA error
rate, shrunk towards the pooled rate), a risk score, the floor, the proportional and the
planned inspections, each stratum's inclusion probability and the margin each allocation
is expected to give.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa

from data_access import planning, queries
from data_access.filters import Filters
from metrics.allocation import (
    PRIOR_STRENGTH,
    allocate,
    expected_margins,
    judged_at_target,
    needed_for_target,
    overall_margin,
    proportional_allocation,
    risk_score,
    shrunk_error_rate,
    split_floor,
)
from metrics.rates import safe_rate

STRATUM_KEYS = ("market_code", "policy_area", "vendor_code")
# Without any inspections to learn from, plan at the rate of largest variance.
UNKNOWN_ERROR_RATE = 0.5


@dataclass(frozen=True)
class PlanSettings:
    """What the QA lead chooses: budget, target margin, risk share and floors, and the
    windows the plan learns from."""

    budget: int
    target_margin: float = 0.05
    risk_share: float = 0.2
    stratum_floor: int = 2
    moderator_floor: int = 1
    history_weeks: int = 8
    recent_weeks: int = 4
    # Margins are judged over this many weeks of the plan, as the coverage page judges a
    # period: one week's budget cannot judge most strata at a few points on its own.
    horizon_weeks: int = 4
    min_sample: int = 30
    prior_strength: float = PRIOR_STRENGTH

    def __post_init__(self) -> None:
        if self.budget < 1:
            raise ValueError(f"the budget must be at least 1 inspection, not {self.budget}")
        if not 0 < self.target_margin < 0.5:
            raise ValueError(
                f"the target margin must be between 0 and 50 points, not {self.target_margin}"
            )
        if not 0 <= self.risk_share <= 1:
            raise ValueError(f"the risk share must be between 0 and 100%, not {self.risk_share}")
        if self.stratum_floor < 0 or self.moderator_floor < 0:
            raise ValueError("floors must be 0 or more inspections")
        if not 1 <= self.recent_weeks <= self.history_weeks:
            raise ValueError("recent_weeks must be between 1 and history_weeks")


@dataclass(frozen=True)
class PlanInputs:
    """What the warehouse says about the weeks before the planned one."""

    week_start: dt.date
    strata: pd.DataFrame
    moderator_volumes: pd.DataFrame
    history_weeks: int
    recent_weeks: int


@dataclass(frozen=True)
class Plan:
    """A plan: its settings, one row per stratum and the headline figures."""

    week_start: dt.date
    settings: PlanSettings
    strata: pd.DataFrame
    summary: dict = field(default_factory=dict)


def _weeks_before(monday: dt.date, weeks: int, filters: Filters | None = None) -> Filters:
    start, end = monday - dt.timedelta(weeks=weeks), monday - dt.timedelta(days=1)
    if filters is None:
        return Filters(start=start, end=end)
    return filters.with_range(start, end)


def gather_inputs(
    engine: sa.Engine,
    week_start: dt.date,
    *,
    history_weeks: int = 8,
    recent_weeks: int = 4,
    selection: Filters | None = None,
    progress=None,
) -> PlanInputs:
    """Return the counts a plan for the week starting ``week_start`` learns from.

    Volumes, the recent error rate and newcomers come from the ``recent_weeks`` before it;
    the planning error rate and overturns from the ``history_weeks`` before it.
    ``selection`` narrows markets and policy areas (its dates are ignored).
    """
    step = progress or (lambda fraction, message: None)
    recent = _weeks_before(week_start, recent_weeks, selection)
    history = _weeks_before(week_start, history_weeks, selection)
    keys = list(STRATUM_KEYS)
    step(0.05, "Reading decision volumes per stratum and moderator")
    volumes = queries.decision_counts(engine, recent, by=(*keys, "moderator_id", "is_automated"))
    step(0.3, "Reading QA inspections")
    past = queries.inspection_counts(engine, history, by=keys)
    latest = queries.inspection_counts(engine, recent, by=keys)
    step(0.55, "Reading appeals")
    appeals = queries.appeal_counts(engine, history, by=keys)
    step(0.7, "Finding new moderators and labels")
    moderators = planning.first_seen(engine, "moderator_id", before=week_start)
    labels = planning.first_seen(engine, "label_code", before=week_start)
    by_label = queries.decision_counts(engine, recent, by=(*keys, "label_code"))
    # The viewer's scope rides on the selection; the option lists must follow it too.
    options = queries.filter_options(engine, scope=recent.scope)
    step(0.85, "Combining")

    recent_start = pd.Timestamp(recent.start)
    new_moderators = set(
        moderators.loc[moderators["first_decided_at"] >= recent_start, "moderator_id"]
    )
    new_labels = set(labels.loc[labels["first_decided_at"] >= recent_start, "label_code"])
    human = volumes[~volumes["is_automated"]]
    strata = volumes.groupby(keys, as_index=False)["decisions"].sum()
    strata["expected_decisions"] = np.round(strata["decisions"] / recent_weeks).astype("int64")
    newcomer = human[human["moderator_id"].isin(new_moderators)].groupby(keys)["decisions"].sum()
    new_label = by_label[by_label["label_code"].isin(new_labels)].groupby(keys)["decisions"].sum()
    strata = strata.set_index(keys)
    strata["new_moderator_share"] = newcomer.reindex(strata.index).fillna(0) / strata["decisions"]
    strata["new_label_share"] = new_label.reindex(strata.index).fillna(0) / strata["decisions"]
    strata = strata.rename(columns={"decisions": "recent_decisions"}).reset_index()
    for frame, prefix in ((past, "history_"), (latest, "recent_")):
        sums = frame[[*keys, "inspections", "weight", "correct_weight", "weight_sq"]]
        strata = strata.merge(
            sums.add_prefix(prefix).rename(columns={f"{prefix}{key}": key for key in keys}),
            on=keys,
            how="left",
        )
    strata = strata.merge(appeals[[*keys, "resolved", "overturned"]], on=keys, how="left")
    strata = strata.fillna(0)
    market_names = dict(
        zip(options.markets["market_code"], options.markets["market_name"], strict=True)
    )
    vendor_names = dict(
        zip(options.vendors["vendor_code"], options.vendors["vendor_name"], strict=True)
    )
    strata.insert(
        1, "market_name", strata["market_code"].map(market_names).fillna(strata["market_code"])
    )
    strata.insert(
        4, "vendor_name", strata["vendor_code"].map(vendor_names).fillna(strata["vendor_code"])
    )
    moderator_volumes = human.groupby([*keys, "moderator_id"], as_index=False)["decisions"].sum()
    moderator_volumes["decisions"] = moderator_volumes["decisions"] / recent_weeks
    step(1.0, "Inputs ready")
    return PlanInputs(
        week_start=week_start,
        strata=strata.sort_values(keys, ignore_index=True),
        moderator_volumes=moderator_volumes,
        history_weeks=history_weeks,
        recent_weeks=recent_weeks,
    )


def _effective(frame: pd.DataFrame, prefix: str) -> tuple[np.ndarray, np.ndarray]:
    """Return (weighted errors, Kish effective n) of a window's inspections per stratum."""
    weight = frame[f"{prefix}weight"].to_numpy(float)
    effective_n = np.nan_to_num(safe_rate(weight**2, frame[f"{prefix}weight_sq"]))
    error_rate = np.nan_to_num(1 - safe_rate(frame[f"{prefix}correct_weight"], weight))
    return error_rate * effective_n, effective_n


def moderator_floors(inputs: PlanInputs, per_moderator: int) -> pd.Series:
    """Return, per stratum, the inspections that moderators' weekly floors put there."""
    keys = list(STRATUM_KEYS)
    volumes = inputs.moderator_volumes
    if per_moderator <= 0 or volumes.empty:
        return pd.Series(0, index=pd.MultiIndex.from_frame(inputs.strata[keys]), dtype="int64")
    parts = []
    for _, group in volumes.groupby("moderator_id", sort=True):
        expected = np.round(group["decisions"].to_numpy())
        parts.append(group[keys].assign(floor=split_floor(per_moderator, expected)))
    floors = pd.concat(parts).groupby(keys)["floor"].sum()
    return floors.reindex(pd.MultiIndex.from_frame(inputs.strata[keys])).fillna(0).astype("int64")


def build_plan(inputs: PlanInputs, settings: PlanSettings) -> Plan:
    """Return the plan for a budget: Neyman with floors and a risk share, beside proportional.

    Raises ``metrics.allocation.BudgetTooSmall`` when the floors need more than the budget.
    """
    strata = inputs.strata[inputs.strata["expected_decisions"] > 0].reset_index(drop=True)
    size = strata["expected_decisions"].to_numpy(float)
    errors, effective_n = _effective(strata, "history_")
    pooled = errors.sum() / effective_n.sum() if effective_n.sum() > 0 else UNKNOWN_ERROR_RATE
    pooled = float(np.clip(pooled, 0.005, UNKNOWN_ERROR_RATE))
    error_rate = shrunk_error_rate(
        errors, effective_n, pooled, prior_strength=settings.prior_strength
    )
    recent_errors, recent_n = _effective(strata, "recent_")
    recent_rate = shrunk_error_rate(
        recent_errors, recent_n, error_rate, prior_strength=settings.prior_strength
    )
    resolved, overturned = strata["resolved"].to_numpy(float), strata["overturned"].to_numpy(float)
    pooled_overturn = overturned.sum() / resolved.sum() if overturned.sum() > 0 else 0.0
    overturn_rate = (
        shrunk_error_rate(
            overturned, resolved, pooled_overturn, prior_strength=settings.prior_strength
        )
        if 0 < pooled_overturn < 1
        else np.zeros(len(strata))
    )
    strata = strata.assign(
        error_rate=error_rate,
        recent_error_rate=recent_rate,
        overturn_rate=overturn_rate,
    )
    risk = risk_score(
        strata.rename(columns={"recent_error_rate": "error_rate", "error_rate": "history_rate"})
    )
    by_moderator = moderator_floors(inputs, settings.moderator_floor).to_numpy()
    floors = np.minimum(np.maximum(settings.stratum_floor, by_moderator), size)
    stddev = np.sqrt(error_rate * (1 - error_rate))
    horizon = settings.horizon_weeks
    target, min_sample = settings.target_margin, settings.min_sample
    # Per week, what reaching the target over the horizon takes (at least the minimum
    # sample the dashboard needs to judge a rate at all).
    enough = np.ceil(
        np.maximum(
            needed_for_target(np.zeros(len(size)), size * horizon, error_rate, target), min_sample
        )
        / horizon
    )
    # The risk share goes to strata riskier than the typical one, in proportion to how much
    # riskier: spread over every stratum by the raw score it would be an even top-up.
    excess_risk = np.clip(risk - np.median(risk), 0, None) if len(risk) else risk
    planned = allocate(
        settings.budget,
        size,
        stddev,
        floors=floors,
        risk=excess_risk,
        risk_share=settings.risk_share,
        enough=enough,
    )
    proportional = proportional_allocation(settings.budget, size)
    planned_margin = expected_margins(planned * horizon, size * horizon, error_rate)
    proportional_margin = expected_margins(proportional * horizon, size * horizon, error_rate)
    strata = strata.assign(
        risk_score=risk,
        floor=floors.astype("int64"),
        proportional=proportional,
        planned=planned,
        change=planned - proportional,
        inclusion_probability=planned / size,
        proportional_margin=proportional_margin,
        planned_margin=planned_margin,
        proportional_judged=judged_at_target(
            proportional * horizon, proportional_margin, target, min_sample
        ),
        planned_judged=judged_at_target(planned * horizon, planned_margin, target, min_sample),
        enough_per_week=enough.astype("int64"),
    )
    summary = {
        "strata": len(strata),
        "budget": settings.budget,
        "floors": int(floors.sum()),
        "proportional_judged": int(strata["proportional_judged"].sum()),
        "planned_judged": int(strata["planned_judged"].sum()),
        "proportional_overall_margin": overall_margin(proportional, size, error_rate),
        "planned_overall_margin": overall_margin(planned, size, error_rate),
        "moved": int(np.clip(planned - proportional, 0, None).sum()),
        "pooled_error_rate": pooled,
    }
    return Plan(week_start=inputs.week_start, settings=settings, strata=strata, summary=summary)


PLAN_CSV_COLUMNS = {
    "market_code": "market_code",
    "market_name": "market_name",
    "policy_area": "policy_area",
    "vendor_code": "vendor_code",
    "vendor_name": "vendor_name",
    "expected_decisions": "expected_decisions",
    "error_rate": "planning_error_rate",
    "risk_score": "risk_score",
    "floor": "floor",
    "proportional": "proportional_inspections",
    "planned": "inspections",
    "inclusion_probability": "inclusion_probability",
    "proportional_margin": "proportional_expected_margin",
    "planned_margin": "expected_margin",
}


def plan_table(plan: Plan) -> pd.DataFrame:
    """Return the plan as exported: codes and names, inspections, probabilities, margins."""
    return plan.strata[list(PLAN_CSV_COLUMNS)].rename(columns=PLAN_CSV_COLUMNS)


def settings_record(plan: Plan) -> dict:
    """Return the plan's settings and week as a flat record (for CSV headers and logs)."""
    return {"week_start": plan.week_start.isoformat(), **asdict(plan.settings)}
