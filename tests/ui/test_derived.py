"""Derived frames: computed once per input values, and every caller gets its own copy."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.derived import kept

CALLS: list[int] = []


def doubled(counts: pd.DataFrame, factor: int) -> pd.DataFrame:
    """Return the counts times ``factor`` (records each computation)."""
    CALLS.append(factor)
    return counts.assign(inspections=counts["inspections"] * factor)


def _counts(values: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"market_code": ["de", "fr"], "inspections": values})


def test_equal_inputs_are_computed_once_and_different_ones_again():
    st.cache_data.clear()
    CALLS.clear()
    first = kept(doubled, _counts([1, 2]), 2)
    again = kept(doubled, _counts([1, 2]), 2)  # an equal frame, built anew
    assert list(first["inspections"]) == list(again["inspections"]) == [2, 4]
    assert CALLS == [2]
    assert list(kept(doubled, _counts([1, 3]), 2)["inspections"]) == [2, 6]
    assert list(kept(doubled, _counts([1, 2]), 3)["inspections"]) == [3, 6]
    assert CALLS == [2, 2, 3]


def test_changing_what_was_returned_does_not_change_the_next_answer():
    st.cache_data.clear()
    CALLS.clear()
    answer = kept(doubled, _counts([5, 7]), 1)
    answer.loc[0, "inspections"] = -1
    assert list(kept(doubled, _counts([5, 7]), 1)["inspections"]) == [5, 7]
    assert CALLS == [1]
