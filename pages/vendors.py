"""Vendors & moderators: funnel plots of accuracy (or overturn rate) against volume, the
vendor x market matrix, a vendor against all vendors, and a clicked moderator's detail."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import streamlit as st

import charts
from charts.appeals import shade_immature
from charts.comparison import (
    highlight_unit,
    label_units,
    paired_share_bars,
    rate_against_reference,
)
from data_access import queries
from data_access.filters import Filters
from metrics.funnel import funnel_limits, funnel_positions
from metrics.rates import metric_rates
from metrics.registry import METRICS_BY_NAME, Metric
from ui import (
    actions,
    auth,
    boundary,
    data,
    derived,
    downloads,
    drill,
    figures,
    filters,
    glossary,
    sections,
    usable,
    warehouse,
)
from ui import names as naming
from ui.links import Choice, View
from ui.names import describe_filters
from ui.shell import require_app_navigation
from ui.text import md

DIMENSIONS = ("markets", "policy_areas", "vendors", "queues")
FUNNEL_METRICS = {name: METRICS_BY_NAME[name] for name in ("accuracy", "overturn_rate")}
FUNNEL_CHOICE = Choice(
    key="funnel_metric",
    allowed=tuple(FUNNEL_METRICS),
    default="accuracy",
    noun="funnel metric",
    label="Compare on",
    names={name: metric.label for name, metric in FUNNEL_METRICS.items()},
)
# Below the vendors: one section at a time, the open one in the link (ui.sections).
SECTIONS = sections.choice("section", {"moderators": "Moderators", "markets": "Vendors by market"})
MODERATOR_FUNNEL_KEY = "vendors-funnel"
VENDOR_FUNNEL_KEY = "vendors-vendor-funnel"
LIMIT_POINTS = 80
OUTSIDE = ("above", "below")
ERROR_PARTS = {
    "over_enforced": "Over-enforcement (QA approved)",
    "under_enforced": "Under-enforcement (QA rejected)",
    "wrong_label": "Wrong label",
}
ERROR_METRICS = tuple(
    METRICS_BY_NAME[name]
    for name in ("accuracy", "over_enforcement_rate", "under_enforcement_rate", "wrong_label_rate")
)
MIX_LABELS = 7
POSITION_WORDS = {
    "below": "below the 99.8% funnel limits",
    "above": "above the 99.8% funnel limits",
    "inside": "within the funnel limits",
    "too small": "too few to judge on the funnel",
}
OTHER_LABELS = "_other_labels"


def page_choices(vendor_names: dict[str, str], moderators: pd.DataFrame) -> tuple[Choice, Choice]:
    """Return the vendor-trend choice (largest vendor first) and the hidden moderator choice."""
    volume = moderators.groupby("vendor_code")["decisions"].sum()
    largest = str(volume.idxmax()) if len(volume) else ""
    vendor_choice = Choice(
        key="trend_vendor",
        allowed=tuple(vendor_names),
        default=largest if largest in vendor_names else next(iter(vendor_names), ""),
        noun="vendor",
        label="Vendor to follow",
        names=vendor_names,
    )
    # Set by clicking a point on the moderator funnel, and kept in the link.
    moderator_choice = Choice(
        key="moderator",
        allowed=tuple(moderators["moderator_id"]),
        default="",
        noun="moderator",
    )
    return vendor_choice, moderator_choice


def human_counts(metric: Metric, chosen: Filters, by: tuple[str, ...]) -> pd.DataFrame:
    """Return the metric's counts per group over human decisions only.

    The automated classifier is one "moderator" of the in-house vendor with a quarter of all
    decisions; comparing people fairly leaves it out of every number on this page.
    """
    counts = data.counts(metric, chosen, (*by, "is_automated"))
    return counts[~counts["is_automated"]].drop(columns="is_automated").reset_index(drop=True)


def human_rates(metric: Metric, chosen: Filters, by: tuple[str, ...]) -> pd.DataFrame:
    """Return the metric's rate, interval and enough-data flag per group, humans only."""
    min_sample = warehouse.settings().min_sample
    return metric_rates(human_counts(metric, chosen, by), metric, min_sample=min_sample)


