"""Overview: what got worse? The period judged against its comparison, by market and policy."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

import charts
from charts.change import change_heatmap, mark_comparison
from metrics.registry import METRICS, METRICS_BY_NAME
from ui import (
    actions,
    auth,
    compare,
    data,
    downloads,
    figures,
    filters,
    glossary,
    names,
    periods,
    tiles,
    warehouse,
)
from ui.links import Choice
from ui.names import describe_filters
from ui.shell import require_app_navigation

TREND_MARKETS = 6
GRID_TABLE_KEY = "overview-grid-table"
CELL_SEPARATOR = "."
METRIC_CHOICE = Choice(
    key="metric",
    allowed=tuple(metric.name for metric in METRICS),
    default="accuracy",
    noun="metric",
    label="Metric",
    names={metric.name: metric.label for metric in METRICS},
)
JUDGED_CHOICE = Choice(
    key="judge",
    allowed=tuple(periods.JUDGED),
    default="week",
    noun="period to judge",
    label="Period judged",
    names=periods.JUDGED,
)
AGAINST_CHOICE = Choice(
    key="against",
    allowed=tuple(periods.AGAINST),
    default="trailing",
    noun="comparison",
    label="Compared with",
    names=periods.AGAINST,
)


def cell_choice() -> Choice:
    """Return the clicked-cell choice, accepting only known market.policy-area pairs."""
    _, known = filters.known_values()

    def known_cell(value: str) -> bool:
        market, _, policy = value.partition(CELL_SEPARATOR)
        return market in known["markets"] and policy in known["policy_areas"]

    return Choice(key="cell", allowed=known_cell, default="", noun="market and policy area")


def pick_cell(chart_key: str):
    """Return an ``on_select`` callback putting the clicked grid cell into the link."""

    def _picked() -> None:
        event = st.session_state.get(chart_key)
        points = event.selection.points if event else []
        cells = [point.get("customdata") for point in points if point.get("customdata")]
        if cells:
            market, policy = cells[0][:2]
            filters.set_choice("cell", f"{market}{CELL_SEPARATOR}{policy}")

    return _picked


@warehouse.guarded
def overview() -> None:
    """Draw the Overview page."""
    view = filters.sidebar(
        dimensions=("markets", "policy_areas"),
        choices=[METRIC_CHOICE, JUDGED_CHOICE, AGAINST_CHOICE, cell_choice()],
    )
    metric = METRICS_BY_NAME[view.choices["metric"]]
    market_names, policy_names = names.markets(), names.policy_areas()
    st.title("Overview")
    spans = compare.windows(view.filters, view.choices["judge"], view.choices["against"])
    st.caption(
        f"{spans.comparison.describe()} · {describe_filters(view.filters, dates=False)}",
        help=glossary.help_for("decision_cohort", "complete_period"),
    )

    tile_metrics = [METRICS_BY_NAME[name] for name in tiles.OVERVIEW_TILES]
    tile_rows = [compare.compare(tile_metric, spans, ()) for tile_metric in tile_metrics]
    grid = compare.compare(metric, spans, ("market_code", "policy_area"))
    *tile_rows, grid = compare.one_family([*tile_rows, grid])
    tiles.comparison_tiles(
        tile_metrics, [frame.iloc[0] for frame in tile_rows], spans, view.filters
    )

    if grid.empty or grid["denominator_current"].sum() == 0:
        judged = periods.describe_span(*spans.comparison.judged)
        st.info(
            f"No data for {describe_filters(view.filters)} in the period judged ({judged}). "
            "Widen the dates or the filters."
        )
        return
    if spans.against is None:
        st.info(
            f"There is no earlier data to compare {describe_filters(spans.judged)} with, so "
            "nothing is judged. Choose a later period, or compare with the period just before."
        )
        trend(view, metric, spans, grid, market_names, policy_names)
        return
    worse_side = "falls" if metric.higher_is_better else "rises"
    st.subheader(f"What changed: {metric.label.lower()} by market and policy area")
    st.caption(
        f"Coloured only where the change is significant (red where {metric.label.lower()} "
        f"{worse_side}); grey: no significant change; white with n=…: too few to judge.",
        help=glossary.help_for("significant", "points", "min_sample"),
    )
    against_label = (
        "the 12 periods before" if view.choices["against"] == "trailing" else "the period before"
    )
    st.plotly_chart(
        figures.built(
            change_heatmap,
            grid,
            metric_label=metric.label,
            higher_is_better=metric.higher_is_better,
            row_names=market_names,
            column_names=policy_names,
            against_label=against_label.capitalize(),
        ),
        key="overview-grid",
        on_select=pick_cell("overview-grid"),
        selection_mode="points",
        theme=None,
    )
    changes_table(grid, metric, market_names, policy_names, spans)
    trend(view, metric, spans, grid, market_names, policy_names)


def changes_table(grid, metric, market_names, policy_names, spans) -> None:
    """Show the grid as a table of names (codes in the CSV): level, interval, change, verdict."""
    # Built only when opened (a click reruns from the cache): the table's grid is code the
    # browser would otherwise load and lay out, hidden, on every visit.
    expander = st.expander("The grid as a table", key=GRID_TABLE_KEY, on_change="rerun")
    if not expander.open:
        return
    shown = pd.DataFrame(
        {
            "Market": grid["market_code"].map(market_names),
            "Policy area": grid["policy_area"].map(policy_names),
            metric.label: grid["rate_current"] * 100,
            # Compact forms leave the grid slack at 1024 px, where it sits in an expander.
            "95% interval": [
                f"{low * 100:.1f}–{high:.1%}" if low == low else "–"
                for low, high in zip(grid["lower"], grid["upper"], strict=True)
            ],
            "Change (pts)": grid["difference"] * 100,
            "Verdict": [
                "significant" if moved else ("not significant" if judged else "too few")
                for moved, judged in zip(grid["moved"], grid["judged"], strict=True)
            ],
        }
    )
    with expander:
        st.dataframe(
            shown,
            hide_index=True,
            column_config={
                metric.label: st.column_config.NumberColumn(format="%.1f%%"),
                "Change (pts)": st.column_config.NumberColumn(format="%+.1f"),
            },
        )
        downloads.csv_button(
            grid.assign(
                market_name=grid["market_code"].map(market_names),
            ),
            "Download this table (CSV)",
            file_name=f"{metric.name}_change_{spans.judged.start}_{spans.judged.end}.csv",
            key="download-overview-grid",
        )


def trend_figure(
    shown: pd.DataFrame,
    metric_name: str,
    market_names: dict[str, str],
    judged: tuple,
    against_rate: float | None,
    against_label: str,
    marks: pd.DataFrame,
):
    """Return the trend figure: rates by market, the comparison line, the recorded actions."""
    metric = METRICS_BY_NAME[metric_name]
    figure = charts.rate_trend(
        shown,
        colour_by="market_code",
        metric_label=metric.label,
        immature="immature" if metric.source == "appeals" else None,
        names=market_names,
        **data.nouns(metric),
    )
    mark_comparison(figure, judged, against_rate, against_label=against_label)
    return charts.add_action_marks(figure, marks)


def trend(view, metric, spans, grid, market_names, policy_names) -> None:
    """Draw the trend: the clicked cell against its comparison, or the largest markets."""
    cell = view.choices.get("cell", "")
    trend_filters = view.filters
    if cell:
        market, _, policy = cell.partition(CELL_SEPARATOR)
        trend_filters = replace(view.filters, markets=(market,), policy_areas=(policy,))
        heading = f"{metric.label}: {market_names.get(market, market)} · "
        heading += policy_names.get(policy, policy)
        st.subheader(heading)
        if st.button("Show all markets", key="clear-cell", icon=":material/close:"):
            filters.set_choice("cell", "")
            st.rerun()
    else:
        st.subheader(f"{metric.label} by market")
    by_market = data.rates(metric, trend_filters, ("period", "market_code"))
    if by_market.empty or by_market["denominator"].sum() == 0:
        st.info(f"No data for {describe_filters(trend_filters)}.")
        return
    shown = by_market
    if not trend_filters.markets:
        largest = (
            by_market.groupby("market_code")["denominator"].sum().nlargest(TREND_MARKETS).index
        )
        shown = by_market[by_market["market_code"].isin(largest)]
        if len(largest) < by_market["market_code"].nunique():
            st.caption(
                f"The {TREND_MARKETS} largest markets by volume, the largest with its 95% "
                "interval; click a grid cell, or choose markets in the sidebar, for others."
            )
    shown = data.mark_immature(shown, trend_filters.grain)
    against_rate = None
    if cell:
        # The cell's own comparison rate: the line the judged weeks are measured against.
        market, _, policy = cell.partition(CELL_SEPARATOR)
        row = grid[(grid["market_code"] == market) & (grid["policy_area"] == policy)]
        if not row.empty and row["denominator_previous"].iloc[0] > 0:
            against_rate = float(row["rate_previous"].iloc[0])
    if spans.against is not None and not cell:
        overall = compare.compare(metric, spans, ())
        if overall["denominator_previous"].iloc[0] > 0:
            against_rate = float(overall["rate_previous"].iloc[0])
    # Recorded actions are marked on the trend; clicking one opens it (ui.actions, #14).
    st.plotly_chart(
        figures.built(
            trend_figure,
            shown,
            metric.name,
            market_names,
            spans.comparison.judged,
            against_rate,
            "Comparison" + ("" if cell else f", {auth.all_markets_words()}"),
            actions.action_marks(trend_filters),
        ),
        key="overview-trend",
        on_select="rerun",
        selection_mode="points",
        theme=None,
    )
    actions.open_clicked_action("overview-trend", trend_filters)


require_app_navigation()
overview()
