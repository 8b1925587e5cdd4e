"""Filter values are data, never SQL: hostile text selects nothing and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access import queries
from data_access.filters import Filters

HOSTILE_VALUES = [
    "US' OR '1'='1",
    'ID"; DROP TABLE decisions; --',
    "listing; DELETE FROM appeals",
    "') UNION SELECT decision_id FROM decisions --",
    "SELECT * FROM vendors",
    "\\'; SHUTDOWN; --",
]
RANGE = {"start": dt.date(2026, 9, 14), "end": dt.date(2026, 11, 22)}


@pytest.mark.parametrize("value", HOSTILE_VALUES)
@pytest.mark.parametrize("dimension", ["markets", "policy_areas", "labels", "vendors", "queues"])
def test_hostile_filter_values_select_nothing(warehouse, dimension, value):
    filters = Filters(**RANGE, **{dimension: (value,)})
    assert queries.inspection_counts(warehouse, filters, ["period"]).empty
    assert queries.appeal_counts(warehouse, filters, ["market_code"]).empty
    assert queries.drill_through(warehouse, filters).total == 0


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_hostile_drill_through_arguments_select_nothing(warehouse, value):
    filters = Filters(**RANGE)
    assert queries.drill_through(warehouse, filters, label_code=value).total == 0
    assert queries.drill_through(warehouse, filters, moderator_id=value).total == 0


def test_tables_are_intact_after_hostile_filters(warehouse, raw):
    for value in HOSTILE_VALUES:
        queries.penalty_counts(warehouse, Filters(**RANGE, markets=(value,)), ["market_code"])
    rows = queries.freshness(warehouse).set_index("table_name")["rows"]
    assert rows["decisions"] == len(raw["decisions"])
    assert rows["appeals"] == len(raw["appeals"])
