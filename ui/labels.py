"""Streamlit glue for the Labels page: its URL choices, its counts, the label table widget.

The numbers come from ``metrics.labels``; this module only fetches the counts (cached, via
``ui.warehouse``), turns the ranked frame into the table a QA lead reads, and maps clicks on
the table and the confusion matrix to the chosen label.
"""

from __future__ import annotations

import copy
import dataclasses
import zlib
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from charts import palette
from charts.text import html_unescape
from data_access import queries
from data_access.filters import Filters
from metrics.labels import (
    APPROVE,
    LABEL_METRICS,
    LABEL_METRICS_BY_NAME,
    PRECISION,
    RECALL,
    label_changes,
    label_count_table,
    label_rates,
    label_versus_rest,
    rank_labels,
)
from metrics.rates import metric_rates
from metrics.registry import METRICS_BY_NAME, Metric
from ui import cache_keys, figures, names, usable, warehouse
from ui.filters import set_choice
from ui.links import Choice
from ui.text import md

LABEL_KEY = "label_detail"
OVERTURN = METRICS_BY_NAME["overturn_rate"]
SORT_CHOICE = Choice(
    key="label_sort",
    allowed=tuple(LABEL_METRICS_BY_NAME),
    default="overturn_rate",
    noun="label table column",
    label="Sort labels by",
    names={metric.name: f"{metric.label} (worst first)" for metric in LABEL_METRICS},
)

# Column headers of the label table, as shown and as downloaded.
SHORT_LABELS = {
    "precision": "Precision",
    "recall": "Recall",
    "wrong_label_rate": "Wrong label",
    "appeal_rate": "Appeal rate",
    "overturn_rate": "Overturn rate",
}
COUNT_HEADERS = {
    "decisions": "Decisions in area",
    "rejections": "Rejections",
    "inspections": "Inspections",
}
COUNT_HELP = {
    "decisions": "Decisions in the label's policy area: the pool the label is chosen from.",
    "rejections": "Decisions the moderators rejected with this label.",
    "inspections": "QA inspections of those rejections.",
}
RATE_HELP = {
    "precision": "Of the moderators' uses of the label that QA inspected, the share QA agreed.",
    "recall": "Of the inspections where QA chose the label, the share moderators chose too.",
    "wrong_label_rate": "Of inspections where both rejected, the share with another QA label.",
    "appeal_rate": "Share of the label's rejections that sellers appealed.",
    "overturn_rate": "Share of the label's resolved appeals that were overturned.",
}
GREY_TEXT = "color: #9E9E9E"
# What a label's rate says depends on its denominator; these name it in plain words.
DENOMINATOR_NOUNS = {
    "predicted": "inspected uses",
    "actual": "QA uses",
    "both_reject": "inspections rejected by both",
    "rejections": "rejections",
    "resolved": "resolved appeals",
}
NUMERATOR_NOUNS = {
    "agreed": "confirmed by QA",
    "wrong_label": "with another QA label",
    "appealed": "appealed",
    "overturned": "overturned",
}


def label_choice(codes: Sequence[str]) -> Choice:
    """Return the URL choice holding the label whose detail is shown (hidden, set by clicks)."""
    return Choice(LABEL_KEY, tuple(codes), "", "rejection label")


def for_label(filters: Filters, label: str) -> Filters:
    """Return the filters narrowed to one rejection label."""
    return dataclasses.replace(filters, labels=(label,))


def nouns(metric: Metric) -> dict[str, str]:
    """Return the chart keyword arguments naming a label metric's numerator and denominator."""
    return {
        "numerator_label": NUMERATOR_NOUNS.get(metric.numerator, metric.numerator),
        "denominator_label": DENOMINATOR_NOUNS.get(metric.denominator, metric.denominator),
    }


