"""Penalties: penalty and reversal rates over time by market, policy area or penalty type, the
mix of penalty types, points per penalty, and penalties reversed after an overturned appeal."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

import charts
from charts import palette
from charts.appeals import shade_immature
from charts.penalties import points_histogram
from data_access import queries
from data_access.filters import Filters
from metrics.rates import metric_rates, with_interval
from metrics.registry import METRICS_BY_NAME
from ui import actions, boundary, data, downloads, figures, filters, glossary, sections, warehouse
from ui import names as naming
from ui.links import Choice
from ui.names import describe_filters
from ui.report_tables import report_table
from ui.shell import require_app_navigation

PENALTY_RATE = METRICS_BY_NAME["penalty_rate"]
REVERSAL_RATE = METRICS_BY_NAME["penalty_reversal_rate"]
DIMENSIONS = ("markets", "policy_areas", "labels", "queues")
TREND_GROUPS = 6
MAX_POINT_BINS = 30
BREAKDOWN_NAMES = {
    "market_code": "Market",
    "policy_area": "Policy area",
    "penalty_type": "Penalty type",
}
BREAKDOWN_CHOICE = Choice(
    key="breakdown",
    allowed=tuple(BREAKDOWN_NAMES),
    default="market_code",
    noun="breakdown of penalties",
    label="Break penalties down by",
    names=BREAKDOWN_NAMES,
)
AFTER_OVERTURN_LABEL = "Reversed after an overturned appeal"
# Below the tiles: one section at a time, the open one in the link (ui.sections).
SECTIONS = sections.choice(
    "section",
    {"trend": "Trend", "mix": "Types and points", "overturn": "Reversed after overturn"},
)


def _percent(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:.1%}"


def trend_rates(chosen: Filters, breakdown: str) -> dict[str, pd.DataFrame]:
    """Return penalty and reversal rates per period and breakdown group.

    Per penalty type, the penalty rate is that type's penalties over all the period's
    rejections, so the types' rates add up to the overall penalty rate.
    """
    min_sample = warehouse.settings().min_sample
    if breakdown != "penalty_type":
        return {
            metric.name: data.rates(metric, chosen, ("period", breakdown))
            for metric in (PENALTY_RATE, REVERSAL_RATE)
        }
    by_type = warehouse.query(queries.penalty_counts, chosen, ("period", "penalty_type"))
    rejections = warehouse.query(queries.decision_counts, chosen, ("period",))
    by_type = by_type.merge(rejections[["period", "rejections"]], on="period", how="left")
    return {
        metric.name: metric_rates(by_type, metric, min_sample=min_sample)
        for metric in (PENALTY_RATE, REVERSAL_RATE)
    }


def largest_groups(frame: pd.DataFrame, group: str, chosen: Filters) -> pd.DataFrame:
    """Return the rows of the largest markets by volume, unless markets were chosen."""
    if group != "market_code" or chosen.markets or frame.empty:
        return frame
    largest = frame.groupby(group)["denominator"].sum().nlargest(TREND_GROUPS).index
    return frame[frame[group].isin(largest)]


@boundary.guard("the penalty totals")
def tiles(totals: pd.DataFrame) -> None:
    """Draw the selection's penalties, rates and the penalties reversed after an overturn."""
    min_sample = warehouse.settings().min_sample
    row = totals.iloc[0]
    after = with_interval(totals, "reversed_after_overturn", "penalties").iloc[0]
    # Two rows of two: four tiles side by side cut their labels on a 1024 px laptop.
    columns = [*st.columns(2), *st.columns(2)]
    columns[0].metric(
        "Penalties",
        f"{int(row['penalties']):,}",
        help=f"Penalties on the {int(row['rejections']):,} rejections decided in these dates.",
        border=True,
    )
    for column, metric in zip(columns[1:3], (PENALTY_RATE, REVERSAL_RATE), strict=True):
        rate = metric_rates(totals, metric, min_sample=min_sample).iloc[0]
        nouns = data.nouns(metric)
        column.metric(
            metric.label,
            _percent(rate["rate"]),
            help=(
                f"{rate['numerator']:,} {nouns['numerator_label']} of {rate['denominator']:,} "
                f"{nouns['denominator_label']}; 95% interval {_percent(rate['lower'])} – "
                f"{_percent(rate['upper'])}."
            ),
            border=True,
        )
    columns[3].metric(
        AFTER_OVERTURN_LABEL,
        f"{int(row['reversed_after_overturn']):,} · {_percent(after['rate'])}",
        help=(
            "Penalties reversed on decisions whose appeal was overturned, and their share of "
            f"all {int(row['penalties']):,} penalties (95% interval {_percent(after['lower'])} "
            f"– {_percent(after['upper'])}): the cost of wrong enforcement. "
            f"{int(row['reversed']):,} penalties were reversed in all."
        ),
        border=True,
    )


