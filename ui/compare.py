"""The Overview's comparisons: the period judged against its comparison, in one BH family."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from data_access.filters import Filters
from metrics.movers import bh_adjust, compare_periods
from metrics.rates import wilson_interval
from metrics.registry import METRICS_BY_NAME, Metric
from ui import cache_keys, data, periods, warehouse

FDR = 0.05


@dataclass(frozen=True)
class Windows:
    """The judged filters and the comparison filters (None when there is no earlier data)."""

    comparison: periods.Comparison
    judged: Filters
    against: Filters | None


def windows(filters: Filters, judged: str, against: str) -> Windows:
    """Return the judged and comparison filters for the view's range and the page's choices."""
    earliest, _ = data.data_span()
    data_from = periods.complete_from(earliest) if earliest else None
    spans = periods.comparison(filters.start, filters.end, judged, against, data_from)
    return Windows(
        comparison=spans,
        judged=filters.with_range(*spans.judged),
        against=filters.with_range(*spans.against) if spans.against else None,
    )


def compare(metric: Metric, spans: Windows, keys: Sequence[str]) -> pd.DataFrame:
    """Return ``compare_periods`` of the metric between the two windows per ``keys`` group,
    with the judged rate's Wilson ``lower``/``upper``; with no comparison, nothing is judged.
    """
    current = data.counts(metric, spans.judged, tuple(keys))
    previous = (
        data.counts(metric, spans.against, tuple(keys))
        if spans.against is not None
        else current.iloc[0:0]
    )
    return _compared(current, previous, tuple(keys), metric.name, warehouse.settings().min_sample)


@st.cache_data(
    ttl=warehouse.CACHE_TTL, show_spinner=False, max_entries=256, hash_funcs=cache_keys.BY_CONTENT
)
def _compared(
    current: pd.DataFrame, previous: pd.DataFrame, keys: tuple, metric_name: str, min_sample: int
) -> pd.DataFrame:
    # Cached per pair of count frames: the tests and intervals are most of a warm rerun's work.
    metric = METRICS_BY_NAME[metric_name]
    compared = compare_periods(
        current,
        previous,
        list(keys),
        metric.numerator,
        metric.denominator,
        min_sample=min_sample,
        weight_sq=metric.weight_sq,
    )
    successes, trials = _interval_counts(compared, metric)
    lower, upper = wilson_interval(successes, trials)
    return compared.assign(lower=lower, upper=upper)


def _interval_counts(compared: pd.DataFrame, metric: Metric) -> tuple[np.ndarray, np.ndarray]:
    """Return the (successes, trials) behind the judged rate's interval (Kish n if weighted)."""
    rate = compared["rate_current"].to_numpy(dtype=float)
    if metric.weighted:
        trials = compared["effective_n_current"].to_numpy(dtype=float)
        return rate * trials, trials
    return (
        compared["numerator_current"].to_numpy(dtype=float),
        compared["denominator_current"].to_numpy(dtype=float),
    )


def one_family(frames: Sequence[pd.DataFrame], fdr: float = FDR) -> list[pd.DataFrame]:
    """Return the frames with ``p_adjusted`` and ``moved`` redone over all their rows at once.

    Everything the page calls significant is one Benjamini-Hochberg family (DESIGN.md), so a
    tile and a grid cell are judged against the same bar.
    """
    sizes = [len(frame) for frame in frames]
    raw = np.concatenate(
        [np.where(frame["judged"], frame["p_value"], np.nan) for frame in frames] or [np.array([])]
    )
    adjusted = bh_adjust(raw)
    result, offset = [], 0
    for frame, size in zip(frames, sizes, strict=True):
        part = adjusted[offset : offset + size]
        offset += size
        judged = frame["judged"].to_numpy(dtype=bool)
        result.append(frame.assign(p_adjusted=part, moved=judged & (part < fdr)))
    return result