def _source_counts(metric: Metric, filters: Filters) -> pd.DataFrame:
    """Return the per-label count frame a label metric is computed from."""
    if metric in (PRECISION, RECALL):
        return warehouse.query(queries.label_counts, filters, ())
    if metric.source == "appeals":
        return warehouse.query(queries.appeal_counts, filters, ("label_code",))
    return warehouse.query(queries.inspection_counts, filters, ("label_code",))


def label_table(filters: Filters, sort: Metric) -> pd.DataFrame:
    """Return the ranked label table: counts, every label rate with its interval, and the
    sorted metric's change against the previous period (BH across labels), worst first.
    """
    options = usable.filter_options()
    return _ranked_table(
        options.labels,
        warehouse.query(queries.decision_counts, filters, ("policy_area",)),
        warehouse.query(queries.label_counts, filters, ()),
        warehouse.query(queries.inspection_counts, filters, ("label_code",)),
        warehouse.query(queries.appeal_counts, filters, ("label_code",)),
        _source_counts(sort, filters),
        _source_counts(sort, filters.previous_period()),
        sort.name,
        warehouse.settings().min_sample,
    )


@st.cache_data(
    ttl=warehouse.CACHE_TTL, show_spinner=False, max_entries=128, hash_funcs=cache_keys.BY_CONTENT
)
def _ranked_table(
    labels: pd.DataFrame,
    decisions: pd.DataFrame,
    pairs: pd.DataFrame,
    inspections: pd.DataFrame,
    appeals: pd.DataFrame,
    current: pd.DataFrame,
    previous: pd.DataFrame,
    sort_name: str,
    min_sample: int,
) -> pd.DataFrame:
    # Kept per count frames (by content): the merges, intervals and tests were 40% of a warm
    # Labels run, recomputed from the same cached counts every time.
    sort = LABEL_METRICS_BY_NAME[sort_name]
    counts = label_count_table(labels, decisions, pairs, inspections, appeals)
    ranked = rank_labels(label_rates(counts, min_sample=min_sample), sort)
    changes = label_changes(current, previous, sort, min_sample=min_sample)
    return ranked.merge(changes, on="label_code", how="left")


def versus_rest(filters: Filters, label: str, metric: Metric) -> dict[str, float]:
    """Return the label's rate against all other labels pooled (see ``label_versus_rest``)."""
    return label_versus_rest(
        _source_counts(metric, filters).dropna(subset=["label_code"]), label, metric
    )


def precision_by(filters: Filters, label: str, by: Sequence[str]) -> pd.DataFrame:
    """Return the label's precision against QA per group, with interval and enough-data flag."""
    counts = warehouse.query(queries.label_counts, for_label(filters, label), tuple(by))
    return metric_rates(
        counts[counts["label_code"] == label],
        PRECISION,
        min_sample=warehouse.settings().min_sample,
    )


def overturn_by(filters: Filters, label: str, by: Sequence[str]) -> pd.DataFrame:
    """Return the label's appeal overturn rate per group, with interval and enough-data flag."""
    return metric_rates(
        warehouse.query(queries.appeal_counts, for_label(filters, label), tuple(by)),
        OVERTURN,
        min_sample=warehouse.settings().min_sample,
    )


def _bounds_text(lower: float, upper: float) -> str:
    """Return an interval as "84.2–93.5%"."""
    return f"{palette.format_percent(lower)[:-1]}–{palette.format_percent(upper)}"


def _interval_text(rate: float, lower: float, upper: float, denominator: int, enough: bool) -> str:
    if rate != rate:  # NaN: nothing to rate
        return "–"
    text = f"{palette.format_percent(rate)} ({_bounds_text(lower, upper)})"
    return text if enough else f"{text} · n={denominator}"


def _flag(value: object) -> bool:
    """Return a merged boolean as bool; a label missing from the comparison counts as False."""
    return False if pd.isna(value) else bool(value)


def _change_text(change: float, moved: object, judged: object) -> str:
    """Return a change cell: points, marked ● when significant, or why it was not judged."""
    if not _flag(judged):
        return "too few to judge"
    if change != change:
        return "–"
    return f"{change * 100:+.1f} pts" + (" ●" if _flag(moved) else "")


