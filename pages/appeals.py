"""Appeals: appeal and overturn rates by decision cohort (or by resolution period), the appeal
funnel, overturn rate by market x policy area and by label, and resolution times."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

import charts
from charts.appeals import count_funnel, resolution_time_trend, shade_immature
from data_access import queries
from data_access.filters import Filters
from metrics.rates import metric_rates
from metrics.registry import METRICS_BY_NAME
from ui import actions, boundary, data, downloads, figures, filters, glossary, sections, warehouse
from ui import names as naming
from ui.links import Choice, View
from ui.names import describe_filters
from ui.shell import require_app_navigation

APPEAL_RATE = METRICS_BY_NAME["appeal_rate"]
OVERTURN_RATE = METRICS_BY_NAME["overturn_rate"]
DIMENSIONS = ("markets", "policy_areas", "labels", "queues")
TREND_MARKETS = 6
VIEW_NAMES = {"cohort": "Decision cohort", "flow": "Resolution period (flow view)"}
VIEW_CHOICE = Choice(
    key="view",
    allowed=tuple(VIEW_NAMES),
    default="cohort",
    noun="way of counting appeals",
    label="Count appeals by",
    names=VIEW_NAMES,
)
FUNNEL_STAGES = {
    "rejections": "Rejections",
    "appealed": "Appealed",
    "resolved": "Resolved",
    "overturned": "Overturned",
}
COHORT_TOTALS = {**FUNNEL_STAGES, "upheld": "Upheld", "pending": "Pending"}
# Below the tiles and totals: one section at a time, the open one in the link (ui.sections).
SECTIONS = sections.choice(
    "section",
    {
        "trend": "Trend",
        "market": "By market and policy area",
        "label": "By label",
        "time": "Resolution time",
    },
)
FLOW_TOTALS = {"resolved": "Resolved", "overturned": "Overturned", "upheld": "Upheld"}


def overturn_rates(flow: bool, chosen: Filters, by: Sequence[str]) -> pd.DataFrame:
    """Return overturn rates per group, counted by decision cohort or, in the flow view, by
    resolution period (the same numerator and denominator, attributed to another date)."""
    if not flow:
        return data.rates(OVERTURN_RATE, chosen, by)
    counts = warehouse.query(queries.appeal_flow_counts, chosen, tuple(by))
    return metric_rates(counts, OVERTURN_RATE, min_sample=warehouse.settings().min_sample)


def _percent(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:.1%}"


def _days(hours: float) -> str:
    return "–" if pd.isna(hours) else f"{hours / 24:.1f} days"


def rate_tile(column, rates: pd.DataFrame, label: str, nouns: dict[str, str]) -> None:
    """Draw one rate for the whole selection with its counts and 95% interval."""
    row = rates.iloc[0]
    column.metric(
        label,
        _percent(row["rate"]),
        help=(
            f"{row['numerator']:,} {nouns['numerator_label']} of {row['denominator']:,} "
            f"{nouns['denominator_label']}; 95% interval {_percent(row['lower'])} – "
            f"{_percent(row['upper'])}."
        ),
        border=True,
    )


def time_tiles(columns, times: pd.DataFrame) -> None:
    """Draw the median and p90 resolution time of the whole selection."""
    row = times.iloc[0] if len(times) else pd.Series({"resolved": 0})
    for column, name, label in zip(
        columns, ("median_hours", "p90_hours"), ("Median resolution", "p90 resolution"), strict=True
    ):
        column.metric(
            label,
            _days(row.get(name, float("nan"))),
            help=f"From appeal to resolution, over {int(row['resolved']):,} resolved appeals.",
            border=True,
        )


def totals_table(totals: pd.DataFrame, names: dict[str, str], file_stem: str) -> None:
    """Show the selection's appeal counts as a two-column table, downloadable as CSV."""
    row = totals.iloc[0]
    table = pd.DataFrame(
        {"Stage": list(names.values()), "Number": [int(row[column]) for column in names]}
    )
    st.dataframe(
        naming.readable_table(table),
        hide_index=True,
        column_config={"Number": st.column_config.NumberColumn(format="localized")},
        key=f"totals-{file_stem}",
    )
    downloads.csv_button(
        table,
        "Download these totals (CSV)",
        file_name=f"{file_stem}.csv",
        key=f"download-{file_stem}",
    )


def immature_note(rates: pd.DataFrame) -> None:
    """Say which cohorts are faded as immature, and why their rates will still move."""
    immature = rates.loc[rates["immature"], "period"]
    if immature.empty:
        return
    window = warehouse.settings().appeal_window_days
    glossary.caption(
        "Shaded, faded points are immature cohorts: decisions from "
        f"{immature.min():%d %b %Y} on are younger than the {window}-day appeal window, so "
        "their pending appeals will still resolve and these rates will still move."
    )