def funnel(counts: pd.DataFrame, metric: Metric) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return each unit's funnel position and the limit curves across the volumes shown,
    computed once per count frame (exact binomial limits for every unit)."""
    return derived.kept(funnel_parts, counts, metric.name, warehouse.settings().min_sample)


def funnel_parts(
    counts: pd.DataFrame, metric_name: str, min_sample: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the funnel positions of ``counts`` and the limit curves for a registry metric."""
    metric = METRICS_BY_NAME[metric_name]
    positions = funnel_positions(
        counts, metric.numerator, metric.denominator, min_sample=min_sample
    ).assign(numerator=counts[metric.numerator], denominator=counts[metric.denominator])
    volumes = positions.loc[positions["denominator"] > 0, "denominator"]
    if volumes.empty:
        return positions, pd.DataFrame()
    grid = np.geomspace(max(1.0, volumes.min()), max(2.0, volumes.max() * 1.1), LIMIT_POINTS)
    return positions, funnel_limits(float(positions["overall_rate"].iloc[0]), grid)


def outside_table(
    positions: pd.DataFrame, metric: Metric, unit: str, names: dict[str, str], key: str
) -> None:
    """List the units outside the 99.8% limits with their numbers, worst first."""
    outside = positions[positions["position"].isin(OUTSIDE)]
    noun = "moderators" if unit == "moderator_id" else "vendors"
    if outside.empty:
        glossary.caption(f"No {noun} are outside the 99.8% limits.")
        return
    outside = outside.sort_values("rate", ascending=metric.higher_is_better)  # worst first
    nouns = data.nouns(metric)
    unit_column = "Moderator" if unit == "moderator_id" else "Vendor"
    # The limits as one text column and no numerator (the rate and its base say it), so the
    # table fits a 1024 px page; the funnel's hover has every number.
    limits = (
        (outside["lower_998"] * 100).map("{:.1f}".format)
        + "–"
        + (outside["upper_998"] * 100).map("{:.1f}%".format)
    )
    table = pd.DataFrame(
        {
            unit_column: outside[unit].map(lambda code: names.get(code, code)),
            **({"Vendor": outside["vendor"]} if "vendor" in outside.columns else {}),
            metric.label: outside["rate"] * 100,  # in percent, one decimal on screen
            "99.8% limits": limits,
            nouns["denominator_label"].capitalize(): outside["denominator"],
            "Position": outside["position"].map({"above": "Above", "below": "Below"}),
        }
    )
    st.markdown(f"**{noun.capitalize()} outside the 99.8% limits**")
    st.dataframe(
        naming.readable_table(table),
        hide_index=True,
        column_config={
            metric.label: st.column_config.NumberColumn(format="%.1f%%", width="small"),
            "99.8% limits": st.column_config.TextColumn(width="small"),
            nouns["denominator_label"].capitalize(): st.column_config.NumberColumn(
                format="localized"
            ),
        },
        key=key,
    )


def vendor_funnel_figure(
    positions: pd.DataFrame, limits: pd.DataFrame, metric_name: str, vendor_names: dict
):
    """Return the vendors' funnel plot, each point labelled with its vendor."""
    metric = METRICS_BY_NAME[metric_name]
    figure = charts.funnel_plot(
        positions,
        limits,
        unit="vendor_code",
        metric_label=metric.label,
        higher_is_better=metric.higher_is_better,
        denominator_label=data.nouns(metric)["denominator_label"],
    )
    return label_units(figure, vendor_names)


def moderator_funnel_figure(
    positions: pd.DataFrame, limits: pd.DataFrame, metric_name: str, moderator: str
):
    """Return the moderators' funnel plot, the chosen moderator highlighted."""
    metric = METRICS_BY_NAME[metric_name]
    figure = charts.funnel_plot(
        positions,
        limits,
        unit="moderator_id",
        metric_label=metric.label,
        higher_is_better=metric.higher_is_better,
        denominator_label=data.nouns(metric)["denominator_label"],
    )
    if moderator:
        highlight_unit(figure, moderator)
    return figure