def trend_figure(shown: pd.DataFrame, metric_name: str, breakdown: str):
    """Return a penalty or reversal rate's trend by group; immature reversal cohorts shaded."""
    metric = METRICS_BY_NAME[metric_name]
    reversal = metric_name == REVERSAL_RATE.name
    trend = charts.rate_trend(
        shown,
        colour_by=breakdown,
        metric_label=metric.label,
        immature="immature" if reversal else None,
        **data.nouns(metric),
    )
    return shade_immature(trend, shown) if reversal else trend


@boundary.guard("the penalty trend")
def trend_section(chosen: Filters, breakdown: str) -> None:
    """Draw penalty rate and reversal rate over time, one line per breakdown group."""
    noun = BREAKDOWN_NAMES[breakdown].lower()
    st.subheader(f"Penalty rate and reversal rate by {noun}")
    rates = trend_rates(chosen, breakdown)
    columns = st.columns(2)
    for column, metric in zip(columns, (PENALTY_RATE, REVERSAL_RATE), strict=True):
        shown = largest_groups(rates[metric.name], breakdown, chosen)
        if metric is REVERSAL_RATE:
            shown = data.mark_immature(shown, chosen.grain)
        # The chart's name goes above it, not in it: a legend of several rows would run into
        # a title drawn inside the figure.
        column.markdown(f"**{metric.label} by {noun}**")
        key = f"penalties-trend-{metric.name}"
        column.plotly_chart(
            figures.named(
                trend_figure, shown, metric.name, breakdown, marks=actions.action_marks(chosen)
            ),
            key=key,
            on_select="rerun",
            selection_mode="points",
            theme=None,
        )
        actions.open_clicked_action(key, chosen)
    notes = []
    if breakdown == "penalty_type":
        notes.append("A type's penalty rate is its penalties per rejection; the types add up.")
    if breakdown == "market_code" and not chosen.markets:
        notes.append(
            f"The {TREND_GROUPS} markets with most rejections; choose markets in the sidebar "
            "to compare others."
        )
    window = warehouse.settings().appeal_window_days
    notes.append(
        "Shaded, faded reversal-rate points are cohorts younger than the "
        f"{window}-day appeal window: penalties are reversed after appeals resolve, so these "
        "rates will still rise."
    )
    glossary.caption(" ".join(notes))


@boundary.guard("the mix of penalty types")
def mix_section(chosen: Filters, breakdown: str) -> None:
    """Draw the mix of penalty types per market (or policy area) and the points histogram."""
    group = "policy_area" if breakdown == "policy_area" else "market_code"
    noun = BREAKDOWN_NAMES[group].lower()
    counts = warehouse.query(queries.penalty_counts, chosen, (group, "penalty_type"))
    wide = counts.pivot_table(
        index=group, columns="penalty_type", values="penalties", aggfunc="sum", fill_value=0
    )
    # Every contract type keeps its place (and so its colour) even when a selection has none.
    types = [*palette.PENALTY_TYPES, *sorted(set(wide.columns) - set(palette.PENALTY_TYPES))]
    wide = wide.reindex(columns=types, fill_value=0)
    left, right = st.columns(2)
    with left:
        st.subheader(f"Mix of penalty types by {noun}")
        st.plotly_chart(
            figures.named(
                charts.stacked_share_bars, wide.reset_index(), category=group, parts=types
            ),
            key="penalties-mix",
            theme=None,
        )
    with right:
        st.subheader("Points per penalty")
        bin_width, points = points_bins(chosen)
        st.plotly_chart(
            figures.named(points_histogram, points, bin_width=bin_width),
            key="penalties-points",
            theme=None,
        )
        glossary.caption(
            "Penalties that carry points, by points given; red is the part later reversed."
        )


