"""The seeded stratified draw: known probabilities, reproducible, floors honoured."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrics.selection import draw_sample, sampling_design, selected

KEYS = ("market_code", "policy_area")


def frame_of(groups: dict[tuple[str, str, str | None], int]) -> pd.DataFrame:
    """Return a decision frame with the given count per (market, policy area, moderator)."""
    rows, next_id = [], 1
    for (market, area, moderator), count in groups.items():
        for _ in range(count):
            rows.append((next_id, market, area, moderator))
            next_id += 1
    return pd.DataFrame(rows, columns=["decision_id", "market_code", "policy_area", "moderator_id"])


def plan(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[*KEYS, "inspections"])


def test_probabilities_follow_the_plan_and_an_unplanned_stratum_keeps_a_small_chance():
    frame = frame_of({("SG", "ipr", "M1"): 10, ("US", "listing", "M2"): 1000})
    draw = draw_sample(frame, plan([("SG", "ipr", 4)]), keys=KEYS, seed=7)
    sample = draw.sample
    # SG: 4 of 10 -> pi 0.4, weight 2.5. US has no plan: ceil(0.005 x 1000) = 5 -> pi 0.005.
    by_market = sample.groupby("market_code").agg(
        n=("decision_id", "size"), pi=("inclusion_probability", "first")
    )
    assert by_market.loc["SG"].tolist() == [4, 0.4]
    assert by_market.loc["US"].tolist() == [5, 0.005]
    assert sample.loc[sample["market_code"] == "US", "sampling_weight"].eq(200).all()
    assert draw.design.set_index("market_code")["topped_up"].to_dict() == {"SG": 0, "US": 5}


def test_weights_add_up_to_the_number_of_decisions():
    # Horvitz-Thompson total of 1: n_c x N_c / n_c per cell, so exactly N.
    frame = frame_of({("A", "x", "M1"): 37, ("A", "x", "M2"): 21, ("B", "y", None): 250})
    sample = draw_sample(frame, plan([("A", "x", 9), ("B", "y", 13)]), keys=KEYS, seed=1).sample
    assert sample["sampling_weight"].sum() == pytest.approx(len(frame))
    assert len(sample) == 22


def test_the_same_seed_draws_the_same_sample_whatever_the_row_order():
    frame = frame_of({("A", "x", "M1"): 300, ("B", "y", "M2"): 200})
    allocation = plan([("A", "x", 30), ("B", "y", 10)])
    first = draw_sample(frame, allocation, keys=KEYS, seed=42).sample["decision_id"]
    shuffled = frame.sample(frac=1, random_state=3)
    again = draw_sample(shuffled, allocation, keys=KEYS, seed=42).sample["decision_id"]
    other = draw_sample(frame, allocation, keys=KEYS, seed=43).sample["decision_id"]
    assert sorted(first) == sorted(again)
    assert sorted(first) != sorted(other)


def test_moderator_floors_become_cells_with_their_own_probability():
    # One stratum: M1 50 decisions, M2 45, 5 automated (no moderator); plan 10, floor 2.
    # Cells M1 (floor 2), M2 (floor 2), rest (floor 1): proportional 10 x 50/95... with the
    # rest held at 1: 9 x 50/95 = 4.737, 9 x 45/95 = 4.263 -> largest remainder 5, 4, 1.
    frame = frame_of({("A", "x", "M1"): 50, ("A", "x", "M2"): 45, ("A", "x", None): 5})
    draw = draw_sample(frame, plan([("A", "x", 10)]), keys=KEYS, seed=5, moderator_floor=2)
    counts = draw.sample.groupby(draw.sample["moderator_id"].fillna("automated")).agg(
        n=("decision_id", "size"), pi=("inclusion_probability", "first")
    )
    assert counts["n"].to_dict() == {"M1": 5, "M2": 4, "automated": 1}
    assert counts["pi"].to_dict() == pytest.approx({"M1": 0.1, "M2": 4 / 45, "automated": 0.2})


def test_floors_above_the_plan_raise_the_stratum_and_say_so():
    # Floors 3 (M1) + 3 (M2) + 1 (M3 has one decision) = 7 > plan 4: the stratum draws 7
    # and reports 3 topped up.
    frame = frame_of({("A", "x", "M1"): 40, ("A", "x", "M2"): 40, ("A", "x", "M3"): 1})
    draw = draw_sample(frame, plan([("A", "x", 4)]), keys=KEYS, seed=2, moderator_floor=3)
    (row,) = draw.design.to_dict("records")
    assert (row["planned"], row["drawn"], row["topped_up"]) == (4, 7, 3)


def test_each_decision_is_drawn_about_as_often_as_its_probability_says():
    frame = frame_of({("A", "x", "M1"): 12, ("B", "y", "M2"): 30})
    design = sampling_design(frame, plan([("A", "x", 3), ("B", "y", 15)]), keys=KEYS)
    hits = np.zeros(len(frame))
    draws = 2000
    for seed in range(draws):
        hits += selected(design, seed)
    expected = design.units["inclusion_probability"].to_numpy()  # 0.25 and 0.5
    # Binomial(2000, 0.25) sd = 19.4 draws: within 5 sd of 500 for each of 42 decisions.
    assert np.all(np.abs(hits - draws * expected) <= 5 * np.sqrt(draws * expected * (1 - expected)))


def test_a_frame_without_the_stratum_columns_is_refused():
    with pytest.raises(ValueError, match="no policy_area column"):
        draw_sample(
            pd.DataFrame({"decision_id": [1], "market_code": ["A"]}),
            plan([("A", "x", 1)]),
            keys=KEYS,
            seed=1,
        )


@given(
    groups=st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C"]),
            st.sampled_from(["M1", "M2", "M3", None]),
            st.integers(1, 40),
        ),
        min_size=1,
        max_size=8,
    ),
    planned=st.lists(st.integers(0, 30), min_size=3, max_size=3),
    moderator_floor=st.integers(0, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_every_decision_has_a_chance_and_the_weights_add_up(groups, planned, moderator_floor, seed):
    counts: dict[tuple[str, str, str | None], int] = {}
    for market, moderator, count in groups:
        counts[(market, "x", moderator)] = counts.get((market, "x", moderator), 0) + count
    frame = frame_of(counts)
    allocation = plan([(market, "x", n) for market, n in zip("ABC", planned, strict=True)])
    design = sampling_design(frame, allocation, keys=KEYS, moderator_floor=moderator_floor)
    units = design.units
    assert (units["inclusion_probability"] > 0).all()
    assert (units["inclusion_probability"] <= 1).all()
    chosen = selected(design, seed)
    weights = 1 / units["inclusion_probability"].to_numpy()
    assert weights[chosen].sum() == pytest.approx(len(frame))
    drawn = design.strata.set_index("market_code")["drawn"]
    by_market = units.loc[chosen, "market_code"].value_counts()
    assert by_market.reindex(drawn.index, fill_value=0).tolist() == drawn.tolist()