@boundary.guard("the vendor comparison")
def vendor_section(view: View, metric: Metric, vendor_names: dict[str, str]) -> bool:
    """Draw the vendor funnel, one vendor against all, and the vendors outside the limits;
    return False when there is no data."""
    chosen = view.filters
    nouns = data.nouns(metric)
    min_sample = warehouse.settings().min_sample
    positions, limits = funnel(human_counts(metric, chosen, ("vendor_code",)), metric)

    def named(code: str) -> str:
        return vendor_names.get(code, code)

    if positions.empty or positions["denominator"].sum() == 0:
        st.info(f"No data for {describe_filters(chosen)}. Widen the dates or the filters.")
        return False
    left, right = st.columns(2)
    with left:
        st.subheader(f"Vendors: {metric.label.lower()} against volume")
        st.plotly_chart(
            figures.named(
                vendor_funnel_figure,
                positions.assign(vendor_code=positions["vendor_code"].map(named)),
                limits,
                metric.name,
                naming.vendors(),
            ),
            key=VENDOR_FUNNEL_KEY,
            theme=None,
        )
    with right:
        vendor = view.choices["trend_vendor"]
        name = vendor_names.get(vendor, vendor)
        st.subheader(f"{md(name)} against all vendors")
        followed = dataclasses.replace(chosen, vendors=(vendor,))
        own = human_rates(metric, followed, ("period",))
        everyone = human_rates(metric, dataclasses.replace(chosen, vendors=()), ("period",))
        # Recorded actions that reach this vendor are marked; a click opens one.
        st.plotly_chart(
            figures.named(
                against_reference,
                own,
                everyone,
                name,
                "All vendors",
                metric,
                chosen.grain,
                marks=actions.action_marks(followed),
            ),
            key="vendors-trend",
            on_select="rerun",
            selection_mode="points",
            theme=None,
        )
        actions.open_clicked_action("vendors-trend", followed)
    glossary.caption(
        "Left: points beyond the dotted lines are outside the 99.8% limits, which narrow as "
        f"volume grows; grey points have fewer than {min_sample} {nouns['denominator_label']} "
        "and are not judged. Right: choose the vendor under Vendor to follow in the sidebar; "
        "the dashed line is every vendor together in the selected markets, policy areas and "
        "queues. Human decisions only: the automated classifier is left out."
    )
    if not auth.current_scope().is_everything:
        st.caption(
            f":material/lock: The funnel's centre line and the All vendors line are computed "
            f"within your access only ({auth.current_scope().describe()}), not across every "
            "market."
        )
    outside_table(positions, metric, "vendor_code", vendor_names, "vendors-outside")
    return True


@boundary.guard("the vendor and market grid")
def vendor_market_section(view: View, metric: Metric, vendor_names: dict[str, str]) -> None:
    """Draw the metric per vendor and market, as a grid and as a table."""
    chosen = view.filters
    nouns = data.nouns(metric)
    min_sample = warehouse.settings().min_sample
    st.subheader(f"{metric.label} by vendor and market")
    grid = human_rates(metric, chosen, ("vendor_code", "market_code"))
    st.plotly_chart(
        figures.named(
            charts.rate_heatmap,
            grid.assign(
                vendor_code=grid["vendor_code"].map(lambda code: vendor_names.get(code, code))
            ),
            rows="vendor_code",
            columns="market_code",
            metric_label=metric.label,
            higher_is_better=metric.higher_is_better,
            **nouns,
        ),
        key="vendors-matrix",
        theme=None,
    )
    glossary.caption(
        f"Grey cells have fewer than {min_sample} {nouns['denominator_label']} and are not "
        "judged; empty cells have none."
    )
    downloads.rate_table(
        grid,
        keys={"vendor_code": "Vendor", "market_code": "Market"},
        metric=metric,
        file_stem=f"{metric.name}_by_vendor_market_{chosen.start}_{chosen.end}",
    )


@boundary.guard("the moderator comparison")
def moderator_section(
    view: View, metric: Metric, moderators: pd.DataFrame, names: dict[str, str]
) -> pd.DataFrame:
    """Draw the clickable moderator funnel and the moderators outside its limits; return
    every moderator's funnel position."""
    chosen = view.filters
    nouns = data.nouns(metric)
    positions, limits = funnel(human_counts(metric, chosen, ("moderator_id",)), metric)
    st.subheader(f"Moderators: {metric.label.lower()} against volume")
    st.plotly_chart(
        figures.named(
            moderator_funnel_figure, positions, limits, metric.name, view.choices["moderator"]
        ),
        on_select=filters.select_on_click(
            MODERATOR_FUNNEL_KEY, "moderator", reset=(drill.DRILL_PAGE.key,)
        ),
        key=MODERATOR_FUNNEL_KEY,
        selection_mode="points",
        theme=None,
    )
    glossary.caption(
        "Click a moderator to see their detail below. "
        f"Most moderators have too few {nouns['denominator_label']} in a short range to be "
        "judged; widen the dates to judge more of them."
    )
    vendor_of = dict(zip(moderators["moderator_id"], moderators["vendor_code"], strict=True))
    outside_table(
        positions.assign(
            vendor=positions["moderator_id"].map(vendor_of).map(lambda code: names.get(code, code))
        ),
        metric,
        "moderator_id",
        {},
        "moderators-outside",
    )
    return positions


