"""Every aggregate query, on DuckDB, PostgreSQL and MariaDB, against pandas over raw rows."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from data_access import queries
from data_access.filters import Filters
from tests.data_access import reference

FULL_RANGE = Filters(start=dt.date(2026, 9, 14), end=dt.date(2026, 11, 22), grain="week")
NARROW = Filters(
    start=dt.date(2026, 10, 1),
    end=dt.date(2026, 11, 15),
    grain="month",
    markets=("ID", "US", "SG"),
    policy_areas=("listing", "ipr"),
    queues=("new_listing", "user_report"),
)
BY_LABEL = Filters(
    start=dt.date(2026, 9, 14),
    end=dt.date(2026, 11, 22),
    labels=("listing_keyword_stuffing", "ipr_counterfeit"),
)
GROUPINGS = [
    (FULL_RANGE, ["period"]),
    (FULL_RANGE, ["period", "market_code", "policy_area"]),
    (NARROW, ["market_code", "vendor_code"]),
    (
        Filters(start=dt.date(2026, 11, 2), end=dt.date(2026, 11, 8), grain="day"),
        ["period", "queue"],
    ),
    (BY_LABEL, ["label_code"]),
    (FULL_RANGE, []),
    (
        Filters(
            start=dt.date(2026, 9, 14), end=dt.date(2026, 11, 22), moderators=("M0042", "M0100")
        ),
        ["period", "moderator_id"],
    ),
]


def assert_same_counts(actual: pd.DataFrame, expected: pd.DataFrame, keys: list[str]) -> None:
    """Assert two count frames hold the same groups and numbers, whatever their order."""
    columns = [c for c in expected.columns if c not in keys]
    actual = (
        actual[keys + columns].sort_values(keys, ignore_index=True) if keys else actual[columns]
    )
    expected = (
        expected[keys + columns].sort_values(keys, ignore_index=True) if keys else expected[columns]
    )
    for key in keys:
        if key == "period":
            actual[key] = pd.to_datetime(actual[key]).astype("datetime64[ns]")
            expected[key] = pd.to_datetime(expected[key]).astype("datetime64[ns]")
        else:
            actual[key] = actual[key].astype(object)
            expected[key] = expected[key].astype(object)
    assert len(actual) > 0, "the test filters should select some rows"
    pd.testing.assert_frame_equal(
        actual.reset_index(drop=True),
        expected.reset_index(drop=True),
        check_dtype=False,
        rtol=1e-9,
    )


@pytest.mark.parametrize(("filters", "by"), GROUPINGS)
def test_inspection_counts_match_pandas_on_every_dialect(warehouse, raw, filters, by):
    actual = queries.inspection_counts(warehouse, filters, by)
    assert_same_counts(actual, reference.inspection_counts(raw, filters, by), by)


@pytest.mark.parametrize("filters", [FULL_RANGE, NARROW, BY_LABEL])
def test_label_counts_match_pandas_on_every_dialect(warehouse, raw, filters):
    actual = queries.label_counts(warehouse, filters)
    assert_same_counts(actual, reference.label_counts(raw, filters), ["label_code"])


@pytest.mark.parametrize(("filters", "by"), [g for g in GROUPINGS if g[0] is not BY_LABEL])
def test_appeal_cohort_counts_match_pandas_on_every_dialect(warehouse, raw, filters, by):
    actual = queries.appeal_counts(warehouse, filters, by)
    assert_same_counts(actual, reference.appeal_counts(raw, filters, by), by)


@pytest.mark.parametrize("by", [["period"], ["period", "market_code"], []])
def test_appeal_flow_counts_group_by_resolution_date(warehouse, raw, by):
    actual = queries.appeal_flow_counts(warehouse, NARROW, by)
    assert_same_counts(actual, reference.appeal_flow_counts(raw, NARROW, by), by)


@pytest.mark.parametrize("by", [["market_code"], ["period", "policy_area"]])
def test_resolution_time_quantiles_match_numpy(warehouse, raw, by):
    actual = queries.appeal_resolution_times(warehouse, FULL_RANGE, by)
    assert_same_counts(actual, reference.resolution_hours(raw, FULL_RANGE, by), by)


@pytest.mark.parametrize(
    ("filters", "by"),
    [
        (FULL_RANGE, ["period", "market_code"]),
        (NARROW, ["penalty_type"]),
        (FULL_RANGE, []),
        (NARROW, ["policy_area", "penalty_type"]),
    ],
)
def test_penalty_counts_match_pandas_on_every_dialect(warehouse, raw, filters, by):
    actual = queries.penalty_counts(warehouse, filters, by)
    assert_same_counts(actual, reference.penalty_counts(raw, filters, by), by)


def test_decision_counts_match_pandas(warehouse, raw):
    actual = queries.decision_counts(warehouse, NARROW, ["market_code"])
    cohort = reference.cohort(raw, NARROW)
    expected = (
        cohort.assign(
            decisions=1,
            rejections=(cohort["outcome"] == "reject").astype(int),
            automated=cohort["is_automated"].astype(int),
        )
        .groupby("market_code")[["decisions", "rejections", "automated"]]
        .sum()
        .reset_index()
    )
    assert_same_counts(actual, expected, ["market_code"])


def test_confusion_counts_put_approvals_on_both_sides(warehouse, raw):
    actual = queries.confusion_counts(warehouse, NARROW)
    rows = raw["qa_inspections"].merge(reference.cohort(raw, NARROW), on="decision_id")
    rows["moderator_label"] = rows["rejection_label"].where(rows["outcome"] == "reject", "approve")
    rows["qa_label"] = rows["qa_label"].where(rows["qa_outcome"] == "reject", "approve")
    expected = (
        rows.groupby(["moderator_label", "qa_label"]).size().rename("inspections").reset_index()
    )
    assert_same_counts(actual, expected, ["moderator_label", "qa_label"])
    assert actual["inspections"].sum() == len(rows)


@pytest.mark.parametrize("grain", ["day", "week", "month"])
def test_periods_start_on_the_same_day_on_every_dialect(warehouse, raw, grain):
    filters = Filters(start=dt.date(2026, 9, 14), end=dt.date(2026, 11, 22), grain=grain)
    periods = queries.decision_counts(warehouse, filters, ["period"])["period"]
    expected = sorted(
        reference.period(reference.cohort(raw, filters)["decided_at"], grain).unique()
    )
    assert list(periods) == [pd.Timestamp(p) for p in expected]
    if grain == "week":
        assert set(periods.dt.day_of_week) == {0}, "weeks start on Monday"
    if grain == "month":
        assert set(periods.dt.day) == {1}


def test_freshness_reports_rows_and_latest_timestamp(warehouse, raw):
    frame = queries.freshness(warehouse).set_index("table_name")
    for table, column in (("decisions", "decided_at"), ("appeals", "appealed_at")):
        assert frame.loc[table, "rows"] == len(raw[table])
        assert frame.loc[table, "latest"] == raw[table][column].max()


def test_filter_options_list_the_dimension_tables(warehouse, raw):
    options = queries.filter_options(warehouse)
    assert list(options.markets["market_code"]) == sorted(raw["markets"]["market_code"])
    assert set(options.labels["label_code"]) == set(raw["policy_labels"]["label_code"])
    assert options.policy_areas == ("content", "ipr", "listing", "partner")
    assert options.queues == tuple(sorted(raw["decisions"]["queue"].unique()))


def test_drill_through_is_capped_and_paged_in_sql(warehouse, raw):
    label = "listing_duplicate"
    rows = raw["qa_inspections"].merge(reference.cohort(raw, FULL_RANGE), on="decision_id")
    behind = rows[(rows["rejection_label"] == label) | (rows["qa_label"] == label)]
    assert len(behind) > 25, "the test needs more rows than the cap"
    expected_order = behind.sort_values(["decided_at", "decision_id"], ascending=False)

    first = queries.drill_through(warehouse, FULL_RANGE, label_code=label, page_size=10, cap=25)
    last = queries.drill_through(
        warehouse, FULL_RANGE, label_code=label, page=3, page_size=10, cap=25
    )

    assert (first.total, first.pages, first.capped) == (25, 3, True)
    assert list(first.rows["decision_id"]) == list(expected_order["decision_id"][:10])
    assert len(last.rows) == 5, "the last page stops at the cap"
    assert list(last.rows["decision_id"]) == list(expected_order["decision_id"][20:25])


def test_drill_through_joins_appeal_and_penalty_outcomes(warehouse, raw):
    page = queries.drill_through(warehouse, NARROW, page_size=200, cap=200)
    appeals = raw["appeals"].set_index("decision_id")["appeal_outcome"]
    penalties = raw["penalties"].set_index("decision_id")["penalty_type"]
    assert page.rows["appeal_outcome"].notna().any() and page.rows["penalty_type"].notna().any()
    for row in page.rows.itertuples():
        assert _missing_as_none(row.appeal_outcome) == appeals.get(row.decision_id)
        assert _missing_as_none(row.penalty_type) == penalties.get(row.decision_id)


def _missing_as_none(value):
    return None if pd.isna(value) else value


def test_moderator_drill_through_lists_only_that_moderator(warehouse):
    page = queries.drill_through(warehouse, FULL_RANGE, moderator_id="M0042", page_size=50)
    assert page.total > 0
    assert set(page.rows["moderator_id"]) == {"M0042"}


def test_unknown_group_key_is_refused_with_the_known_keys():
    with pytest.raises(queries.UnknownGroupKey, match="market_code"):
        queries.inspection_counts(sa.create_engine("duckdb:///:memory:"), FULL_RANGE, ["country"])


def test_resolution_times_over_no_appeals_are_unknown_not_zero(warehouse):
    nothing = Filters(start=dt.date(2026, 9, 14), end=dt.date(2026, 11, 22), markets=("ZZ",))
    frame = queries.appeal_resolution_times(warehouse, nothing, ())
    assert list(frame["resolved"]) == [0]
    assert frame[["median_hours", "p90_hours"]].isna().all().all()
