"""Labels: which rejection labels moderators get wrong, where and why, with the decisions."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

import charts
from charts.cells import clickable_cells
from data_access import queries
from metrics.agreement import APPROVE, cohens_kappa, confusion_matrix
from metrics.labels import LABEL_METRICS_BY_NAME, PRECISION, disagreements, metric_frame
from metrics.registry import Metric
from ui import (
    actions,
    boundary,
    data,
    downloads,
    drill,
    figures,
    filters,
    glossary,
    labels,
    report_tables,
    sections,
    warehouse,
)
from ui import names as naming
from ui.links import View
from ui.names import describe_filters
from ui.shell import require_app_navigation
from ui.text import md

TOP_BARS = 15
TOP_CONFUSION = 10
TOP_INSTEAD = 8
RESET = (drill.DRILL_PAGE.key,)
BREAKDOWNS = {"market_code": "Market", "vendor_code": "Vendor", "queue": "Queue"}
# Below the label table: one section at a time, the open one in the link (ui.sections).
SECTIONS = sections.choice(
    "section",
    {"worst": "Worst labels", "matrix": "Moderator vs QA label", "mix": "Error mix"},
)
BREAKDOWN_SECTIONS = sections.choice(
    "breakdown", {"market_code": "By market", "vendor_code": "By vendor", "queue": "By queue"}
)
# Short enough for a one-line legend in half the page; the caption says what each means.
ERROR_PARTS = {
    "over_enforced": "Over-enforcement",
    "under_enforced": "Under-enforcement",
    "wrong_label": "Wrong label",
}


@warehouse.guarded
def labels_page() -> None:
    """Draw the Labels page."""
    options, known = filters.known_values()
    view = filters.sidebar(
        dimensions=("markets", "policy_areas", "vendors", "queues"),
        choices=[
            labels.SORT_CHOICE,
            labels.label_choice(known["labels"]),
            drill.DRILL_PAGE,
            drill.DRILL_SOURCE,
            SECTIONS,
            BREAKDOWN_SECTIONS,
        ],
    )
    sort = LABEL_METRICS_BY_NAME[view.choices[labels.SORT_CHOICE.key]]
    label = view.choices[labels.LABEL_KEY]
    min_sample = warehouse.settings().min_sample
    st.title("Rejection labels")
    glossary.caption(
        f"{describe_filters(view.filters)} · rates by decision cohort, 95% Wilson intervals"
    )

    table = labels.label_table(view.filters, sort)
    if table.empty:
        st.info(f"No data for {describe_filters(view.filters)}. Widen the dates or the filters.")
        return
    st.subheader(f"Labels by {sort.label.lower()}, worst first")
    labels.show_label_table(table, sort, label, reset=RESET)
    glossary.caption(
        f"Select a row, or click a bar or a matrix cell below, to see a label's detail, with "
        "its counts and every rate (all columns are in the CSV). Grey: "
        f"fewer than {min_sample} in the denominator (n shown), never ranked. Change: "
        f"{sort.label.lower()} against {view.filters.previous_period().start:%d %b} – "
        f"{view.filters.previous_period().end:%d %b %Y}."
    )
    downloads.csv_button(
        labels.download_frame(table),
        "Download the label table (CSV)",
        file_name=f"labels_{view.filters.start}_{view.filters.end}.csv",
        key="labels-table-csv",
    )

    section, tab = sections.open_section(SECTIONS, view.choices[SECTIONS.key])
    with tab:
        if section == "worst":
            worst_bars(table, sort, label)
        elif section == "matrix":
            confusion_panel(warehouse.query(queries.confusion_counts, view.filters), label)
        else:
            error_mix(view)
    if label:
        label_detail(view, label, table, options.labels)


@boundary.guard("the worst labels")
def worst_bars(table: pd.DataFrame, sort: Metric, label: str) -> None:
    """Draw the worst ranked labels on the sorted column as bars; a click chooses a label."""
    ranked = table[table["rank"].notna()]
    st.subheader(f"Worst labels by {sort.label.lower()}")
    if ranked.empty:
        st.info(
            f"No label has {warehouse.settings().min_sample} or more in the denominator of "
            f"{sort.label.lower()} here, so none is ranked. Widen the dates or the filters."
        )
        return
    glossary.caption(
        f"The {min(TOP_BARS, len(ranked))} worst of {len(ranked)} ranked labels, with 95% "
        "intervals. Click a bar to see its label's detail."
    )
    ranked = ranked.head(TOP_BARS)
    codes = list(ranked["label_code"])
    figure = figures.named(
        worst_bars_figure,
        metric_frame(ranked, sort),
        sort.name,
        codes.index(label) if label in codes else None,
    )
    # Keyed by the label, so a choice made elsewhere leaves no stale selection behind.
    key = f"labels-bars-{label or 'none'}"
    st.plotly_chart(
        figure,
        on_select=filters.select_on_click(key, labels.LABEL_KEY, reset=RESET),
        key=key,
        selection_mode="points",
        theme=None,
    )


def worst_bars_figure(frame: pd.DataFrame, sort_name: str, selected: int | None):
    """Return the worst labels' bars, the chosen label's bar selected (the others dimmed)."""
    sort = LABEL_METRICS_BY_NAME[sort_name]
    figure = charts.rate_bars(
        frame, category="label_code", metric_label=sort.label, sort=False, **labels.nouns(sort)
    )
    if selected is not None:
        # Shown as after a click on it.
        figure.update_traces(selectedpoints=[], selector={"meta": {"role": "rates"}})
        figure.update_traces(selectedpoints=[selected], selector={"meta": {"role": "rates"}})
    return figure


def confusion_figure(matrix: pd.DataFrame):
    """Return the confusion matrix with clickable cells."""
    return clickable_cells(charts.confusion_heatmap(matrix, counts=matrix, title=None))


@boundary.guard("the confusion matrix")
def confusion_panel(confusion: pd.DataFrame, label: str) -> None:
    """Draw Cohen's kappa and the moderator-label x QA-label matrix of the busiest labels."""
    st.subheader("Moderator label vs QA label")
    if confusion.empty:
        st.info("No QA inspections in this selection.")
        return
    full = confusion_matrix(confusion)
    kappa = cohens_kappa(full)
    busiest = [code for code in full.index if code != APPROVE][:TOP_CONFUSION]
    if label in full.index and label not in busiest:
        busiest.append(label)
    matrix = confusion_matrix(confusion, labels=busiest)
    st.markdown(
        f"**Cohen's kappa {kappa.kappa:.3f}** (95% CI {kappa.lower:.3f} – {kappa.upper:.3f}) "
        f"between moderators and QA over {kappa.n:,} inspections, all labels and approvals."
    )
    glossary.caption(
        f"Rows: the moderator's decision; columns: QA's. Each row shows how QA split the "
        f"moderator's uses of a label; the approve row is under-enforcement, the approve column "
        f"over-enforcement. The {len(busiest)} busiest labels are shown, the rest are grouped "
        "as other. Click a cell to see its label's detail."
    )
    key = f"labels-confusion-{label or 'none'}"
    st.plotly_chart(
        figures.named(confusion_figure, matrix),
        on_select=labels.pick_cell_on_click(key, reset=RESET),
        key=key,
        selection_mode="points",
        theme=None,
    )