@boundary.guard("the moderator's place on the funnel")
def moderator_positions(chosen: Filters, metric: Metric) -> pd.DataFrame:
    """Return every moderator's funnel position, for a detail opened with the funnel closed."""
    return funnel(human_counts(metric, chosen, ("moderator_id",)), metric)[0]


@boundary.guard("the moderator detail")
def moderator_detail(
    view: View, moderator: str, metric: Metric, vendor_name: str, position: str | None
) -> None:
    """Draw one moderator's rates, trend, label mix, error mix and drill-through list."""
    chosen = view.filters
    st.divider()
    heading, close = st.columns([4, 1])
    heading.subheader(f"Moderator {md(moderator)}")
    close.button(
        "Close moderator",
        icon=":material/close:",
        on_click=filters.set_choice,
        args=("moderator", ""),
        key="close-moderator",
    )
    just_them = dataclasses.replace(chosen, moderators=(moderator,))
    own = warehouse.query(queries.inspection_counts, just_them, ("moderator_id", "label_code"))
    humans = warehouse.query(queries.inspection_counts, chosen, ("is_automated", "label_code"))
    humans = humans[~humans["is_automated"]]
    where = POSITION_WORDS.get(position or "", "not on the funnel for this selection")
    glossary.caption(
        f"{md(vendor_name)} · {int(own['inspections'].sum()):,} inspected decisions in "
        f"{describe_filters(chosen)} · {where}"
    )
    if own.empty:
        st.info(f"{md(moderator)} has no inspected decisions in {describe_filters(chosen)}.")
        return
    detail_tiles(own, humans)
    min_sample = warehouse.settings().min_sample
    trend = data.counts(metric, just_them, ("period", "moderator_id"))
    own_rates = metric_rates(trend, metric, min_sample=min_sample)
    all_rates = human_rates(metric, chosen, ("period",))
    st.markdown(f"**{md(moderator)}'s {metric.label.lower()} against all moderators**")
    st.plotly_chart(
        naming.readable_figure(
            against_reference(
                own_rates, all_rates, moderator, "All moderators", metric, chosen.grain
            )
        ),
        key="moderator-trend",
        theme=None,
    )
    left, right = st.columns(2)
    with left:
        label_mix(own, humans, moderator)
    with right:
        error_mix(own, humans, moderator)
    st.markdown(f"**Inspected decisions by {md(moderator)}**")
    drill.drill_through_list(
        view,
        what=f"moderator {moderator}",
        file_stem=f"decisions_{moderator}_{chosen.start}_{chosen.end}",
        moderator_id=moderator,
    )


def against_reference(
    own: pd.DataFrame,
    everyone: pd.DataFrame,
    label: str,
    reference_label: str,
    metric: Metric,
    grain: str,
):
    """Return one unit's rate trend against everyone's, immature appeal cohorts shaded."""
    immature = metric.source == "appeals"
    if immature:
        own = data.mark_immature(own, grain)
    figure = rate_against_reference(
        own,
        everyone,
        label=label,
        reference_label=reference_label,
        metric_label=metric.label,
        immature="immature" if immature else None,
        **data.nouns(metric),
    )
    return shade_immature(figure, own) if immature else figure


