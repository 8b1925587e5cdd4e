"""Demo warehouse generator: realistic moderation data with planted, documented signals.

    python -m data_access.demo [--url URL] [--decisions N] [--weeks W] [--seed S]
                               [--end YYYY-MM-DD] [--no-signals]

The data is deterministic for a seed, size and end date. Rows are drawn in bulk with numpy
(no per-row Python), shaped into contract columns by an in-memory DuckDB, and bulk-loaded:
``INSERT ... SELECT`` on DuckDB, ``COPY FROM STDIN`` on PostgreSQL, ``LOAD DATA LOCAL
INFILE`` on MariaDB, numpy-column inserts into ``Distributed`` tables on a ClickHouse
cluster (``data_access.clickhouse``). This is the only code besides tests that writes to a
warehouse.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import sqlalchemy as sa

from data_access.config import load_settings, redacted
from data_access.engine import dialect_name, writable_engine
from data_access.schema import CONTRACT_TABLES, markets, metadata, policy_labels, vendors

CHUNK_DECISIONS = 1_000_000
# DuckDB demo warehouses: staging tables, written to the contract tables in time order.
STAGE = "modqa_stage_"
FACT_TIMES = {
    "decisions": "decided_at",
    "qa_inspections": "inspected_at",
    "appeals": "appealed_at",
    "penalties": "issued_at",
}
DUCKDB_MEMORY_LIMIT = "1GB"

# code, name, region, share of decision volume: very different volumes on purpose.
MARKETS = (
    ("US", "United States", "Americas", 0.21),
    ("ID", "Indonesia", "APAC", 0.16),
    ("BR", "Brazil", "Americas", 0.12),
    ("IN", "India", "APAC", 0.10),
    ("MX", "Mexico", "Americas", 0.08),
    ("DE", "Germany", "EMEA", 0.08),
    ("GB", "United Kingdom", "EMEA", 0.07),
    ("JP", "Japan", "APAC", 0.06),
    ("FR", "France", "EMEA", 0.05),
    ("PH", "Philippines", "APAC", 0.04),
    ("VN", "Vietnam", "APAC", 0.02),
    ("SG", "Singapore", "APAC", 0.01),
)

# policy area: share of decisions, rejection probability, appeal probability of a rejection.
POLICY_AREAS = {
    "listing": (0.50, 0.30, 0.12),
    "content": (0.25, 0.22, 0.08),
    "ipr": (0.15, 0.40, 0.15),
    "partner": (0.10, 0.35, 0.18),
}

# label code, name, severity, relative base rate within its policy area.
LABELS = {
    "listing": (
        ("listing_prohibited_item", "Prohibited item", "critical", 9),
        ("listing_restricted_item", "Restricted item without permit", "high", 7),
        ("listing_misleading_price", "Misleading price", "medium", 6),
        ("listing_wrong_category", "Wrong category", "low", 10),
        ("listing_keyword_stuffing", "Keyword stuffing", "low", 8),
        ("listing_duplicate", "Duplicate listing", "low", 12),
        ("listing_poor_image", "Image quality below standard", "low", 6),
        ("listing_external_contact", "External contact details", "medium", 5),
        ("listing_unsafe_product", "Unsafe or recalled product", "high", 3),
        ("listing_adult_item", "Adult item outside category", "medium", 2),
        ("listing_weapon", "Weapon or weapon part", "critical", 1),
        ("listing_medical_claim", "Unapproved medical claim", "high", 2),
    ),
    "content": (
        ("content_hate_speech", "Hate speech", "critical", 2),
        ("content_harassment", "Harassment", "high", 4),
        ("content_spam", "Spam review", "low", 14),
        ("content_offensive_language", "Offensive language", "medium", 6),
        ("content_personal_data", "Personal data exposed", "high", 3),
        ("content_fake_review", "Fake or incentivised review", "medium", 9),
        ("content_off_topic", "Off-topic content", "low", 7),
        ("content_sexual", "Sexual content", "high", 2),
        ("content_violence", "Violent content", "critical", 1),
        ("content_misinformation", "Product misinformation", "medium", 3),
    ),
    "ipr": (
        ("ipr_counterfeit", "Counterfeit goods", "critical", 9),
        ("ipr_trademark_misuse", "Trademark misuse", "high", 7),
        ("ipr_copyright_image", "Copyrighted image", "medium", 8),
        ("ipr_design_right", "Design-right infringement", "medium", 3),
        ("ipr_patent_claim", "Patent claim", "high", 1),
        ("ipr_brand_keyword", "Brand name in keywords", "low", 6),
        ("ipr_replica_disclosed", "Disclosed replica", "high", 2),
    ),
    "partner": (
        ("partner_identity_unverified", "Identity not verified", "high", 9),
        ("partner_document_forged", "Forged document", "critical", 2),
        ("partner_duplicate_account", "Duplicate seller account", "medium", 6),
        ("partner_restricted_country", "Restricted country", "high", 2),
        ("partner_incomplete_kyc", "Incomplete KYC", "low", 10),
        ("partner_bank_mismatch", "Bank account mismatch", "medium", 4),
        ("partner_prior_termination", "Previously terminated seller", "critical", 1),
        ("partner_business_license", "Missing business licence", "medium", 5),
    ),
}

# vendor code, name, share of human moderators, base error probability.
VENDORS = (
    ("in_house", "In-house team", 0.22, 0.040),
    ("northwind", "Northwind BPO", 0.18, 0.055),
    ("apex_review", "Apex Review Services", 0.16, 0.060),
    ("meridian", "Meridian Ops", 0.14, 0.050),
    ("bluefin", "Bluefin Trust & Safety", 0.12, 0.070),
    ("kestrel", "Kestrel Partners", 0.10, 0.065),
    ("lumen", "Lumen Outsourcing", 0.08, 0.080),
)
AUTOMATION_ID = "auto-classifier"
AUTOMATED_SHARE = 0.25
AUTOMATION_ERROR = 0.07
MODERATORS = 420
QUEUES = (("new_listing", 0.55), ("user_report", 0.20), ("proactive", 0.25))
# Monday..Sunday: weekday traffic a little above weekends.
WEEKDAY_WEIGHTS = np.array([1.05, 1.05, 1.0, 1.0, 0.95, 0.8, 0.75])
SEVERITY_PENALTY = {"low": 0.15, "medium": 0.30, "high": 0.50, "critical": 0.70}
SEVERITY_PENALTY_TYPE = {
    "low": "warning",
    "medium": "points",
    "high": "listing_suspension",
    "critical": "selling_suspension",
}
PENALTY_TYPES = ("warning", "points", "listing_suspension", "selling_suspension", "termination")
HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True)
class PlantedSignals:
    """The signals the dashboard must reveal; README.md lists them for users."""

    accuracy_drop_market: str = "ID"
    accuracy_drop_policy_area: str = "listing"
    accuracy_drop_vendor: str = "northwind"
    accuracy_drop_weeks: int = 4
    accuracy_drop_error: float = 0.5
    overturn_label: str = "listing_keyword_stuffing"
    overturn_label_weeks: int = 10
    overturn_label_rate: float = 0.55
    penalty_jump_market: str = "BR"
    penalty_jump_weeks: int = 3
    penalty_jump_factor: float = 2.2
    low_moderator: str = "M0042"
    low_moderator_weeks: int = 8
    low_moderator_error: float = 0.45
    # Two persistent signals, present from the first week: their levels never move, so only
    # a review of standing levels (not of week-on-week change) can find them.
    persistent_label: str = "content_harassment"
    persistent_label_rate: float = 0.6
    persistent_moderator: str = "M0123"
    persistent_moderator_error: float = 0.3
    # Times the average load of the moderator's vendor peers: at the usual 4-12% QA
    # sampling that is about 15 inspections a week, under the minimum sample of 30.
    persistent_moderator_load: float = 2.5
    # A recorded action that worked (appdb/demo_actions.py): the vendor's team retrained.
    improvement_vendor: str = "lumen"
    improvement_weeks: int = 10
    improvement_factor: float = 0.35


@dataclass(frozen=True)
class DemoSpec:
    """What to generate: size, span, seed and whether to plant the signals."""

    decisions: int = 1_500_000
    weeks: int = 26
    seed: int = 7
    end: dt.date = field(default_factory=lambda: dt.datetime.now(dt.UTC).date() - dt.timedelta(1))
    signals: PlantedSignals | None = field(default_factory=PlantedSignals)

    @property
    def start(self) -> dt.date:
        """Return the first day of data: a Monday, so every week but the last is complete."""
        first = self.end - dt.timedelta(days=7 * self.weeks - 1)
        return first - dt.timedelta(days=first.weekday())

    @property
    def end_of_data(self) -> np.int64:
        """Return the epoch second just after the last day: the demo's "now"."""
        return _epoch(self.end + dt.timedelta(days=1))

    def signal_start(self, weeks_before_end: int) -> np.int64:
        """Return the epoch second of the Monday ``weeks_before_end`` weeks before the end."""
        last_monday = self.end - dt.timedelta(days=self.end.weekday())
        return _epoch(last_monday - dt.timedelta(weeks=weeks_before_end - 1))