# The change column's header: the sorted rate stands beside it, and its help names the rate.
CHANGE_HEADER = "Change"


def table_frame(table: pd.DataFrame, sort: Metric) -> pd.DataFrame:
    """Return the label table as shown: rank, label, area, the sorted rate with its change and
    moved flag (so the column the rows are ranked by is always in view), counts, other rates.
    """
    others = [metric for metric in LABEL_METRICS if metric is not sort]
    return pd.DataFrame(
        {
            "Rank": table["rank"],
            # Names for people; the code is in the CSV and the link.
            "Label": table["label_code"].map(lambda code: names.labels().get(code, code)),
            "Policy area": table["policy_area"].map(
                lambda area: names.policy_areas().get(area, area)
            ),
            SHORT_LABELS[sort.name]: table[sort.name],
            # Text, not a number: the grid shows its placeholder for a missing number, which
            # would hide why a label was not judged.
            CHANGE_HEADER: [
                _change_text(change, moved, judged)
                for change, moved, judged in zip(
                    table["change"], table["moved"], table["judged"], strict=True
                )
            ],
            "Moved": [
                "● significant" if _flag(moved) else ("" if _flag(judged) else "too few to judge")
                for moved, judged in zip(table["moved"], table["judged"], strict=True)
            ],
            **{COUNT_HEADERS[name]: table[name] for name in COUNT_HEADERS},
            **{SHORT_LABELS[metric.name]: table[metric.name] for metric in others},
        }
    )


def _styled(table: pd.DataFrame, shown: pd.DataFrame):
    """Return a Styler that prints rates with their intervals and greys small samples.

    Its one-formatter-per-cell build is kept per table (``ui.figures``); each run gets a copy,
    because ``st.dataframe`` computes the styles on the object it is given.
    """
    return copy.deepcopy(figures.built(_built_styler, table, shown))


def _built_styler(table: pd.DataFrame, shown: pd.DataFrame):
    styler = shown.style.format("{:,}", subset=list(COUNT_HEADERS.values()))
    for position, row in enumerate(table.itertuples(index=False)):
        record = row._asdict()
        index = shown.index[position]
        for metric in LABEL_METRICS:
            text = _interval_text(
                record[metric.name],
                record[f"{metric.name}_lower"],
                record[f"{metric.name}_upper"],
                int(record[metric.denominator]),
                bool(record[f"{metric.name}_enough_data"]),
            )
            # One formatter per cell: the interval lives in other columns of the same row.
            styler = styler.format(
                lambda _value, text=text: text, subset=([index], [SHORT_LABELS[metric.name]])
            )

    def grey_small(column: pd.Series) -> list[str]:
        metric = next(m for m in LABEL_METRICS if SHORT_LABELS[m.name] == column.name)
        enough = table[f"{metric.name}_enough_data"].astype(bool).to_numpy()
        return ["" if ok else GREY_TEXT for ok in enough]

    def grey_unranked(row: pd.Series) -> list[str]:
        return [GREY_TEXT if pd.isna(row["Rank"]) else ""] * len(row)

    styler = styler.apply(grey_unranked, axis=1)
    return styler.apply(grey_small, subset=[SHORT_LABELS[m.name] for m in LABEL_METRICS])


def table_key(codes: Sequence[str], label: str) -> str:
    """Return the table's widget key, new whenever its rows' order or the chosen label change.

    Streamlit keeps a table's selection by row position under one key, so a key that
    outlived a re-sort would show another label's row as selected.
    """
    fingerprint = zlib.crc32("|".join([*codes, "#", label]).encode("utf-8"))
    return f"labels-table-{fingerprint:08x}"


def pick_row_on_click(table_key: str, codes: Sequence[str], *, reset: Sequence[str] = ()):
    """Return an ``on_select`` callback putting the selected row's label into the URL choice
    (an emptied selection clears it), and clearing the ``reset`` choices.
    """

    def _picked() -> None:
        event = st.session_state.get(table_key)
        rows = event.selection.rows if event else []
        set_choice(LABEL_KEY, codes[rows[0]] if rows and rows[0] < len(codes) else "")
        for key in reset:
            set_choice(key, "")

    return _picked