def _totals(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Return one row of summed inspection counts, named ``name`` in ``who``."""
    summed = frame.drop(columns=["moderator_id", "is_automated", "label_code"], errors="ignore")
    return summed.sum(numeric_only=True).to_frame().T.assign(who=name)


def detail_tiles(own: pd.DataFrame, humans: pd.DataFrame) -> None:
    """Draw the moderator's accuracy and error rates, each against all moderators'."""
    min_sample = warehouse.settings().min_sample
    both = pd.concat([_totals(own, "moderator"), _totals(humans, "all")], ignore_index=True)
    for column, metric in zip(st.columns(len(ERROR_METRICS)), ERROR_METRICS, strict=True):
        rates = metric_rates(both, metric, min_sample=min_sample)
        mine, everyone = rates.iloc[0], rates.iloc[1]
        change = mine["rate"] - everyone["rate"]
        counted = (
            f"{int(mine['numerator']):,} of {int(mine['denominator']):,}; 95% interval "
            f"{mine['lower']:.1%} – {mine['upper']:.1%}. "
            if mine["denominator"] > 0
            else "No inspections of this kind. "
        )
        column.metric(
            metric.label,
            "–" if pd.isna(mine["rate"]) else f"{mine['rate']:.1%}",
            delta=None if pd.isna(change) else f"{change * 100:+.1f} pts vs all",
            delta_color="normal" if metric.higher_is_better else "inverse",
            help=counted + f"All moderators: {everyone['rate']:.1%}.",
            border=True,
        )


def label_mix(own: pd.DataFrame, humans: pd.DataFrame, moderator: str) -> None:
    """Draw the moderator's most used rejection labels as shares, beside everyone's."""
    st.markdown("**Label mix: which labels they reject with**")
    mine = own[own["label_code"].notna()].groupby("label_code")["inspections"].sum()
    everyone = humans[humans["label_code"].notna()].groupby("label_code")["inspections"].sum()
    top = list(mine[mine > 0].nlargest(MIX_LABELS).index)
    mix = pd.DataFrame(
        {
            "label_code": [*top, OTHER_LABELS],
            "count": [*(int(mine[label]) for label in top), int(mine.drop(top).sum())],
            "reference_count": [
                *(int(everyone.get(label, 0)) for label in top),
                int(everyone.drop(top, errors="ignore").sum()),
            ],
        }
    )
    st.plotly_chart(
        naming.readable_figure(
            paired_share_bars(
                mix,
                category="label_code",
                label=moderator,
                reference_label="All moderators",
                category_labels={OTHER_LABELS: "Other labels"},
            )
        ),
        key="moderator-label-mix",
        theme=None,
    )
    glossary.caption(
        f"Shares of inspected rejections: {md(moderator)}'s {len(top)} most used labels, and all "
        "moderators' shares of the same labels."
    )


def error_mix(own: pd.DataFrame, humans: pd.DataFrame, moderator: str) -> None:
    """Draw what kind of errors QA found: over-, under-enforcement and wrong labels."""
    st.markdown("**Error mix: what QA found wrong**")
    both = pd.concat(
        [_totals(own, moderator), _totals(humans, "All moderators")], ignore_index=True
    )
    st.plotly_chart(
        naming.readable_figure(
            charts.stacked_share_bars(
                both, category="who", parts=list(ERROR_PARTS), part_labels=ERROR_PARTS
            )
        ),
        key="moderator-error-mix",
        theme=None,
    )
    errors = int(both.loc[0, list(ERROR_PARTS)].sum())
    glossary.caption(
        f"Shares of the errors QA found: {errors:,} for {md(moderator)} in "
        f"{int(both.loc[0, 'inspections']):,} inspections."
    )


@warehouse.guarded
def vendors() -> None:
    """Draw the Vendors & moderators page."""
    options = usable.filter_options()
    vendor_names = dict(
        zip(options.vendors["vendor_code"], options.vendors["vendor_name"], strict=True)
    )
    moderators = warehouse.query(queries.moderator_options)
    vendor_choice, moderator_choice = page_choices(vendor_names, moderators)
    view = filters.sidebar(
        dimensions=DIMENSIONS,
        choices=[FUNNEL_CHOICE, vendor_choice, moderator_choice, drill.DRILL_PAGE, SECTIONS],
    )
    metric = FUNNEL_METRICS[view.choices["funnel_metric"]]
    st.title("Vendors & moderators")
    glossary.caption(
        f"{describe_filters(view.filters)} · {metric.label.lower()} by decision cohort · "
        "funnel limits at 95% (dashed) and 99.8% (dotted)"
    )
    if vendor_section(view, metric, vendor_names) is False:
        return
    positions = None
    section, tab = sections.open_section(SECTIONS, view.choices[SECTIONS.key])
    with tab:
        if section == "moderators":
            positions = moderator_section(view, metric, moderators, vendor_names)
        else:
            vendor_market_section(view, metric, vendor_names)
    moderator = view.choices["moderator"]
    if moderator:
        vendor = moderators.set_index("moderator_id").loc[moderator, "vendor_code"]
        if section != "moderators":
            positions = moderator_positions(view.filters, metric)
        # None when the positions failed; the detail still draws, without a place.
        place = (
            None
            if positions is None
            else positions.set_index("moderator_id")["position"].get(moderator)
        )
        moderator_detail(view, moderator, metric, vendor_names.get(vendor, vendor), place)


require_app_navigation()
vendors()
