"""Every row any query returns lies inside the viewer's scope, whatever the link says.

Random links (known codes, out-of-scope codes and hostile strings) are parsed as the app
parses them, narrowed to a random entitlement, and sent to every query a page, a CSV or the
weekly report uses. Rows are read back from the frames: each must belong to a grant of the
scope, and decision totals must equal a pandas count of the raw rows in (link AND scope).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import review.weekly as weekly
from data_access import queries
from data_access.demo import MARKETS, VENDORS
from data_access.filters import EVERYTHING, Filters, Grant, Scope
from tests.conftest import TEST_SPEC, read_only
from ui.links import parse_view

MARKET_CODES = [code for code, *_ in MARKETS]
VENDOR_CODES = [code for code, *_ in VENDORS]
HOSTILE = ["' OR '1'='1", "US'; DROP TABLE decisions; --", "", "ＵＳ", "us", "%", "*", "\x00"]
KNOWN = {
    "markets": tuple(MARKET_CODES),
    "vendors": tuple(VENDOR_CODES),
    "policy_areas": ("content", "ipr", "listing", "partner"),
    "queues": ("new_listing", "proactive", "user_report"),
    "labels": (),
}
END = TEST_SPEC.end
START = END - dt.timedelta(weeks=4) + dt.timedelta(days=1)

grants = st.builds(
    Grant,
    markets=st.one_of(st.none(), st.lists(st.sampled_from(MARKET_CODES), max_size=3).map(tuple)),
    vendors=st.one_of(st.none(), st.lists(st.sampled_from(VENDOR_CODES), max_size=2).map(tuple)),
)
scopes = st.one_of(
    st.just(Scope.nothing()),
    st.lists(grants, min_size=1, max_size=3).map(Scope.of),
)
link_values = st.lists(st.sampled_from([*MARKET_CODES, *HOSTILE]), max_size=3)
links = st.fixed_dictionaries(
    {
        "market": link_values,
        "vendor": st.lists(st.sampled_from([*VENDOR_CODES, *HOSTILE]), max_size=2),
        "policy": st.lists(st.sampled_from(["listing", "ipr", "'; --"]), max_size=1),
        "start": st.just([START.isoformat()]),
        "end": st.just([END.isoformat()]),
    }
)


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def engine(request) -> sa.Engine:
    """Return an engine on the DuckDB and on the PostgreSQL test warehouse."""
    url = request.getfixturevalue(
        {"duckdb": "duckdb_url", "postgresql": "postgres_url"}[request.param]
    )
    engine = read_only(url) if request.param == "duckdb" else sa.create_engine(url)
    yield engine
    engine.dispose()


def _effective(params: dict[str, list[str]], scope: Scope) -> Filters:
    view, _ = parse_view(
        params,
        known=KNOWN,
        default_range=(START, END),
        dimensions=("markets", "policy_areas", "vendors"),
    )
    return view.filters.within(scope)


def _inside(frame: pd.DataFrame, scope: Scope) -> bool:
    return all(
        scope.allows(market, vendor)
        for market, vendor in zip(frame["market_code"], frame["vendor_code"], strict=True)
    )


def _expected_decisions(raw: dict[str, pd.DataFrame], filters: Filters) -> int:
    """Count the raw decisions in the range, the link's selections and the scope, in pandas."""
    d = raw["decisions"]
    decided = pd.to_datetime(d["decided_at"])
    keep = (decided >= pd.Timestamp(filters.start)) & (
        decided < pd.Timestamp(filters.end + dt.timedelta(days=1))
    )
    for column, values in (
        ("market_code", filters.markets),
        ("vendor_code", filters.vendors),
        ("policy_area", filters.policy_areas),
    ):
        if values:
            keep &= d[column].isin(values)
    return int((keep & _allowed(d, filters.scope)).sum())


