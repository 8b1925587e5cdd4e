"""Frame cache keys: equal frames share a key however they were built; any difference splits."""

from __future__ import annotations

import datetime as dt
import pickle
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import streamlit as st

from data_access.filters import Filters, Grant, Scope
from ui.cache_keys import BY_CONTENT, content_digest


def _counts(extra_first_row: bool = False) -> pd.DataFrame:
    rows = {
        "market_code": ["de", "fr", "it", "es"],
        "period": ["2026-11-02", "2026-11-02", "2026-11-09", "2026-11-09"],
        "inspections": [10, 20, 30, 40],
        "rate": [0.5, 0.25, np.nan, 1.0],
        "moved": [True, False, False, True],
    }
    if extra_first_row:
        rows = {column: [values[0], *values] for column, values in rows.items()}
    return pd.DataFrame(
        {
            **rows,
            "market_code": pd.array(rows["market_code"], dtype="str"),
            "period": pd.to_datetime(rows["period"]),
            "inspections": np.array(rows["inspections"], dtype="int64"),
        }
    )


def _built_by_slicing() -> pd.DataFrame:
    # The same rows cut from a longer frame: the Arrow text column still holds the cut row.
    return _counts(extra_first_row=True).iloc[1:].reset_index(drop=True)


def test_equal_frames_built_differently_share_a_digest_though_their_pickles_differ():
    direct, sliced = _counts(), _built_by_slicing()
    assert direct.equals(sliced)
    # Why the digest is not a hash of the pickle: Arrow pickles the buffer the slice is of.
    assert pickle.dumps(direct) != pickle.dumps(sliced)
    assert content_digest(direct) == content_digest(sliced)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda f: f.assign(inspections=f["inspections"] + [0, 0, 0, 1]), id="count"),
        pytest.param(lambda f: f.assign(rate=f["rate"].fillna(0.0)), id="missing-filled"),
        pytest.param(lambda f: f.assign(market_code=["de", "fr", "it", "pt"]), id="text"),
        pytest.param(lambda f: f.assign(inspections=f["inspections"].astype(float)), id="dtype"),
        pytest.param(lambda f: f.rename(columns={"rate": "share"}), id="column-name"),
        pytest.param(
            lambda f: f[["period", "market_code", "inspections", "rate", "moved"]],
            id="column-order",
        ),
        pytest.param(lambda f: f.set_axis([1, 2, 3, 4]), id="index"),
        pytest.param(lambda f: f.iloc[:3], id="fewer-rows"),
        pytest.param(lambda f: f.assign(moved=[True, False, False, False]), id="flag"),
        pytest.param(lambda f: f.astype({"market_code": object}), id="text-as-objects"),
    ],
)
def test_any_difference_in_values_labels_or_dtypes_changes_the_digest(change):
    frame = _counts()
    assert content_digest(change(frame)) != content_digest(frame)


def test_series_are_digested_by_name_and_values():
    series = pd.Series([1.0, 2.0], name="rate")
    assert content_digest(series) == content_digest(pd.Series([1.0, 2.0], name="rate"))
    assert content_digest(series) != content_digest(series.rename("share"))
    assert content_digest(series) != content_digest(series.to_frame())


def test_a_cached_function_is_computed_once_for_equal_frames_built_differently():
    calls = []

    @st.cache_data(hash_funcs=BY_CONTENT, show_spinner=False)
    def total(frame: pd.DataFrame) -> int:
        calls.append(1)
        return int(frame["inspections"].sum())

    assert total(_counts()) == 100
    assert total(_built_by_slicing()) == 100
    assert len(calls) == 1
    assert total(_counts().assign(inspections=[1, 2, 3, 4])) == 10
    assert len(calls) == 2


def test_filter_sets_are_keyed_by_every_field_including_the_scope():
    calls = []

    @st.cache_data(hash_funcs=BY_CONTENT, show_spinner=False)
    def described(filters: Filters) -> str:
        calls.append(1)
        return f"{filters.start}:{filters.markets}:{filters.scope.markets()}"

    week = Filters(start=dt.date(2026, 11, 23), end=dt.date(2026, 11, 29), markets=("de",))
    assert described(week) == described(replace(week)) == "2026-11-23:('de',):None"
    assert len(calls) == 1
    # A user limited to France with the same link: never the unscoped answer.
    france = week.within(Scope.of([Grant(markets=("fr",))]))
    assert described(france) == "2026-11-23:('de',):('fr',)"
    assert described(replace(week, grain="day")) == described(week)  # recomputed, not shared
    assert described(replace(week, end=dt.date(2026, 11, 30))).startswith("2026-11-23")
    assert len(calls) == 4
