"""Counts summed in pandas from one fine request equal the query asked directly."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data_access import queries, regroup
from data_access.filters import Filters
from tests.conftest import read_only

WEEKS = Filters(start=dt.date(2026, 9, 16), end=dt.date(2026, 11, 22), grain="week")
MONTHS = Filters(
    start=dt.date(2026, 9, 20),
    end=dt.date(2026, 11, 15),
    grain="month",
    markets=("ID", "US", "SG"),
    labels=("listing_keyword_stuffing", "ipr_counterfeit"),
)
REQUESTS = [
    (WEEKS, ()),
    (WEEKS, ("period",)),
    (WEEKS, ("period", "market_code")),
    (WEEKS, ("market_code", "policy_area")),
    (MONTHS, ("period", "policy_area")),
    (MONTHS, ("label_code",)),
    (WEEKS, ("period", "vendor_code")),
    (WEEKS, ("moderator_id",)),
]
# label_counts adds its own label_code key, so it is never asked by label.
CASES = [
    (name, filters, by)
    for name in sorted(regroup.COUNT_COLUMNS)
    for filters, by in REQUESTS
    if not (name == "label_counts" and "label_code" in by)
]


@pytest.fixture(scope="module")
def engine(duckdb_url):
    engine = read_only(duckdb_url)
    yield engine
    engine.dispose()


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    frame = frame.copy()
    for key in keys:
        frame[key] = frame[key].astype(object).where(frame[key].notna(), None)
    return frame.sort_values(keys, ignore_index=True) if keys else frame


@pytest.mark.parametrize(("name", "filters", "by"), CASES)
def test_regrouping_the_finest_request_gives_the_direct_answer(engine, name, filters, by):
    function = getattr(queries, name)
    asked_filters, asked_by = regroup.finest(name, filters, by)
    rolled = regroup.regroup(name, function(engine, asked_filters, asked_by), by, filters.grain)
    direct = function(engine, filters, by)
    keys = [*by, "label_code"] if name == "label_counts" else list(by)
    assert len(direct) > 0
    pd.testing.assert_frame_equal(
        _sorted(rolled[direct.columns], keys), _sorted(direct, keys), check_dtype=False, rtol=1e-9
    )


def test_the_overview_requests_share_one_request_per_source_and_range():
    wanted = [(), ("period",), ("period", "market_code"), ("market_code", "policy_area")]
    for name in ("inspection_counts", "appeal_counts", "penalty_counts"):
        requests = {regroup.finest(name, WEEKS, by) for by in wanted}
        monthly = regroup.finest(name, Filters(WEEKS.start, WEEKS.end, grain="month"), ("period",))
        assert requests == {monthly}


def test_penalties_by_type_are_asked_as_they_are():
    assert regroup.finest("penalty_counts", WEEKS, ("period", "penalty_type")) == (
        WEEKS,
        ("period", "penalty_type"),
    )
