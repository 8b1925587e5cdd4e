"""KPI tiles: a metric for the selected period, its change, and a mark only when significant."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from metrics.movers import compare_periods
from metrics.registry import METRICS_BY_NAME
from ui import boundary, data, warehouse
from ui.links import View

OVERVIEW_TILES = ("accuracy", "over_enforcement_rate", "overturn_rate", "penalty_rate")


def _percent(value: float) -> str:
    return "–" if value != value else f"{value:.1%}"  # NaN != NaN


def _marker(significant: bool, judged: bool) -> str | None:
    """Return the tile's note: a mark for a significant change, nothing for noise."""
    if not judged:
        return f"too few to judge (under {warehouse.settings().min_sample})"
    return "● significant change" if significant else None


@boundary.guard("the headline tiles")
def kpi_tiles(view: View, names: Sequence[str] = OVERVIEW_TILES) -> None:
    """Draw one tile per metric: rate, change against the previous period, weekly sparkline."""
    filters = view.filters
    previous = filters.previous_period()
    min_sample = warehouse.settings().min_sample
    for column, name in zip(st.columns(len(names)), names, strict=True):
        metric = METRICS_BY_NAME[name]
        comparison = compare_periods(
            data.counts(metric, filters, ()),
            data.counts(metric, previous, ()),
            [],
            metric.numerator,
            metric.denominator,
            min_sample=min_sample,
        ).iloc[0]
        trend = data.rates(metric, filters, ("period",))
        change = comparison["difference"]
        significant = bool(comparison["moved"])
        nouns = data.nouns(metric)
        help_text = (
            f"{comparison['numerator_current']:,} {nouns['numerator_label']} of "
            f"{comparison['denominator_current']:,} {nouns['denominator_label']}; previous "
            f"period ({previous.start:%d %b} – {previous.end:%d %b}): "
            f"{_percent(comparison['rate_previous'])}. The change is marked only when a "
            "two-proportion test finds it significant (5% false-discovery rate)."
        )
        with column:
            st.metric(
                metric.label,
                _percent(comparison["rate_current"]),
                delta=None if change != change else f"{change * 100:+.1f} pts",
                delta_color=("normal" if metric.higher_is_better else "inverse")
                if significant
                else "off",
                delta_description=_marker(significant, bool(comparison["judged"])),
                help=help_text,
                border=True,
                chart_data=[rate for rate in trend["rate"] if rate == rate] or None,
                chart_type="line",
            )
