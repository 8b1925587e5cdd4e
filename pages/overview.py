"""Overview: market-level quality for managers — KPI tiles, trend by market, market x policy."""

from __future__ import annotations

import streamlit as st

import charts
from metrics.registry import METRICS, METRICS_BY_NAME
from ui import data, downloads, figures, filters, tiles, warehouse
from ui.links import Choice, describe_filters
from ui.shell import require_app_navigation

TREND_MARKETS = 6
METRIC_CHOICE = Choice(
    key="metric",
    allowed=tuple(metric.name for metric in METRICS),
    default="accuracy",
    noun="metric",
    label="Metric",
    names={metric.name: metric.label for metric in METRICS},
)


@warehouse.guarded
def overview() -> None:
    """Draw the Overview page."""
    view = filters.sidebar(
        dimensions=("markets", "policy_areas"),
        choices=[METRIC_CHOICE],
    )
    metric = METRICS_BY_NAME[view.choices["metric"]]
    st.title("Overview")
    st.caption(f"{describe_filters(view.filters)} · rates by decision cohort, 95% Wilson intervals")

    tiles.kpi_tiles(view)

    by_market = data.rates(metric, view.filters, ("period", "market_code"))
    if by_market.empty or by_market["denominator"].sum() == 0:
        st.info(f"No data for {describe_filters(view.filters)}. Widen the dates or the filters.")
        return
    shown = by_market
    if not view.filters.markets:
        largest = (
            by_market.groupby("market_code")["denominator"].sum().nlargest(TREND_MARKETS).index
        )
        shown = by_market[by_market["market_code"].isin(largest)]
    shown = data.mark_immature(shown, view.filters.grain)
    st.subheader(f"{metric.label} by market")
    if len(shown["market_code"].unique()) < by_market["market_code"].nunique():
        st.caption(
            f"The {TREND_MARKETS} largest markets by volume; choose markets in the sidebar to "
            "compare others."
        )
    st.plotly_chart(
        figures.cached(
            charts.rate_trend,
            shown,
            colour_by="market_code",
            metric_label=metric.label,
            immature="immature" if metric.source == "appeals" else None,
            **data.nouns(metric),
        ),
        key="overview-trend",
    )

    st.subheader(f"{metric.label} by market and policy area")
    grid = data.rates(metric, view.filters, ("market_code", "policy_area"))
    st.plotly_chart(
        figures.cached(
            charts.rate_heatmap,
            grid,
            rows="market_code",
            columns="policy_area",
            metric_label=metric.label,
            higher_is_better=metric.higher_is_better,
            **data.nouns(metric),
        ),
        key="overview-heatmap",
    )
    min_sample = warehouse.settings().min_sample
    st.caption(f"Grey cells have fewer than {min_sample} in the denominator and are not judged.")
    downloads.rate_table(
        grid,
        keys={"market_code": "Market", "policy_area": "Policy area"},
        metric=metric,
        file_stem=f"{metric.name}_by_market_policy_{view.filters.start}_{view.filters.end}",
    )


require_app_navigation()
overview()