@boundary.guard("the label detail")
def label_detail(view: View, label: str, table: pd.DataFrame, known: pd.DataFrame) -> None:
    """Draw one label's reading, trends, breakdowns, disagreements and inspected decisions."""
    described = known.set_index("label_code").loc[label]
    name = described["label_name"]
    st.subheader(f"Label detail: {md(name)}")
    glossary.caption(f"Policy area: {naming.policy_areas().get(described['policy_area'], '')}")
    row = table[table["label_code"] == label]
    if row.empty or int(row[["predicted", "actual"]].sum(axis=1).iloc[0]) == 0:
        st.info(
            f"{md(name)} has no QA inspections in {describe_filters(view.filters)}, so there is no "
            "precision, recall or list of inspected decisions to show. Widen the dates or the "
            "filters, or choose another label."
        )
        return
    reading, measures = st.columns([3, 2])
    for line in labels.reading(view.filters, label):
        reading.markdown(naming.humanize(line, escape=md))
    with measures:
        st.markdown("**All measures** (the ranking above shows the sorted rate)")
        report_tables.report_table(labels.measures_frame(table, label))

    trend_precision, trend_overturn = st.columns(2)
    # Recorded actions that reach this label are marked on its trends; a click opens one.
    marked = dataclasses.replace(view.filters, labels=(label,))
    trend_precision.markdown("**Precision by period**")
    trend_precision.plotly_chart(
        figures.named(
            charts.rate_trend,
            labels.precision_by(view.filters, label, ("period",)),
            marks=actions.action_marks(marked),
            colour_by=None,
            metric_label=PRECISION.label,
            **labels.nouns(PRECISION),
        ),
        key="label-trend-precision",
        on_select="rerun",
        selection_mode="points",
        theme=None,
    )
    actions.open_clicked_action("label-trend-precision", marked)
    trend_overturn.markdown(f"**{labels.OVERTURN.label} by period**")
    trend_overturn.plotly_chart(
        figures.named(
            charts.rate_trend,
            data.mark_immature(
                labels.overturn_by(view.filters, label, ("period",)), view.filters.grain
            ),
            marks=actions.action_marks(marked),
            colour_by=None,
            metric_label=labels.OVERTURN.label,
            immature="immature",
            **labels.nouns(labels.OVERTURN),
        ),
        key="label-trend-overturn",
        on_select="rerun",
        selection_mode="points",
        theme=None,
    )
    actions.open_clicked_action("label-trend-overturn", marked)

    st.markdown(f"**{md(name)} by market, vendor and queue**")
    key, tab = sections.open_section(BREAKDOWN_SECTIONS, view.choices[BREAKDOWN_SECTIONS.key])
    noun = BREAKDOWNS[key]
    with tab:
        left, right = st.columns(2)
        left.plotly_chart(
            naming.readable_figure(
                charts.rate_bars(
                    labels.precision_by(view.filters, label, (key,)),
                    category=key,
                    metric_label=PRECISION.label,
                    title=f"Precision by {noun.lower()}",
                    **labels.nouns(PRECISION),
                )
            ),
            key=f"label-precision-{key}",
            theme=None,
        )
        right.plotly_chart(
            naming.readable_figure(
                charts.rate_bars(
                    labels.overturn_by(view.filters, label, (key,)),
                    category=key,
                    metric_label=labels.OVERTURN.label,
                    title=f"Overturn rate by {noun.lower()}",
                    **labels.nouns(labels.OVERTURN),
                )
            ),
            key=f"label-overturn-{key}",
            theme=None,
        )

    confusion = warehouse.query(queries.confusion_counts, view.filters)
    qa_instead, moderator_instead = st.columns(2)
    for column, side, chooser, title, empty in (
        (
            qa_instead,
            "moderator_label",
            "the moderator",
            f"When QA disagreed with {md(name)}, it chose",
            "QA agreed with every inspected use.",
        ),
        (
            moderator_instead,
            "qa_label",
            "QA",
            f"When QA chose {md(name)}, moderators had chosen",
            "Moderators chose it every time QA did.",
        ),
    ):
        instead = disagreements(
            confusion, label, side=side, min_sample=warehouse.settings().min_sample
        )
        column.markdown(f"**{title}**")
        if instead.empty:
            column.caption(empty)
            continue
        column.plotly_chart(
            naming.readable_figure(
                charts.rate_bars(
                    instead.head(TOP_INSTEAD),
                    category="label_code",
                    metric_label="Share of inspections",
                    numerator_label="inspections",
                    denominator_label=f"where {chooser} chose {name}",
                )
            ),
            key=f"label-instead-{side}",
            theme=None,
        )

    # The inspected decisions explain precision; the appealed ones (with outcome and times)
    # explain an overturn rate, and the weekly review's overturn findings open on them.
    source = drill.source_picker(view, ("inspections", "appeals"), key="label-drill-source")
    noun = "Appealed" if source == "appeals" else "Inspected"
    st.markdown(f"**{noun} decisions behind {md(name)}**")
    drill.drill_through_list(
        view,
        what=name,
        file_stem=f"{label}_{source}_{view.filters.start}_{view.filters.end}",
        label_code=label,
        source=source,
    )


@boundary.guard("the error mix")
def error_mix(view: View) -> None:
    """Draw the split of QA-found errors into over-, under-enforcement and wrong label."""
    st.subheader("Error mix")
    glossary.caption(
        "Of the errors QA found, the share of each kind: over-enforcement (moderator rejected, "
        "QA approved), under-enforcement (moderator approved, QA rejected) and wrong label "
        "(both rejected, different labels)."
    )
    for column, (key, noun) in zip(
        st.columns(2), (("policy_area", "policy area"), ("market_code", "market")), strict=True
    ):
        counts = warehouse.query(queries.inspection_counts, view.filters, (key,))
        column.markdown(f"**By {noun}**")
        column.plotly_chart(
            figures.named(
                charts.stacked_share_bars,
                counts,
                category=key,
                parts=list(ERROR_PARTS),
                part_labels=ERROR_PARTS,
            ),
            key=f"labels-mix-{key}",
            theme=None,
        )


require_app_navigation()
labels_page()
