"""Root-cause contributions on constructed counts whose answer is worked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from metrics.attribution import decompose_change, undo_change


def frame(rows: list[tuple]) -> pd.DataFrame:
    """Return counts per market (and vendor when given) from (keys..., events, volume) rows."""
    keys = ["market_code", "vendor_code"][: len(rows[0]) - 2]
    return pd.DataFrame(rows, columns=[*keys, "events", "volume"])


def headline(current: pd.DataFrame, previous: pd.DataFrame) -> float:
    return current["events"].sum() / current["volume"].sum() - (
        previous["events"].sum() / previous["volume"].sum()
    )


def test_one_market_drives_the_whole_change():
    # Three markets of 1,000; A goes from 10% to 30%, B and C stay at 10%.
    # Headline: 500/3000 - 0.1 = +6.67 pts, all of it A's rate effect: (1/3)(0.30 - 0.10).
    previous = frame([("A", 100, 1000), ("B", 100, 1000), ("C", 100, 1000)])
    current = frame([("A", 300, 1000), ("B", 100, 1000), ("C", 100, 1000)])
    parts = decompose_change(current, previous, ["market_code"], "events", "volume")
    parts = parts.set_index("market_code")
    assert parts.loc["A", "contribution"] == pytest.approx(0.2 / 3)
    assert parts.loc[["B", "C"], "contribution"].abs().max() == pytest.approx(0, abs=1e-15)
    assert parts["mix_effect"].abs().max() == pytest.approx(0, abs=1e-15)
    assert parts["contribution"].sum() == pytest.approx(headline(current, previous))
    # se of A: sqrt((1/3)^2 (0.3*0.7/1000 + 0.1*0.9/1000)) with the +0.5/+1 plug-in rates.
    p1, p0 = 300.5 / 1001, 100.5 / 1001
    se = ((p1 * (1 - p1) + p0 * (1 - p0)) / 1000) ** 0.5 / 3
    assert parts.loc["A", "contribution_se"] == pytest.approx(se, rel=1e-9)
    assert parts.loc["A", "contribution_lower"] == pytest.approx(0.2 / 3 - 1.959964 * se, abs=1e-6)
    assert parts.loc["A", "p_value"] < 1e-20
    assert parts.loc["B", "p_value"] == pytest.approx(1.0)


def test_a_pure_mix_shift_is_all_mix_effect():
    # A at 10% and B at 30% in both weeks; volume moves from 50/50 to 80/20.
    # Headline: (160 + 120)/2000 - 0.2 = -6 pts. A: (0.8 - 0.5)(0.1 - 0.2) = -3 pts;
    # B: (0.2 - 0.5)(0.3 - 0.2) = -3 pts; no rate effect anywhere.
    previous = frame([("A", 100, 1000), ("B", 300, 1000)])
    current = frame([("A", 160, 1600), ("B", 120, 400)])
    parts = decompose_change(current, previous, ["market_code"], "events", "volume")
    parts = parts.set_index("market_code")
    assert parts["rate_effect"].abs().max() == pytest.approx(0, abs=1e-15)
    assert parts.loc["A", "mix_effect"] == pytest.approx(-0.03)
    assert parts.loc["B", "mix_effect"] == pytest.approx(-0.03)
    assert parts["contribution"].sum() == pytest.approx(headline(current, previous)) == -0.06


CELLS = [("A", "V"), ("A", "W"), ("B", "V"), ("B", "W")]


def test_two_independent_causes_and_what_the_parent_explains():
    # Every market x vendor cell has 1,000 in each week at 10%. This week market A rises to
    # 30% in both its vendors (cause 1) and vendor V rises to 20% in market B (cause 2).
    # Headline: (300 + 300 + 200 + 100)/4000 - 0.1 = +12.5 pts.
    previous = frame([(*cell, 100, 1000) for cell in CELLS])
    current = frame([("A", "V", 300, 1000), ("A", "W", 300, 1000), ("B", "V", 200, 1000)])
    current = pd.concat([current, frame([("B", "W", 100, 1000)])], ignore_index=True)
    change = headline(current, previous)
    by_market = decompose_change(current, previous, ["market_code"], "events", "volume")
    markets = by_market.set_index("market_code")["contribution"]
    # A: 0.5 (0.30 - 0.10) = 10 pts; B: 0.5 (0.15 - 0.10) = 2.5 pts.
    assert markets.to_dict() == pytest.approx({"A": 0.10, "B": 0.025})
    by_vendor = decompose_change(current, previous, ["vendor_code"], "events", "volume")
    vendors = by_vendor.set_index("vendor_code")["contribution"]
    # V: 0.5 (0.25 - 0.10) = 7.5 pts; W: 0.5 (0.20 - 0.10) = 5 pts.
    assert vendors.to_dict() == pytest.approx({"V": 0.075, "W": 0.05})
    for parts in (markets, vendors):
        assert parts.sum() == pytest.approx(change) == 0.125

    # Undo A's change: W's whole contribution was A's, V keeps its own 0.5 (0.15 - 0.10).
    undone = undo_change(
        current,
        previous,
        current["market_code"] == "A",
        ["market_code", "vendor_code"],
        "events",
        "volume",
        fallback_rate=0.1,
    )
    residual = decompose_change(undone, previous, ["vendor_code"], "events", "volume")
    residual = residual.set_index("vendor_code")
    assert residual.loc["W", "contribution"] == pytest.approx(0, abs=1e-15)
    assert residual.loc["V", "contribution"] == pytest.approx(0.025)
    assert residual.loc["V", "p_value"] < 0.01 and residual.loc["W", "p_value"] > 0.5


def test_new_and_vanished_segments_still_sum_to_the_headline():
    # C is new this week at 50%; B vanished. pbar0 = 0.2; C's rate effect (0.25)(0.5 - 0.2).
    previous = frame([("A", 100, 1000), ("B", 300, 1000)])
    current = frame([("A", 150, 1500), ("C", 250, 500)])
    parts = decompose_change(current, previous, ["market_code"], "events", "volume")
    parts = parts.set_index("market_code")
    assert parts["contribution"].sum() == pytest.approx(headline(current, previous))
    assert parts.loc["C", "contribution"] == pytest.approx(0.25 * 0.3)
    assert parts.loc["B", "rate_effect"] == 0 and parts.loc["B", "mix_effect"] == pytest.approx(
        -0.5 * 0.1
    )
