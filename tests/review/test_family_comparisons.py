"""The review's comparisons, computed for all families at once, against ``compare_periods``.

``metrics.movers.compare_periods`` is checked against hand computations and published values
in ``tests/metrics``; here it is the reference, called family by family and comparison by
comparison the straightforward way, on random weekly counts with segments missing from one
side, zero denominators, and rows without a key.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metrics.movers import MOVER_COLUMNS, compare_periods
from metrics.rates import wilson_interval
from metrics.registry import METRICS_BY_NAME
from review.weekly import (
    FAMILIES,
    HEADLINE_METRICS,
    METRIC_FAMILIES,
    QUERY_KEYS,
    SEGMENT_KEYS,
    _compare_families,
)

WEEKS = pd.date_range("2026-08-03", periods=14, freq="7D")
MARKS = {"current": WEEKS[-1], "previous": WEEKS[-2], "baseline": WEEKS[1]}
COLUMNS = {
    "inspections": ("correct", "inspections", "over_enforced", "rejections_inspected"),
    "appeals": ("overturned", "resolved"),
    "penalties": ("penalties", "rejections"),
}
VALUES = {
    "market_code": ["DE", "FR", "JP"],
    "policy_area": ["listing", "content"],
    "label_code": ["L1", "L2", "L3", "L4"],
    "vendor_code": ["V1", "V2", "V3"],
    "moderator_id": ["m01", "m02", "m03", "m04", "m05"],
}


def _counts(rng: np.random.Generator, keys: tuple[str, ...], columns) -> pd.DataFrame:
    """Return weekly counts per key: some segment-weeks missing, some tiny, some without a key."""
    index = pd.MultiIndex.from_product([WEEKS, *(VALUES[key] for key in keys)])
    frame = index.to_frame(index=False, name=["period", *keys])
    frame = frame[rng.random(len(frame)) < 0.8].reset_index(drop=True)
    for numerator, denominator in zip(columns[::2], columns[1::2], strict=True):
        trials = rng.choice([0, 3, 40, 200], size=len(frame))
        frame[denominator] = trials
        frame[numerator] = rng.binomial(trials, rng.uniform(0.05, 0.95, size=len(frame)))
    # The warehouse's rows with no label or vendor: never a segment.
    frame.loc[rng.random(len(frame)) < 0.05, keys[0]] = None
    return frame


def _frames(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {
        (source, keys): _counts(rng, keys, columns)
        for source, columns in COLUMNS.items()
        for keys in set(QUERY_KEYS.values())
    }


def _reference(frames: dict, min_sample: int) -> pd.DataFrame:
    """Return the comparisons as compare_periods gives them, one call per comparison."""
    parts = []
    for name in HEADLINE_METRICS:
        metric = METRICS_BY_NAME[name]
        for family in METRIC_FAMILIES[name]:
            keys = list(FAMILIES[family])
            frame = frames[(metric.source, QUERY_KEYS[family])]
            frame = frame.dropna(subset=keys) if keys else frame
            period = frame["period"]
            current = frame[period == MARKS["current"]]
            sides = {
                "previous": frame[period == MARKS["previous"]],
                "baseline": frame[(period >= MARKS["baseline"]) & (period < MARKS["current"])],
            }
            for comparison, earlier in sides.items():
                compared = compare_periods(
                    current,
                    earlier,
                    keys,
                    metric.numerator,
                    metric.denominator,
                    min_sample=min_sample,
                )
                compared = compared[compared["denominator_current"] > 0]
                lower, upper = wilson_interval(
                    compared["numerator_current"], compared["denominator_current"]
                )
                segment = [
                    " · ".join(map(str, row)) if keys else "overall"
                    for row in compared[keys].itertuples(index=False)
                ]
                parts.append(
                    compared.assign(
                        comparison=comparison,
                        metric=name,
                        family=family,
                        segment=segment,
                        lower_current=lower,
                        upper_current=upper,
                    )
                )
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("seed", range(6))
def test_all_families_at_once_equal_compare_periods_family_by_family(seed):
    frames = _frames(seed)
    expected = _reference(frames, min_sample=30)
    got = _compare_families(frames, MARKS, min_sample=30)

    assert len(got) == len(expected) > 60
    # Same rows in the same order: compare_periods' ranking within each family.
    for column in ("metric", "family", "comparison", "segment"):
        assert got[column].tolist() == expected[column].tolist(), column
    for key in SEGMENT_KEYS:
        wanted = expected[key] if key in expected.columns else pd.Series(None, index=got.index)
        assert got[key].tolist() == [None if pd.isna(v) else v for v in wanted.tolist()], key
    # Every number compare_periods gives but the per-call BH (the review runs it page-wide).
    numbers = [
        *(column for column in MOVER_COLUMNS if column not in ("p_adjusted", "moved")),
        "lower_current",
        "upper_current",
    ]
    pd.testing.assert_frame_equal(got[numbers], expected[numbers], check_dtype=False)
    assert got["numerator_current"].dtype == "int64"
    # The random counts give both judged and unjudged comparisons.
    assert got["judged"].any() and not got["judged"].all()