def points_bins(chosen: Filters) -> tuple[int, pd.DataFrame]:
    """Return the bin width and the points histogram, one-point bins unless that is too many."""
    points = warehouse.query(queries.penalty_points_distribution, chosen, ())
    if len(points) <= MAX_POINT_BINS:
        return 1, points
    width = math.ceil((points["points_from"].max() + 1) / MAX_POINT_BINS)
    return width, warehouse.query(queries.penalty_points_distribution, chosen, (), bin_width=width)


@boundary.guard("penalties after an overturn")
def after_overturn_section(chosen: Filters) -> None:
    """Draw the share of penalties reversed after an overturned appeal, per market."""
    st.subheader("Penalties reversed after an overturned appeal, by market")
    min_sample = warehouse.settings().min_sample
    counts = warehouse.query(queries.penalty_counts, chosen, ("market_code",))
    shares = with_interval(
        counts, "reversed_after_overturn", "penalties", min_sample=min_sample
    ).assign(numerator=counts["reversed_after_overturn"], denominator=counts["penalties"])
    left, right = st.columns(2)
    left.plotly_chart(
        figures.named(
            charts.rate_bars,
            shares,
            category="market_code",
            metric_label="Share reversed after overturn",
            numerator_label="reversed after overturn",
            denominator_label="penalties",
        ),
        key="penalties-after-overturn",
        theme=None,
    )
    with right:
        after_overturn_table(shares, chosen)
        glossary.caption(
            "Each is a seller penalised for a decision that the appeal found wrong. Share: of "
            f"the market's penalties, with its 95% interval. Grey bars have fewer than "
            f"{min_sample} penalties and are not ranked."
        )


def after_overturn_table(shares: pd.DataFrame, chosen: Filters) -> None:
    """Show per market the penalties, reversals and the share after an overturn, with a CSV."""
    table = shares[
        [
            "market_code",
            "penalties",
            "reversed",
            "reversed_after_overturn",
            "rate",
            "lower",
            "upper",
        ]
    ].rename(
        columns={
            "market_code": "Market",
            "penalties": "Penalties",
            "reversed": "Reversed",
            "reversed_after_overturn": "After overturn",
            "rate": "Share",
            "lower": "CI low",
            "upper": "CI high",
        }
    )
    # On screen: the share, its interval in one column and its base, so the table fits its
    # half-width panel at 1024 px; the counts of reversals stay in the hover of the chart and
    # in the CSV.
    interval = (
        (table["CI low"] * 100).map("{:.1f}".format)
        + "–"
        + (table["CI high"] * 100).map("{:.1f}%".format)
    ).where(table["CI low"].notna(), "–")
    # In the chart's order: the largest share first.
    order = table["Share"].sort_values(ascending=False, na_position="last").index
    shown = pd.DataFrame(
        {
            "Market": table["Market"],
            "Share": table["Share"].map(lambda share: "–" if pd.isna(share) else f"{share:.1%}"),
            "95% CI": interval,
            "Penalties": table["Penalties"],
        }
    )
    # A static table: its cells wrap, so it fits the half-width panel at any width.
    report_table(naming.readable_table(shown.loc[order]))
    downloads.csv_button(
        table,
        "Download this table (CSV)",
        file_name=f"penalties_reversed_after_overturn_{chosen.start}_{chosen.end}.csv",
        key="download-penalties-after-overturn",
    )


@warehouse.guarded
def penalties() -> None:
    """Draw the Penalties page."""
    view = filters.sidebar(dimensions=DIMENSIONS, choices=[BREAKDOWN_CHOICE, SECTIONS])
    chosen = view.filters
    st.title("Penalties")
    glossary.caption(
        f"{describe_filters(chosen)} · penalties per rejection, by the decision cohort · "
        "95% Wilson intervals"
    )
    totals = warehouse.query(queries.penalty_counts, chosen, ())
    if totals.empty or totals["rejections"].sum() == 0:
        st.info(f"No rejections for {describe_filters(chosen)}. Widen the dates or the filters.")
        return
    tiles(totals)
    section, tab = sections.open_section(SECTIONS, view.choices[SECTIONS.key])
    with tab:
        if section == "trend":
            trend_section(chosen, view.choices["breakdown"])
        elif section == "mix":
            mix_section(chosen, view.choices["breakdown"])
        else:
            after_overturn_section(chosen)


require_app_navigation()
penalties()
