"""The sampling frame and first-seen queries, on every warehouse, against the raw rows."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data_access import planning
from data_access.filters import Filters

WEEK = Filters(start=dt.date(2026, 11, 16), end=dt.date(2026, 11, 22))


def week_rows(raw: dict[str, pd.DataFrame], filters: Filters) -> pd.DataFrame:
    decisions = raw["decisions"]
    decided = pd.to_datetime(decisions["decided_at"])
    inside = (decided >= pd.Timestamp(filters.start)) & (
        decided < pd.Timestamp(filters.end + dt.timedelta(days=1))
    )
    return decisions[inside]


def test_the_frame_lists_every_decision_of_the_week_once(warehouse, raw):
    frame = planning.sampling_frame(warehouse, WEEK)
    expected = week_rows(raw, WEEK)
    assert frame["decision_id"].tolist() == sorted(expected["decision_id"].tolist())
    assert list(frame.columns) == list(planning.FRAME_COLUMNS)
    automated = set(expected.loc[expected["is_automated"], "decision_id"])
    has_moderator = frame.set_index("decision_id")["moderator_id"].notna()
    assert not has_moderator[list(automated)].any(), "automated decisions have no moderator"
    assert has_moderator.drop(list(automated)).all()


def test_the_frame_follows_market_and_policy_filters(warehouse, raw):
    narrow = Filters(start=WEEK.start, end=WEEK.end, markets=("SG",), policy_areas=("ipr",))
    frame = planning.sampling_frame(warehouse, narrow)
    expected = week_rows(raw, WEEK)
    expected = expected[(expected["market_code"] == "SG") & (expected["policy_area"] == "ipr")]
    assert sorted(frame["decision_id"]) == sorted(expected["decision_id"])


def test_a_frame_above_the_cap_is_refused_not_cut(warehouse, raw):
    total = len(week_rows(raw, WEEK))
    with pytest.raises(planning.FrameTooLarge, match=f"{total:,} decisions"):
        planning.sampling_frame(warehouse, WEEK, cap=total - 1)


def test_first_seen_is_the_earliest_decision_before_the_date(warehouse, raw):
    before = dt.date(2026, 10, 1)
    decisions = raw["decisions"]
    earlier = decisions[pd.to_datetime(decisions["decided_at"]) < pd.Timestamp(before)]
    humans = earlier[~earlier["is_automated"]]
    expected = humans.groupby("moderator_id")["decided_at"].min()
    seen = planning.first_seen(warehouse, "moderator_id", before=before)
    seen = seen.set_index("moderator_id")["first_decided_at"]
    assert seen.index.tolist() == sorted(expected.index)
    assert (pd.to_datetime(seen) == pd.to_datetime(expected).reindex(seen.index)).all()
    labels = planning.first_seen(warehouse, "label_code", before=before)
    assert set(labels["label_code"]) == set(earlier["rejection_label"].dropna())
