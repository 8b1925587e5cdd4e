"""Drill lists follow the metric: appeals for overturn, penalties for penalty rate."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data_access.drill_lists import metric_drill, metric_drill_all
from data_access.filters import Filters
from tests.data_access import reference

WEEKS = Filters(start=dt.date(2026, 9, 14), end=dt.date(2026, 11, 22), grain="week")
LABEL = "listing_keyword_stuffing"


def test_an_overturn_list_holds_only_that_labels_appealed_decisions(warehouse, raw):
    cohort = reference.cohort(raw, WEEKS)
    appealed = raw["appeals"].merge(cohort, on="decision_id")
    expected = appealed[appealed["rejection_label"] == LABEL]
    page = metric_drill(warehouse, WEEKS, "appeals", label_code=LABEL, page_size=50, cap=100_000)
    assert page.total == len(expected) > 50
    assert set(page.rows["decision_id"]) <= set(expected["decision_id"])
    assert page.rows["appeal_outcome"].isin(["pending", "upheld", "overturned"]).all()
    resolved = page.rows.dropna(subset=["resolved_at"])
    hours = (resolved["resolved_at"] - resolved["appealed_at"]).dt.total_seconds() / 3600
    assert (resolved["resolution_hours"] - hours).abs().max() <= 0.05
    first = expected.sort_values(["appealed_at", "decision_id"], ascending=False).iloc[0]
    assert page.rows["decision_id"].iloc[0] == first["decision_id"]


def test_a_penalty_list_holds_penalties_with_type_points_and_reversal(warehouse, raw):
    cohort = reference.cohort(raw, WEEKS)
    expected = raw["penalties"].merge(cohort[cohort["market_code"] == "BR"], on="decision_id")
    br = Filters(start=WEEKS.start, end=WEEKS.end, markets=("BR",))
    page = metric_drill(warehouse, br, "penalties", page_size=100, cap=100_000)
    assert page.total == len(expected)
    by_id = expected.set_index("penalty_id")
    for row in page.rows.itertuples():
        source = by_id.loc[row.penalty_id]
        assert row.penalty_type == source["penalty_type"]
        if pd.isna(source["points"]):
            assert pd.isna(row.points), "a penalty without points shows none"
        else:
            assert row.points == source["points"]
        assert row.penalty_reversed == pd.notna(source["reversed_at"])


@pytest.mark.parametrize(
    ("source", "label", "cap"),
    [("appeals", LABEL, 120), ("appeals", LABEL, 100_000), ("penalties", None, 1_200)],
)
def test_the_csv_holds_every_row_of_the_list_up_to_the_cap(warehouse, source, label, cap):
    page = metric_drill(warehouse, WEEKS, source, label_code=label, page_size=50, cap=cap)
    every = metric_drill_all(warehouse, WEEKS, source, label_code=label, cap=cap)
    # The 1,200 cap spans three 500-row pages of the download, so the pages must join up.
    assert len(every) == page.total and (page.capped or cap == 100_000)
    key = every.columns[0]
    assert every[key].is_unique
    assert list(every[key][:50]) == list(page.rows[key])


def test_an_unknown_source_is_refused(warehouse):
    with pytest.raises(ValueError, match="source must be one of"):
        metric_drill(warehouse, WEEKS, "decisions")