def pick_cell_on_click(chart_key: str, *, reset: Sequence[str] = ()):
    """Return an ``on_select`` callback for the confusion matrix: a clicked cell chooses its
    moderator label, or its QA label on the "approve" and "other" rows.
    """

    def _picked() -> None:
        event = st.session_state.get(chart_key)
        points = event.selection.points if event else []
        if not points:
            return
        # The chart shows escaped codes (charts.text); the choice holds the code itself.
        moderator = html_unescape(str(points[0].get("y", "")))
        qa = html_unescape(str(points[0].get("x", "")))
        grouped = (APPROVE, "other", "")
        label = moderator if moderator not in grouped else qa
        if label in grouped:
            return
        set_choice(LABEL_KEY, label)
        for key in reset:
            set_choice(key, "")

    return _picked


def show_label_table(
    table: pd.DataFrame, sort: Metric, label: str, *, reset: Sequence[str]
) -> None:
    """Draw the label table; selecting a row chooses that label (and clears ``reset``)."""
    codes = list(table["label_code"])
    shown = table_frame(table, sort)
    key = table_key(codes, label)
    help_text = {
        **{COUNT_HEADERS[name]: COUNT_HELP[name] for name in COUNT_HEADERS},
        **{
            SHORT_LABELS[m.name]: f"{RATE_HELP[m.name]} 95% Wilson interval in brackets."
            for m in LABEL_METRICS
        },
    }
    min_sample = warehouse.settings().min_sample
    st.dataframe(
        _styled(table, shown),
        hide_index=True,
        # The ranking fits a 1024 px page; the counts and other rates are in the label's
        # detail and the CSV.
        column_order=screen_columns(sort),
        key=key,
        on_select=pick_row_on_click(key, codes, reset=reset),
        selection_mode="single-row",
        placeholder="–",
        selection_default={"selection": {"rows": [codes.index(label)]}} if label in codes else None,
        column_config={
            # Not pinned: the grid draws pinned columns in grey, which here means "few".
            "Label": st.column_config.Column(
                help=f"Worst first; labels with fewer than {min_sample} in the sorted "
                "column's denominator are grey and not ranked.",
            ),
            **{name: st.column_config.Column(help=text) for name, text in help_text.items()},
            CHANGE_HEADER: st.column_config.Column(
                help=f"Change in {SHORT_LABELS[sort.name].lower()} against the previous period "
                "of equal length, in percentage points. ● marks a change a two-proportion test "
                "finds significant after Benjamini-Hochberg across all labels (5% "
                f"false-discovery rate); labels with fewer than {min_sample} in either period "
                "are not judged."
            ),
        },
    )


def screen_columns(sort: Metric) -> tuple[str, ...]:
    """Return the label table's columns shown on the page: the ranking by the sorted rate."""
    # Rank and Moved stay in the data (and the CSV): the order is the rank, and the change
    # cell marks a significant move.
    return ("Label", "Policy area", SHORT_LABELS[sort.name], CHANGE_HEADER)


def measures_frame(table: pd.DataFrame, label: str) -> pd.DataFrame:
    """Return one label's counts and rates as rows (measure, value, 95% interval, base), the
    columns the page's ranking leaves out; empty when the label is not in the table.
    """
    row = table[table["label_code"] == label]
    if row.empty:
        return pd.DataFrame(columns=["Measure", "Value", "95% interval", "Base"])
    record = row.iloc[0]
    rows = [
        {"Measure": header, "Value": f"{int(record[name]):,}", "95% interval": "", "Base": ""}
        for name, header in COUNT_HEADERS.items()
    ]
    for metric in LABEL_METRICS:
        rate = record[metric.name]
        base = int(record[metric.denominator])
        rows.append(
            {
                "Measure": SHORT_LABELS[metric.name],
                "Value": "–" if rate != rate else palette.format_percent(rate),
                "95% interval": (
                    ""
                    if rate != rate
                    else _bounds_text(
                        record[f"{metric.name}_lower"], record[f"{metric.name}_upper"]
                    )
                ),
                "Base": f"{base:,}" + ("" if record[f"{metric.name}_enough_data"] else " (few)"),
            }
        )
    return pd.DataFrame(rows)