def largest_markets(frame: pd.DataFrame, weights: str, chosen: Filters) -> pd.DataFrame:
    """Return the rows of the largest markets by ``weights`` unless markets were chosen."""
    if chosen.markets or frame.empty:
        return frame
    largest = frame.groupby("market_code")[weights].sum().nlargest(TREND_MARKETS).index
    return frame[frame["market_code"].isin(largest)]


@boundary.guard("the appeal totals")
def cohort_section(view: View) -> bool:
    """Draw the cohort view's tiles and funnel; return False when there are no rejections."""
    chosen = view.filters
    totals = warehouse.query(queries.appeal_counts, chosen, ())
    if totals.empty or totals["rejections"].sum() == 0:
        st.info(f"No rejections for {describe_filters(chosen)}. Widen the dates or the filters.")
        return False
    times = warehouse.query(queries.appeal_resolution_times, chosen, (), view="cohort")
    min_sample = warehouse.settings().min_sample
    columns = st.columns(4)
    for column, metric in zip(columns[:2], (APPEAL_RATE, OVERTURN_RATE), strict=True):
        rates = metric_rates(totals, metric, min_sample=min_sample)
        rate_tile(column, rates, metric.label, data.nouns(metric))
    time_tiles(columns[2:], times)

    st.subheader("From rejections to overturned appeals")
    left, right = st.columns([3, 2])
    left.plotly_chart(
        figures.named(count_funnel, totals.iloc[0], FUNNEL_STAGES),
        key="appeals-funnel",
        theme=None,
    )
    with right:
        totals_table(totals, COHORT_TOTALS, f"appeal_totals_cohort_{chosen.start}_{chosen.end}")
        glossary.caption(
            "Rejections decided in the selected dates, and their appeals whenever made or "
            "resolved. Appealed counts rejections with an appeal; the rest count appeals."
        )
    return True


@boundary.guard("the appeal rates by cohort")
def cohort_trends(view: View) -> None:
    """Draw the appeal rate's and overturn rate's trends by decision cohort."""
    chosen = view.filters
    st.subheader("Appeal rate and overturn rate by decision cohort")
    trends = {
        metric: data.mark_immature(data.rates(metric, chosen, ("period",)), chosen.grain)
        for metric in (APPEAL_RATE, OVERTURN_RATE)
    }
    for column, (metric, rates) in zip(st.columns(2), trends.items(), strict=True):
        key = f"appeals-trend-{metric.name}"
        # Titled on the page: a Plotly title and a legend grown by action markers overlap.
        column.markdown(f"**{metric.label} by decision {chosen.grain}**")
        column.plotly_chart(
            figures.named(
                cohort_trend_figure,
                rates,
                metric.name,
                marks=actions.action_marks(chosen),
            ),
            key=key,
            on_select="rerun",
            selection_mode="points",
            theme=None,
        )
        actions.open_clicked_action(key, chosen)
    immature_note(trends[APPEAL_RATE])


def cohort_trend_figure(rates: pd.DataFrame, metric_name: str):
    """Return a cohort rate's trend, immature periods shaded."""
    metric = METRICS_BY_NAME[metric_name]
    trend = charts.rate_trend(
        rates,
        colour_by=None,
        metric_label=metric.label,
        immature="immature",
        **data.nouns(metric),
    )
    return shade_immature(trend, rates)


@boundary.guard("the flow view")
def flow_section(view: View) -> bool:
    """Draw the flow view's tiles and totals; return False when nothing was resolved."""
    chosen = view.filters
    totals = warehouse.query(queries.appeal_flow_counts, chosen, ())
    if totals.empty or totals["resolved"].sum() == 0:
        st.info(
            f"No appeals were resolved in {describe_filters(chosen)}. Widen the dates or the "
            "filters."
        )
        return False
    times = warehouse.query(queries.appeal_resolution_times, chosen, (), view="flow")
    min_sample = warehouse.settings().min_sample
    columns = st.columns(4)
    rate_tile(
        columns[0],
        metric_rates(totals, OVERTURN_RATE, min_sample=min_sample),
        OVERTURN_RATE.label,
        data.nouns(OVERTURN_RATE),
    )
    columns[1].metric(
        "Resolved appeals",
        f"{int(totals['resolved'].iloc[0]):,}",
        help="Appeals resolved in the selected dates, whenever the decision was made.",
        border=True,
    )
    time_tiles(columns[2:], times)

    st.subheader("Appeals resolved in the selected dates")
    left, right = st.columns([3, 2])
    with left:
        totals_table(totals, FLOW_TOTALS, f"appeal_totals_flow_{chosen.start}_{chosen.end}")
    with right:
        glossary.caption(
            "The flow view counts appeals by the date they were resolved, as appeal teams count "
            "their week's work. The appeal rate and the funnel from rejections follow decision "
            "cohorts: choose Decision cohort under Count appeals by to see them."
        )
    return True


