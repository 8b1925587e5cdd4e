"""The warehouse contract as SQLAlchemy tables: seven tables, fixed column names.

Each column also carries a *kind* (``identifier``, ``text``, ``timestamp``, ``boolean``,
``integer``, ``number``) used by ``data_access.validate`` to judge a user's warehouse,
which may store the same thing under another concrete type (``VARCHAR`` vs ``TEXT``,
MariaDB's ``TINYINT(1)`` for booleans).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

POLICY_AREAS = ("partner", "listing", "content", "ipr")
OUTCOMES = ("approve", "reject")
SEVERITIES = ("low", "medium", "high", "critical")
APPEAL_OUTCOMES = ("pending", "upheld", "overturned")
PENALTY_TYPES = ("warning", "points", "listing_suspension", "selling_suspension", "termination")


def _column(name: str, type_: sa.types.TypeEngine, kind: str, **kwargs) -> sa.Column:
    """Return a column tagged with its contract kind."""
    return sa.Column(name, type_, info={"kind": kind}, **kwargs)


markets = sa.Table(
    "markets",
    metadata,
    _column("market_code", sa.String(16), "text", primary_key=True),
    _column("market_name", sa.String(100), "text", nullable=False),
    _column("region", sa.String(50), "text", nullable=False),
)

policy_labels = sa.Table(
    "policy_labels",
    metadata,
    _column("label_code", sa.String(64), "text", primary_key=True),
    _column("policy_area", sa.String(16), "text", nullable=False),
    _column("label_name", sa.String(200), "text", nullable=False),
    _column("severity", sa.String(16), "text", nullable=False),
)

vendors = sa.Table(
    "vendors",
    metadata,
    _column("vendor_code", sa.String(64), "text", primary_key=True),
    _column("vendor_name", sa.String(200), "text", nullable=False),
)

decisions = sa.Table(
    "decisions",
    metadata,
    _column("decision_id", sa.BigInteger, "identifier", primary_key=True, autoincrement=False),
    _column("decided_at", sa.DateTime, "timestamp", nullable=False),
    _column("market_code", sa.String(16), "text", nullable=False),
    _column("policy_area", sa.String(16), "text", nullable=False),
    _column("queue", sa.String(32), "text", nullable=False),
    _column("vendor_code", sa.String(64), "text", nullable=False),
    _column("moderator_id", sa.String(64), "identifier", nullable=False),
    _column("is_automated", sa.Boolean, "boolean", nullable=False),
    _column("outcome", sa.String(16), "text", nullable=False),
    _column("rejection_label", sa.String(64), "text", nullable=True),
    _column("seller_id", sa.String(64), "identifier", nullable=False),
    sa.Index("ix_decisions_decided_at", "decided_at"),
    sa.Index("ix_decisions_market_policy", "market_code", "policy_area"),
)

qa_inspections = sa.Table(
    "qa_inspections",
    metadata,
    _column("inspection_id", sa.BigInteger, "identifier", primary_key=True, autoincrement=False),
    _column("decision_id", sa.BigInteger, "identifier", nullable=False),
    _column("inspected_at", sa.DateTime, "timestamp", nullable=False),
    _column("inspector_id", sa.String(64), "identifier", nullable=False),
    _column("qa_outcome", sa.String(16), "text", nullable=False),
    _column("qa_label", sa.String(64), "text", nullable=True),
    _column("sampling_weight", sa.Double, "number", nullable=False),
    sa.Index("ix_qa_inspections_decision_id", "decision_id"),
)

appeals = sa.Table(
    "appeals",
    metadata,
    _column("appeal_id", sa.BigInteger, "identifier", primary_key=True, autoincrement=False),
    _column("decision_id", sa.BigInteger, "identifier", nullable=False),
    _column("appealed_at", sa.DateTime, "timestamp", nullable=False),
    _column("resolved_at", sa.DateTime, "timestamp", nullable=True),
    _column("appeal_outcome", sa.String(16), "text", nullable=False),
    sa.Index("ix_appeals_decision_id", "decision_id"),
)

penalties = sa.Table(
    "penalties",
    metadata,
    _column("penalty_id", sa.BigInteger, "identifier", primary_key=True, autoincrement=False),
    _column("decision_id", sa.BigInteger, "identifier", nullable=False),
    _column("seller_id", sa.String(64), "identifier", nullable=False),
    _column("penalty_type", sa.String(32), "text", nullable=False),
    _column("points", sa.Integer, "integer", nullable=True),
    _column("issued_at", sa.DateTime, "timestamp", nullable=False),
    _column("reversed_at", sa.DateTime, "timestamp", nullable=True),
    sa.Index("ix_penalties_decision_id", "decision_id"),
)

DIMENSION_TABLES = (markets, policy_labels, vendors)
FACT_TABLES = (decisions, qa_inspections, appeals, penalties)
CONTRACT_TABLES = DIMENSION_TABLES + FACT_TABLES