def download_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Return the label table for CSV: counts, each rate with its bounds, change and flags."""
    columns = ["rank", "label_code", "policy_area", *COUNT_HEADERS]
    for metric in LABEL_METRICS:
        columns += [metric.name, f"{metric.name}_lower", f"{metric.name}_upper"]
        columns.append(f"{metric.name}_enough_data")
    columns += ["change", "change_lower", "change_upper", "p_adjusted", "moved", "judged"]
    return table[columns]


def _points(value: float) -> str:
    return f"{value * 100:+.1f} pts"


def _overturn_spread(filters: Filters, label: str, rest_rate: float) -> str:
    """Return where the label's overturn rate is above the other labels': how many markets and
    vendors (with enough resolved appeals) have their whole 95% interval above ``rest_rate``.
    """
    parts = []
    for key, noun, known in (
        ("market_code", "markets", names.markets()),
        ("vendor_code", "vendors", names.vendors()),
    ):
        rates = overturn_by(filters, label, (key,))
        judged = rates[rates["enough_data"].astype(bool)]
        above = judged.loc[judged["lower"] > rest_rate, key].tolist()
        # Named here: an escaped code ("in\\_house") no longer matches the names pattern.
        listed = ", ".join(md(known.get(code, code)) for code in above)
        named = f" ({listed})" if 0 < len(above) <= 3 else ""
        parts.append(f"{len(above)} of {len(judged)} {noun}{named}")
    return (
        f"Its overturn rate's 95% interval lies above the other labels' "
        f"{palette.format_percent(rest_rate)} in {parts[0]} and in {parts[1]} with "
        f"{warehouse.settings().min_sample} or more resolved appeals (charts below)."
    )


def reading(filters: Filters, label: str) -> list[str]:
    """Return plain-language lines comparing the label with all other labels: its overturn
    rate, its precision against QA, and what the two together point to.
    """
    appeals = versus_rest(filters, label, OVERTURN)
    agreement = versus_rest(filters, label, PRECISION)
    lines = []
    for name, result, noun in (
        ("Appeal overturn rate", appeals, "resolved appeals"),
        ("Precision against QA", agreement, "inspected uses"),
    ):
        if result["denominator"] == 0:
            lines.append(f"**{name}**: no {noun} in this selection.")
            continue
        lines.append(
            f"**{name} {palette.format_percent(result['rate'])}** "
            f"({palette.format_count(result['numerator'])} of "
            f"{palette.format_count(result['denominator'])} {noun}) against "
            f"{palette.format_percent(result['rest_rate'])} for all other labels: "
            f"{_points(result['difference'])} (95% CI {_points(result['difference_lower'])} "
            f"to {_points(result['difference_upper'])})."
        )
    overturned_more = appeals["difference_lower"] > 0
    qa_disagrees_more = agreement["difference_upper"] < 0
    if overturned_more:
        lines.append(_overturn_spread(filters, label, appeals["rest_rate"]))
    if overturned_more and not qa_disagrees_more:
        lines.append(
            "Appeals overturn this label significantly more often than others, while QA confirms "
            "it about as often as the rest: the overturns are not errors QA would catch, but "
            "appeal reviewers reading the policy differently from moderators and QA. The list "
            "below shows each decision's appeal outcome: bring examples to calibration."
        )
    elif qa_disagrees_more:
        lines.append(
            "QA disagrees with moderators on this label more than on others: see which labels "
            "QA chose instead, and where (market, vendor, queue) the misses concentrate."
        )
    return lines