@boundary.guard("the flow view's trend")
def flow_trend(view: View) -> None:
    """Draw the overturn rate's trend by resolution period."""
    chosen = view.filters
    st.subheader(f"Overturn rate by resolution {chosen.grain} (flow view)")
    st.plotly_chart(
        figures.named(
            charts.rate_trend,
            overturn_rates(True, chosen, ("period",)),
            colour_by=None,
            metric_label=OVERTURN_RATE.label,
            **data.nouns(OVERTURN_RATE),
        ),
        key="appeals-trend-flow",
        theme=None,
    )


def _counted_by(flow: bool) -> str:
    return "resolution date (flow view)" if flow else "decision cohort"


@boundary.guard("the overturn rate by market and policy area")
def market_section(view: View, flow: bool) -> None:
    """Draw overturn rate by market x policy area, as a grid and as a table."""
    chosen = view.filters
    st.subheader("Overturn rate by market and policy area")
    grid = overturn_rates(flow, chosen, ("market_code", "policy_area"))
    # Full width: in half a 1024 px page the market names and the colour bar's title were cut.
    st.plotly_chart(
        figures.named(
            charts.rate_heatmap,
            grid,
            rows="market_code",
            columns="policy_area",
            metric_label=OVERTURN_RATE.label,
            higher_is_better=False,
            **data.nouns(OVERTURN_RATE),
        ),
        key="appeals-heatmap",
        theme=None,
    )
    glossary.caption(
        f"By {_counted_by(flow)}. Grey cells have fewer than "
        f"{warehouse.settings().min_sample} resolved appeals and are not judged."
    )
    # Full width below the grid: the table has more columns than half the page holds.
    downloads.rate_table(
        grid,
        keys={"market_code": "Market", "policy_area": "Policy area"},
        metric=OVERTURN_RATE,
        file_stem=f"overturn_rate_by_market_policy_{chosen.start}_{chosen.end}",
    )


@boundary.guard("the overturn rate by label")
def label_section(view: View, flow: bool) -> None:
    """Draw overturn rate by the appealed decision's rejection label."""
    st.subheader("Overturn rate by label")
    st.plotly_chart(
        figures.named(
            charts.rate_bars,
            overturn_rates(flow, view.filters, ("label_code",)),
            category="label_code",
            metric_label=OVERTURN_RATE.label,
            **data.nouns(OVERTURN_RATE),
        ),
        key="appeals-labels",
        theme=None,
    )
    glossary.caption(
        f"By {_counted_by(flow)}; the rejection label of the appealed decision. Grey bars have "
        f"fewer than {warehouse.settings().min_sample} resolved appeals and are listed last, "
        "unranked."
    )


@boundary.guard("the resolution times")
def resolution_section(view: View, flow: bool) -> None:
    """Draw the median and p90 resolution time of the largest markets by period."""
    chosen = view.filters
    view_name = "flow" if flow else "cohort"
    st.subheader("Resolution time by market")
    times = warehouse.query(
        queries.appeal_resolution_times, chosen, ("period", "market_code"), view=view_name
    )
    shown = largest_markets(times, "resolved", chosen)
    if not flow:
        shown = data.mark_immature(shown, chosen.grain)
    st.plotly_chart(
        figures.named(resolution_time_trend, shown, immature=None if flow else "immature"),
        key="appeals-resolution-times",
        theme=None,
    )
    counted_from = "resolution" if flow else "decision"
    note = (
        "Median (solid) and 90th percentile (dotted) days from appeal to resolution, by "
        f"{counted_from} {chosen.grain}."
    )
    if shown["market_code"].nunique() < times["market_code"].nunique():
        note += (
            f" The {TREND_MARKETS} markets with most resolved appeals; choose markets in the "
            "sidebar to compare others."
        )
    if not flow:
        note += " Recent cohorts look fast because only their quick appeals are resolved yet."
    glossary.caption(note)


@warehouse.guarded
def appeals() -> None:
    """Draw the Appeals page."""
    view = filters.sidebar(dimensions=DIMENSIONS, choices=[VIEW_CHOICE, SECTIONS])
    flow = view.choices["view"] == "flow"
    st.title("Appeals")
    counted = (
        "flow view: appeals by resolution date"
        if flow
        else "appeals by the decision cohort of the rejection"
    )
    glossary.caption(f"{describe_filters(view.filters)} · {counted} · 95% Wilson intervals")
    drawn = flow_section(view) if flow else cohort_section(view)
    if not drawn:
        return
    section, tab = sections.open_section(SECTIONS, view.choices[SECTIONS.key])
    with tab:
        if section == "trend":
            (flow_trend if flow else cohort_trends)(view)
        elif section == "market":
            market_section(view, flow)
        elif section == "label":
            label_section(view, flow)
        else:
            resolution_section(view, flow)


require_app_navigation()
appeals()