def _allowed(d: pd.DataFrame, scope: Scope) -> pd.Series:
    """Return which raw decisions some grant of the scope allows (a union of grants)."""
    allowed = pd.Series(False, index=d.index)
    for grant in scope.grants:
        mask = pd.Series(True, index=d.index)
        if grant.markets is not None:
            mask &= d["market_code"].isin(grant.markets)
        if grant.vendors is not None:
            mask &= d["vendor_code"].isin(grant.vendors)
        allowed |= mask
    return allowed


BY = ("market_code", "vendor_code")


@settings(max_examples=8, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=links, scope=scopes)
def test_every_query_returns_only_rows_inside_the_scope(engine, raw, params, scope):
    filters = _effective(params, scope)
    frames = {
        "decisions": queries.decision_counts(engine, filters, BY),
        "inspections": queries.inspection_counts(engine, filters, ("period", *BY)),
        "labels": queries.label_counts(engine, filters, BY),
        "appeals": queries.appeal_counts(engine, filters, BY),
        "appeal flow": queries.appeal_flow_counts(engine, filters, BY),
        "resolution": queries.appeal_resolution_times(engine, filters, BY),
        "penalties": queries.penalty_counts(engine, filters, BY),
        "penalty types": queries.penalty_counts(engine, filters, (*BY, "penalty_type")),
        "points": queries.penalty_points_distribution(engine, filters, BY),
        "drill-through": queries.drill_through(
            engine, filters, inspected_only=False, page_size=500, cap=500
        ).rows,
    }
    for name, frame in frames.items():
        assert _inside(frame, filters.scope), f"{name} returned a row outside {scope}"
    assert frames["decisions"]["decisions"].sum() == _expected_decisions(raw, filters)
    moderators = queries.moderator_options(engine, scope=filters.scope)
    d = raw["decisions"]
    in_scope = d[_allowed(d, filters.scope)]
    expected = in_scope.groupby("moderator_id").size()
    assert moderators.set_index("moderator_id")["decisions"].to_dict() == expected.to_dict()
    # Ungrouped queries: their totals equal the in-scope grouped ones.
    inspected = int(frames["inspections"]["inspections"].sum())
    assert queries.confusion_counts(engine, filters)["inspections"].sum() == inspected
    assert queries.inspection_counts(engine, filters, ())["inspections"].sum() == inspected
    options = queries.filter_options(engine, scope=filters.scope)
    allowed_markets = filters.scope.markets()
    allowed_vendors = filters.scope.vendors()
    if allowed_markets is not None:
        assert set(options.markets["market_code"]) <= set(allowed_markets)
    if allowed_vendors is not None:
        assert set(options.vendors["vendor_code"]) <= set(allowed_vendors)
    if filters.scope.is_nothing:
        assert options.markets.empty and options.vendors.empty and not options.queues


@settings(max_examples=2, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=links, scope=scopes.filter(lambda scope: not scope.is_everything))
def test_the_weekly_report_asks_only_inside_the_scope(engine, params, scope, monkeypatch):
    filters = _effective(params, scope)
    asked: list[Filters] = []

    def spying(query):
        def run(engine, window, *args, **kwargs):
            asked.append(window)
            return query(engine, window, *args, **kwargs)

        return run

    with monkeypatch.context() as patch:
        for source, query in weekly.COUNT_QUERIES.items():
            patch.setitem(weekly.COUNT_QUERIES, source, spying(query))
        patch.setattr(weekly.queries, "decision_counts", spying(queries.decision_counts))
        review = weekly.build_review(engine, "2026-W47", filters)
    assert asked and all(window.scope == filters.scope for window in asked)
    shown = set(review.control.get("market_code", pd.Series(dtype=str)))
    markets = filters.scope.markets()
    if markets is not None:
        assert shown <= set(markets)


def test_an_unrestricted_scope_adds_no_condition(engine):
    plain = Filters(start=START, end=END)
    assert plain.scope == EVERYTHING
    everything = queries.decision_counts(engine, plain, ("market_code",))
    assert set(everything["market_code"]) == set(MARKET_CODES)