def _epoch(day: dt.date) -> np.int64:
    return np.int64(int(dt.datetime.combine(day, dt.time(), dt.UTC).timestamp()))


@dataclass(frozen=True)
class _World:
    """Everything shared by all chunks: dimension codes, moderator roster and effects."""

    labels: pd.DataFrame
    moderator_vendor: np.ndarray
    moderator_error: np.ndarray
    moderator_weight: np.ndarray
    market_vendor_mix: np.ndarray
    seller_count: int


def _world(spec: DemoSpec) -> _World:
    rng = np.random.default_rng([spec.seed, 0])
    label_rows = [
        (code, area, name, severity, weight)
        for area, labels in LABELS.items()
        for code, name, severity, weight in labels
    ]
    labels = pd.DataFrame(
        label_rows, columns=["label_code", "policy_area", "label_name", "severity", "weight"]
    )
    vendor_share = np.array([share for _, _, share, _ in VENDORS])
    moderator_vendor = np.sort(rng.choice(len(VENDORS), size=MODERATORS, p=vendor_share))
    vendor_error = np.array([error for *_, error in VENDORS])
    # Moderators differ around their vendor's level: a log-odds random effect.
    logit = np.log(vendor_error / (1 - vendor_error))[moderator_vendor]
    logit = logit + rng.normal(0, 0.35, MODERATORS)
    moderator_error = 1 / (1 + np.exp(-logit))
    moderator_weight = rng.gamma(4.0, 1.0, MODERATORS)
    if spec.signals:
        planted = int(spec.signals.low_moderator[1:])
        # The planted moderator handles enough volume to stand far outside the funnel.
        # A senior moderator taking a tenth of their vendor's work: enough inspections a
        # week for the weekly review to judge them, and far outside the funnel.
        peers = (moderator_vendor == moderator_vendor[planted]) & (np.arange(MODERATORS) != planted)
        moderator_weight[planted] = moderator_weight[peers].sum() / 9
        persistent = int(spec.signals.persistent_moderator[1:])
        peers = (moderator_vendor == moderator_vendor[persistent]) & (
            np.arange(MODERATORS) != persistent
        )
        moderator_weight[persistent] = (
            moderator_weight[peers].mean() * spec.signals.persistent_moderator_load
        )
    # Each market works with a few vendors: in-house everywhere plus two or three BPOs.
    mix = np.zeros((len(MARKETS), len(VENDORS)))
    for market_index in range(len(MARKETS)):
        partners = rng.choice(np.arange(1, len(VENDORS)), size=3, replace=False)
        mix[market_index, 0] = 1.0
        mix[market_index, partners] = rng.uniform(0.8, 2.0, size=3)
    if spec.signals:
        market = [code for code, *_ in MARKETS].index(spec.signals.accuracy_drop_market)
        vendor = [code for code, *_ in VENDORS].index(spec.signals.accuracy_drop_vendor)
        mix[market, vendor] = 3.0
    mix = mix / mix.sum(axis=1, keepdims=True)
    return _World(
        labels=labels,
        moderator_vendor=moderator_vendor,
        moderator_error=moderator_error,
        moderator_weight=moderator_weight,
        market_vendor_mix=mix,
        seller_count=max(1000, spec.decisions // 25),
    )


def _choose_rows(
    rng: np.random.Generator, probabilities: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    """Return one column index per row, drawn from that row's probability vector."""
    cumulative = np.cumsum(probabilities, axis=1)[rows]
    draws = rng.random(len(rows))[:, None]
    return np.minimum((draws > cumulative).sum(axis=1), probabilities.shape[1] - 1)


def _choose_within(
    rng: np.random.Generator,
    group: np.ndarray,
    members: list[np.ndarray],
    weights: list[np.ndarray],
) -> np.ndarray:
    """Return, per row, a member of its group drawn with the group's weights."""
    chosen = np.empty(len(group), dtype=np.int64)
    for group_index, (group_members, group_weights) in enumerate(
        zip(members, weights, strict=True)
    ):
        mask = group == group_index
        chosen[mask] = rng.choice(
            group_members, size=mask.sum(), p=group_weights / group_weights.sum()
        )
    return chosen


def _decision_times(rng: np.random.Generator, spec: DemoSpec, size: int) -> np.ndarray:
    days = (spec.end - spec.start).days + 1
    day_index = np.arange(days)
    weekday = (spec.start.weekday() + day_index) % 7
    # Weekly seasonality plus slow growth over the span.
    weights = WEEKDAY_WEIGHTS[weekday] * (1 + 0.15 * day_index / days)
    chosen = rng.choice(days, size=size, p=weights / weights.sum())
    return _epoch(spec.start) + chosen * DAY + rng.integers(0, DAY, size=size)


def _chunk(
    spec: DemoSpec, world: _World, index: int, first_id: int, size: int
) -> dict[str, pd.DataFrame]:
    """Return one chunk of the four fact tables as frames of codes and epoch seconds."""
    rng = np.random.default_rng([spec.seed, 1, index])
    signals = spec.signals
    labels = world.labels
    area_names = list(POLICY_AREAS)
    decided = _decision_times(rng, spec, size)
    market = rng.choice(len(MARKETS), size=size, p=np.array([m[3] for m in MARKETS]))
    area = rng.choice(len(area_names), size=size, p=np.array([a[0] for a in POLICY_AREAS.values()]))
    queue = rng.choice(len(QUEUES), size=size, p=np.array([q[1] for q in QUEUES]))
    automated = rng.random(size) < AUTOMATED_SHARE
    vendor = _choose_rows(rng, world.market_vendor_mix, market)
    vendor[automated] = 0
    vendor_moderators = [np.flatnonzero(world.moderator_vendor == v) for v in range(len(VENDORS))]
    moderator = _choose_within(
        rng, vendor, vendor_moderators, [world.moderator_weight[m] for m in vendor_moderators]
    )
    error = np.where(automated, AUTOMATION_ERROR, world.moderator_error[moderator])
    if signals:
        drop = (
            (market == [m[0] for m in MARKETS].index(signals.accuracy_drop_market))
            & (area == area_names.index(signals.accuracy_drop_policy_area))
            & (vendor == [v[0] for v in VENDORS].index(signals.accuracy_drop_vendor))
            & ~automated
            & (decided >= spec.signal_start(signals.accuracy_drop_weeks))
        )
        error = np.where(drop, signals.accuracy_drop_error, error)
        low = (
            (moderator == int(signals.low_moderator[1:]))
            & ~automated
            & (decided >= spec.signal_start(signals.low_moderator_weeks))
        )
        error = np.where(low, signals.low_moderator_error, error)
        improved = (
            (vendor == [v[0] for v in VENDORS].index(signals.improvement_vendor))
            & ~automated
            & (decided >= spec.signal_start(signals.improvement_weeks))
        )
        error = np.where(improved, error * signals.improvement_factor, error)
        persistent = (moderator == int(signals.persistent_moderator[1:])) & ~automated
        error = np.where(persistent, signals.persistent_moderator_error, error)
    wrong = rng.random(size) < error

    area_labels = [np.flatnonzero(labels["policy_area"].to_numpy() == a) for a in area_names]
    area_weights = [labels["weight"].to_numpy()[members].astype(float) for members in area_labels]
    label = _choose_within(rng, area, area_labels, area_weights)
    reject_probability = np.array([a[1] for a in POLICY_AREAS.values()])[area]
    rejected = rng.random(size) < reject_probability
    rejection_label = np.where(rejected, label, -1)

    decisions = pd.DataFrame(
        {
            "decision_id": np.arange(first_id, first_id + size, dtype=np.int64),
            "decided_at": decided,
            "market": market,
            "area": area,
            "queue": queue,
            "vendor": vendor,
            "moderator": np.where(automated, -1, moderator),
            "is_automated": automated,
            "rejected": rejected,
            "label": rejection_label,
            "seller": rng.zipf(1.6, size) % world.seller_count,
        }
    )
    return {
        "decisions": decisions,
        **_qa_chunk(rng, spec, decisions, wrong, area_labels),
        **_appeal_and_penalty_chunk(rng, spec, world, decisions, wrong),
    }


def _qa_chunk(rng, spec, decisions, wrong, area_labels) -> dict[str, pd.DataFrame]:
    """Return stratified QA inspections: small markets and areas sampled more often."""
    market_share = np.array([m[3] for m in MARKETS])[decisions["market"]]
    area_share = np.array([a[0] for a in POLICY_AREAS.values()])[decisions["area"]]
    inclusion = np.clip(0.008 / np.sqrt(market_share * area_share), 0.04, 0.12)
    sampled = rng.random(len(decisions)) < inclusion
    inspected_at = decisions["decided_at"].to_numpy() + rng.integers(HOUR, 3 * DAY, len(decisions))
    sampled &= inspected_at < spec.end_of_data
    chosen = decisions[sampled]
    wrong = wrong[sampled]
    rejected = chosen["rejected"].to_numpy()
    label = chosen["label"].to_numpy()
    # An error on a rejection is mostly "should have approved", sometimes a wrong label.
    should_approve = wrong & rejected & (rng.random(len(chosen)) < 0.65)
    wrong_label = wrong & rejected & ~should_approve
    missed = wrong & ~rejected
    qa_rejects = (rejected & ~should_approve) | missed
    qa_label = np.where(qa_rejects, label, -1)
    if missed.any() or wrong_label.any():
        area = chosen["area"].to_numpy()
        alternative = _choose_within(rng, area, area_labels, [np.ones(len(m)) for m in area_labels])
        # Move to the next label of the area when the draw repeats the moderator's label.
        for members in area_labels:
            same = wrong_label & (alternative == label) & np.isin(label, members)
            position = np.searchsorted(members, alternative[same])
            alternative[same] = members[(position + 1) % len(members)]
        qa_label = np.where(missed, alternative, qa_label)
        qa_label = np.where(wrong_label, alternative, qa_label)
    inspections = pd.DataFrame(
        {
            "decision_id": chosen["decision_id"].to_numpy(),
            "inspected_at": inspected_at[sampled],
            "inspector": rng.integers(1, 61, len(chosen)),
            "qa_rejects": qa_rejects,
            "qa_label": qa_label,
            "sampling_weight": np.round(1 / inclusion[sampled], 4),
        }
    )
    return {"qa_inspections": inspections}


def _appeal_and_penalty_chunk(rng, spec, world, decisions, wrong) -> dict[str, pd.DataFrame]:
    """Return appeals on 5-20% of rejections and penalties, some reversed after overturns."""
    signals = spec.signals
    now = spec.end_of_data
    rejected = decisions["rejected"].to_numpy()
    rejections = decisions[rejected]
    wrong = wrong[rejected]
    decided = rejections["decided_at"].to_numpy()
    label = rejections["label"].to_numpy()
    labels = world.labels
    area_appeal = np.array([a[2] for a in POLICY_AREAS.values()])[rejections["area"]]
    # Sellers appeal wrong decisions more often.
    appealed = rng.random(len(rejections)) < np.where(wrong, area_appeal * 1.8, area_appeal)
    appealed_at = decided + rng.exponential(36 * HOUR, len(rejections)).astype(np.int64) + 600
    appealed &= appealed_at < now
    overturn_probability = np.where(wrong, 0.55, 0.05)
    if signals:
        planted = labels.index[labels["label_code"] == signals.overturn_label][0]
        boosted = (label == planted) & (decided >= spec.signal_start(signals.overturn_label_weeks))
        overturn_probability = np.where(boosted, signals.overturn_label_rate, overturn_probability)
        persistent = labels.index[labels["label_code"] == signals.persistent_label][0]
        overturn_probability = np.where(
            label == persistent, signals.persistent_label_rate, overturn_probability
        )
    overturned = rng.random(len(rejections)) < overturn_probability
    market_speed = 1 + 0.1 * rejections["market"].to_numpy()
    resolution = rng.lognormal(np.log(60 * HOUR), 0.8, len(rejections)) * market_speed
    resolved_at = appealed_at + resolution.astype(np.int64)
    resolved = resolved_at < now
    appeal_rows = appealed
    appeals = pd.DataFrame(
        {
            "decision_id": rejections["decision_id"].to_numpy()[appeal_rows],
            "appealed_at": appealed_at[appeal_rows],
            "resolved_at": np.where(resolved, resolved_at, -1)[appeal_rows],
            "outcome": np.where(resolved, np.where(overturned, 2, 1), 0)[appeal_rows],
        }
    )

    severity = labels["severity"].to_numpy()[label]
    penalty_probability = pd.Series(severity).map(SEVERITY_PENALTY).to_numpy()
    if signals:
        jump = (
            rejections["market"].to_numpy()
            == [m[0] for m in MARKETS].index(signals.penalty_jump_market)
        ) & (decided >= spec.signal_start(signals.penalty_jump_weeks))
        penalty_probability = np.where(
            jump,
            np.minimum(penalty_probability * signals.penalty_jump_factor, 0.95),
            penalty_probability,
        )
    penalised = rng.random(len(rejections)) < penalty_probability
    penalty_type = pd.Series(severity).map(SEVERITY_PENALTY_TYPE).to_numpy()
    penalty_type = np.where(
        (severity == "critical") & (rng.random(len(rejections)) < 0.1), "termination", penalty_type
    )
    type_code = pd.Series(penalty_type).map({t: i for i, t in enumerate(PENALTY_TYPES)}).to_numpy()
    points = np.where(type_code == 1, rng.integers(1, 11, len(rejections)), -1)
    issued_at = decided + rng.integers(60, HOUR, len(rejections))
    overturned_appeal = appealed & resolved & overturned
    reversed_at = np.where(
        overturned_appeal & (rng.random(len(rejections)) < 0.9),
        resolved_at + 600,
        np.where(
            rng.random(len(rejections)) < 0.02,
            issued_at + rng.integers(DAY, 20 * DAY, len(rejections)),
            -1,
        ),
    )
    reversed_at = np.where(reversed_at < now, reversed_at, -1)
    penalty_rows = penalised & (issued_at < now)
    penalties = pd.DataFrame(
        {
            "decision_id": rejections["decision_id"].to_numpy()[penalty_rows],
            "seller": rejections["seller"].to_numpy()[penalty_rows],
            "penalty_type": type_code[penalty_rows],
            "points": points[penalty_rows],
            "issued_at": issued_at[penalty_rows],
            "reversed_at": reversed_at[penalty_rows],
        }
    )
    return {"appeals": appeals, "penalties": penalties}


def _sql_list(values) -> str:
    """Return a DuckDB list literal of constant strings from this module (not user input)."""
    return "[" + ", ".join("'" + str(value).replace("'", "''") + "'" for value in values) + "]"


def _shaping_sql(world: _World) -> dict[str, str]:
    """Return, per table, the DuckDB SELECT that turns a chunk frame into contract columns."""
    market_codes = _sql_list(m[0] for m in MARKETS)
    area_names = _sql_list(POLICY_AREAS)
    queue_names = _sql_list(q[0] for q in QUEUES)
    vendor_codes = _sql_list(v[0] for v in VENDORS)
    label_codes = _sql_list(world.labels["label_code"])
    penalty_types = _sql_list(PENALTY_TYPES)

    def timestamp(column: str) -> str:
        return f"CASE WHEN {column} < 0 THEN NULL ELSE make_timestamp({column} * 1000000) END"

    return {
        "decisions": f"""
            SELECT decision_id, {timestamp("decided_at")} AS decided_at,
                   {market_codes}[market + 1] AS market_code,
                   {area_names}[area + 1] AS policy_area,
                   {queue_names}[queue + 1] AS queue,
                   {vendor_codes}[vendor + 1] AS vendor_code,
                   CASE WHEN moderator < 0 THEN '{AUTOMATION_ID}'
                        ELSE 'M' || lpad(CAST(moderator AS VARCHAR), 4, '0') END AS moderator_id,
                   is_automated,
                   CASE WHEN rejected THEN 'reject' ELSE 'approve' END AS outcome,
                   CASE WHEN label < 0 THEN NULL ELSE {label_codes}[label + 1] END
                       AS rejection_label,
                   'S' || lpad(CAST(seller AS VARCHAR), 7, '0') AS seller_id
            FROM chunk""",
        "qa_inspections": """
            SELECT {first_id} + row_number() OVER (ORDER BY decision_id) - 1 AS inspection_id,
                   decision_id, {inspected_at} AS inspected_at,
                   'QA' || lpad(CAST(inspector AS VARCHAR), 3, '0') AS inspector_id,
                   CASE WHEN qa_rejects THEN 'reject' ELSE 'approve' END AS qa_outcome,
                   CASE WHEN qa_label < 0 THEN NULL ELSE {labels}[qa_label + 1] END AS qa_label,
                   sampling_weight
            FROM chunk""".replace("{inspected_at}", timestamp("inspected_at")).replace(
            "{labels}", label_codes
        ),
        "appeals": """
            SELECT {first_id} + row_number() OVER (ORDER BY decision_id) - 1 AS appeal_id,
                   decision_id, {appealed_at} AS appealed_at, {resolved_at} AS resolved_at,
                   ['pending', 'upheld', 'overturned'][outcome + 1] AS appeal_outcome
            FROM chunk""".replace("{appealed_at}", timestamp("appealed_at")).replace(
            "{resolved_at}", timestamp("resolved_at")
        ),
        "penalties": """
            SELECT {first_id} + row_number() OVER (ORDER BY decision_id) - 1 AS penalty_id,
                   decision_id, 'S' || lpad(CAST(seller AS VARCHAR), 7, '0') AS seller_id,
                   {types}[penalty_type + 1] AS penalty_type,
                   CASE WHEN points < 0 THEN NULL ELSE points END AS points,
                   {issued_at} AS issued_at, {reversed_at} AS reversed_at
            FROM chunk""".replace("{types}", penalty_types)
        .replace("{issued_at}", timestamp("issued_at"))
        .replace("{reversed_at}", timestamp("reversed_at")),
    }


def generate(spec: DemoSpec) -> Iterator[tuple[str, pd.DataFrame, str]]:
    """Yield (table, chunk frame, DuckDB SELECT shaping it) for every fact-table chunk."""
    world = _world(spec)
    shaping = _shaping_sql(world)
    next_ids = {"qa_inspections": 1, "appeals": 1, "penalties": 1}
    for index, first in enumerate(range(0, spec.decisions, CHUNK_DECISIONS)):
        size = min(CHUNK_DECISIONS, spec.decisions - first)
        for table, frame in _chunk(spec, world, index, first + 1, size).items():
            select = shaping[table]
            if table in next_ids:
                select = select.replace("{first_id}", str(next_ids[table]))
                next_ids[table] += len(frame)
            yield table, frame, select


def dimension_rows(spec: DemoSpec) -> dict[sa.Table, list[dict]]:
    """Return the rows of the three dimension tables."""
    world = _world(spec)
    return {
        markets: [
            {"market_code": code, "market_name": name, "region": region}
            for code, name, region, _ in MARKETS
        ],
        policy_labels: world.labels.drop(columns="weight").to_dict("records"),
        vendors: [{"vendor_code": code, "vendor_name": name} for code, name, *_ in VENDORS],
    }


class _Loader:
    """Bulk-loads shaped chunks into one warehouse, by the fastest path its dialect has."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.dialect = dialect_name(engine)
        self.shaper = duckdb.connect()
        self.workdir = tempfile.TemporaryDirectory(prefix="modqa-demo-")
        self.target = None
        if self.dialect == "duckdb":
            engine.dispose()
            self.target = duckdb.connect(engine.url.database)
            # Bounded memory whatever the size: DuckDB spills its sort to disk beyond this.
            self.target.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
            for table in FACT_TIMES:
                self.target.execute(f"CREATE TABLE {STAGE}{table} AS FROM {table} LIMIT 0")

    def load(self, table: str, frame: pd.DataFrame, select: str) -> None:
        if self.dialect == "clickhouse":
            from data_access import clickhouse

            self.shaper.register("chunk", frame)
            shaped = self.shaper.execute(select).df()
            self.shaper.unregister("chunk")
            clickhouse.insert_frame(self.engine.url, table, shaped)
            return
        if self.target is not None:
            # Staged first, then written in time order by ``close``.
            self.target.register("chunk", frame)
            self.target.execute(f"INSERT INTO {STAGE}{table} {select}")
            self.target.unregister("chunk")
            return
        self.shaper.register("chunk", frame)
        path = Path(self.workdir.name) / f"{table}.csv"
        if self.dialect == "mysql":
            # LOAD DATA reads \N as NULL and wants booleans as 0/1.
            select = select.replace(
                "is_automated,", "CAST(is_automated AS INTEGER) AS is_automated,"
            )
            self.shaper.execute(
                f"COPY ({select}) TO '{path}' "
                "(HEADER, NULLSTR '\\N', TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S')"
            )
        else:
            self.shaper.execute(f"COPY ({select}) TO '{path}' (HEADER)")
        self.shaper.unregister("chunk")
        self._bulk_insert(table, path)

    def _bulk_insert(self, table: str, path: Path) -> None:
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            if self.dialect == "postgresql":
                with (
                    path.open("rb") as source,
                    cursor.copy(f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
                ):
                    while block := source.read(1 << 20):
                        copy.write(block)
            else:
                with path.open() as source:
                    columns = source.readline().strip()
                cursor.execute(
                    f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE {table} "
                    "FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' "
                    f"LINES TERMINATED BY '\\n' IGNORE 1 LINES ({columns})"
                )
            raw.commit()
        finally:
            raw.close()

    def close(self, progress: Callable[[float, str], None] | None = None) -> None:
        if self.target is not None:
            for table, column in FACT_TIMES.items():
                if progress:
                    progress(0.96, f"Writing {table} in time order")
                # Time order lets a date filter skip whole row groups by their min/max.
                self.target.execute(
                    f"INSERT INTO {table} SELECT * FROM {STAGE}{table} ORDER BY {column}"
                )
                self.target.execute(f"DROP TABLE {STAGE}{table}")
            self.target.execute("CHECKPOINT")
            self.target.close()
        self.shaper.close()
        self.workdir.cleanup()


def _create_unkeyed(connection: sa.Connection) -> None:
    """Create the contract tables on DuckDB, the fact tables without primary keys.

    DuckDB uses no key to answer the dashboard's queries, and keeps each key's index in
    memory while loading: at 100M decisions that index alone outgrew the machine.
    """
    unkeyed = sa.MetaData()
    for table in CONTRACT_TABLES:
        if table.name in FACT_TIMES:
            columns = [sa.Column(c.name, c.type, nullable=c.nullable) for c in table.columns]
            sa.Table(table.name, unkeyed, *columns).create(connection)
        else:
            table.create(connection)


def build(
    url: str,
    spec: DemoSpec,
    *,
    progress: Callable[[float, str], None] | None = None,
) -> dict[str, int]:
    """Create the contract tables at ``url``, fill them with demo data, return row counts."""
    progress = progress or (lambda fraction, message: None)
    engine = writable_engine(url)
    progress(0.0, "Creating the contract tables")
    if dialect_name(engine) == "clickhouse":
        # Shard tables, Distributed tables and copies of the dimensions on every server.
        from data_access import clickhouse

        cluster = clickhouse.split_cluster(url)[1]
        clickhouse.create_contract(engine, cluster)
        clickhouse.insert_dimensions(engine, cluster, dimension_rows(spec))
    else:
        with engine.begin() as connection:
            metadata.drop_all(connection, tables=list(reversed(CONTRACT_TABLES)))
            if dialect_name(engine) == "duckdb":
                _create_unkeyed(connection)
            else:
                metadata.create_all(connection, tables=list(CONTRACT_TABLES))
            for table, rows in dimension_rows(spec).items():
                connection.execute(table.insert(), rows)
    counts = dict.fromkeys(("decisions", "qa_inspections", "appeals", "penalties"), 0)
    loader = _Loader(engine)
    try:
        for table, frame, select in generate(spec):
            loader.load(table, frame, select)
            counts[table] += len(frame)
            done = min(1.0, counts["decisions"] / spec.decisions)
            progress(0.95 * done, f"Loaded {counts['decisions']:,} of {spec.decisions:,} decisions")
    finally:
        loader.close(progress)
    if dialect_name(engine) == "postgresql":
        with engine.begin() as connection:
            for table in CONTRACT_TABLES:
                connection.exec_driver_sql(f"ANALYZE {table.name}")
    engine.dispose()
    progress(1.0, "Demo warehouse ready")
    return counts


def _parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m data_access.demo",
        description="Create the contract tables and fill them with demo moderation data.",
    )
    parser.add_argument("--url", help="SQLAlchemy URL (default: the configured warehouse)")
    parser.add_argument("--decisions", type=int, default=DemoSpec.decisions)
    parser.add_argument("--weeks", type=int, default=DemoSpec.weeks)
    parser.add_argument("--seed", type=int, default=DemoSpec.seed)
    parser.add_argument("--end", type=dt.date.fromisoformat, help="last day (default: yesterday)")
    parser.add_argument(
        "--no-signals", action="store_true", help="plant none of the documented signals"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Generate a demo warehouse from the command line; return the exit status."""
    arguments = _parse_arguments(argv)
    if arguments.decisions < 1 or arguments.weeks < 1:
        print("--decisions and --weeks must be positive", file=sys.stderr)
        return 2
    url = arguments.url or load_settings().warehouse_url
    options = {"decisions": arguments.decisions, "weeks": arguments.weeks, "seed": arguments.seed}
    if arguments.end:
        options["end"] = arguments.end
    if arguments.no_signals:
        options["signals"] = None
    spec = DemoSpec(**options)
    if url.startswith("duckdb:///"):
        Path(sa.make_url(url).database).parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    def report(fraction: float, message: str) -> None:
        print(f"\r[{fraction:6.1%}] {message}".ljust(70), end="", file=sys.stderr, flush=True)

    counts = build(url, spec, progress=report)
    elapsed = time.perf_counter() - started
    print(file=sys.stderr)
    print(
        f"Wrote {redacted(url)} in {elapsed:.1f} s: "
        + ", ".join(f"{t} {n:,}" for t, n in counts.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
