"""The penalty points distribution, on DuckDB, PostgreSQL and MariaDB, against pandas."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from data_access import queries
from data_access.filters import Filters
from tests.data_access import reference
from tests.data_access.test_queries import FULL_RANGE, NARROW, assert_same_counts

BR_LATELY = Filters(
    start=dt.date(2026, 10, 26),
    end=dt.date(2026, 11, 22),
    markets=("BR",),
    labels=("listing_keyword_stuffing", "listing_misleading_price", "ipr_counterfeit"),
)


def points_distribution(raw, filters: Filters, by: list[str], bin_width: int) -> pd.DataFrame:
    """Return penalties with points per bin of ``bin_width``, counted over the raw rows."""
    decisions = reference.cohort(raw, filters)
    if filters.labels:
        decisions = decisions[decisions["rejection_label"].isin(filters.labels)]
    rows = raw["penalties"].merge(decisions.drop(columns="seller_id"), on="decision_id")
    rows = rows[rows["points"].notna()]
    rows = rows.assign(
        points_from=(rows["points"].astype(int) // bin_width) * bin_width,
        penalties=1,
        reversed=rows["reversed_at"].notna().astype(int),
    )
    keys = [*by, "points_from"]
    return rows.groupby(keys)[["penalties", "reversed"]].sum().reset_index()


@pytest.mark.parametrize(
    ("filters", "by", "bin_width"),
    [
        (FULL_RANGE, [], 1),
        (FULL_RANGE, ["market_code"], 3),
        (NARROW, ["period", "policy_area"], 1),
        (BR_LATELY, [], 4),
    ],
)
def test_points_distribution_matches_pandas_on_every_dialect(
    warehouse, raw, filters, by, bin_width
):
    actual = queries.penalty_points_distribution(warehouse, filters, by, bin_width=bin_width)
    expected = points_distribution(raw, filters, by, bin_width)
    assert_same_counts(actual, expected, [*by, "points_from"])


def test_points_bins_start_at_multiples_of_the_width_and_cover_every_penalty(warehouse, raw):
    actual = queries.penalty_points_distribution(warehouse, FULL_RANGE, bin_width=5)
    assert set(actual["points_from"]) <= {0, 5, 10}
    assert actual["points_from"].dtype == np.int64
    with_points = points_distribution(raw, FULL_RANGE, [], 1)
    assert actual["penalties"].sum() == with_points["penalties"].sum()


def test_points_distribution_returns_one_row_per_bin_not_per_penalty(warehouse):
    actual = queries.penalty_points_distribution(warehouse, FULL_RANGE)
    assert len(actual) == actual["points_from"].nunique() <= 11
    assert actual["penalties"].sum() > 100 * len(actual)


def test_points_distribution_of_an_empty_period_is_an_empty_frame(warehouse):
    empty = Filters(start=dt.date(2020, 1, 6), end=dt.date(2020, 2, 2))
    actual = queries.penalty_points_distribution(warehouse, empty)
    assert actual.empty
    assert list(actual.columns) == ["points_from", "penalties", "reversed"]


@pytest.mark.parametrize("bin_width", [0, -2, 1.5, "2; DROP TABLE penalties", True])
def test_a_bad_bin_width_is_refused_before_any_sql(bin_width):
    with pytest.raises(ValueError, match="bin_width"):
        queries.penalty_points_distribution(
            sa.create_engine("duckdb:///:memory:"), FULL_RANGE, bin_width=bin_width
        )
