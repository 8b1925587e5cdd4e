"""The review's tables as display text, the same on the page and in the HTML report."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from charts.palette import format_count, format_percent
from metrics.labels import PRECISION
from metrics.registry import METRICS_BY_NAME
from review.causes import DIMENSION_LABELS, DIMENSIONS, OVERALL, children_of, top_causes
from review.narrative import points
from review.standing import KIND_LABELS
from review.weekly import (
    BELOW_MINIMUM,
    FAMILY_LABELS,
    HEADLINE_METRICS,
    IMMATURE,
    NO_EARLIER_DATA,
    LinkTarget,
    WeeklyReview,
    explain_target,
)
from review.weeks import iso_week, shift_week

LinkFor = Callable[[LinkTarget], str]


# Short words for table cells: why a comparison was not judged.
REASON_WORDS = {
    IMMATURE: "immature",
    NO_EARLIER_DATA: "no earlier data",
}


def _verdict(row: pd.Series, comparison: str, min_sample: int) -> str:
    """Return "significant", "no", or in a few words why the comparison was not judged."""
    if bool(row[f"{comparison}_moved"]):
        return "significant"
    if bool(row[f"{comparison}_judged"]):
        return "no"
    reason = row[f"{comparison}_reason"]
    if reason == BELOW_MINIMUM:
        return f"too few (<{min_sample})"
    return REASON_WORDS.get(reason, "not judged")


def _change(row: pd.Series, comparison: str) -> str:
    """Return a change with its 95% interval, e.g. ``-5.8 pts (-9.9 to -1.6)``."""
    difference = row[f"{comparison}_difference"]
    if difference != difference:  # NaN: no earlier data
        return "–"
    low, high = row[f"{comparison}_difference_lower"], row[f"{comparison}_difference_upper"]
    return f"{points(difference)} ({low * 100:+.1f} to {high * 100:+.1f})"


def _rate_of(rate: float, count: float) -> str:
    return f"{format_percent(rate)} of {format_count(count)}" if count else "–"


def headline_table(review: WeeklyReview, metric: str) -> pd.DataFrame:
    """Return one headline metric overall and per market: rate, interval, changes, verdicts."""
    rows = review.headline
    rows = rows[rows["metric"] == metric] if len(rows) else rows
    return pd.DataFrame(
        {
            "Segment": [
                "Overall" if row["family"] == "overall" else row["market_code"]
                for _, row in rows.iterrows()
            ],
            "This week": [_rate_of(row["rate"], row["denominator"]) for _, row in rows.iterrows()],
            "95% interval": [
                f"{format_percent(row['lower'])} – {format_percent(row['upper'])}"
                for _, row in rows.iterrows()
            ],
            f"{review.previous_week}": [
                format_percent(row["previous_rate"]) or "–" for _, row in rows.iterrows()
            ],
            "Change (95% CI)": [_change(row, "previous") for _, row in rows.iterrows()],
            "Significant": [
                _verdict(row, "previous", review.min_sample) for _, row in rows.iterrows()
            ],
            "Baseline": [format_percent(row["baseline_rate"]) or "–" for _, row in rows.iterrows()],
            "Change vs baseline (95% CI)": [_change(row, "baseline") for _, row in rows.iterrows()],
            "Significant vs baseline": [
                _verdict(row, "baseline", review.min_sample) for _, row in rows.iterrows()
            ],
        }
    )


def segment_text(row: pd.Series) -> str:
    """Return a segment as table text that says its kind: ``BR · partner``, ``vendor lumen``."""
    if row["family"] == "overall":
        return "Overall"
    if row["family"] in ("market", "market_policy"):
        return str(row["segment"])
    return f"{FAMILY_LABELS[row['family']].replace('rejection ', '')} {row['segment']}"


def movers_table(review: WeeklyReview, link_for: LinkFor | None = None) -> pd.DataFrame:
    """Return the moved segments, largest effect first, with a link to the explaining page."""
    records = []
    for _, row in review.movers.iterrows():
        target = explain_target(review, row)
        moved = [bool(row["previous_moved"]), bool(row["baseline_moved"])]
        records.append(
            {
                "Metric": METRICS_BY_NAME[row["metric"]].label,
                "Segment": segment_text(row),
                "Explained on": target.page_title,
                "Link": link_for(target) if link_for else "",
                "This week": _rate_of(row["rate"], row["denominator"]),
                f"{review.previous_week}": format_percent(row["previous_rate"]) or "–",
                "Change (95% CI)": _change(row, "previous"),
                "Baseline": format_percent(row["baseline_rate"]) or "–",
                "Change vs baseline (95% CI)": _change(row, "baseline"),
                "Significant against": "both"
                if all(moved)
                else ("previous week" if moved[0] else "baseline"),
            }
        )
    columns = [
        "Metric",
        "Segment",
        "Explained on",
        "Link",
        "This week",
        review.previous_week,
        "Change (95% CI)",
        "Baseline",
        "Change vs baseline (95% CI)",
        "Significant against",
    ]
    return pd.DataFrame(records, columns=columns)


def _rule(row: pd.Series) -> str:
    if row["beyond_limits"]:
        return (
            "above the upper limit" if row["rate"] > row["upper_limit"] else "below the lower limit"
        )
    side = "above" if row["rate"] > row["centre"] else "below"
    return f"8 or more weeks in a row {side} the centre"


def breaches_table(review: WeeklyReview) -> pd.DataFrame:
    """Return the control-chart breaches, reviewed week first, with rule and direction."""
    rows = review.breaches
    table = {
        "Week": [],
        "Metric": [],
        "Market": [],
        "Rate": [],
        "Control limits": [],
        "Centre": [],
        "n": [],
        "Rule broken": [],
        "Direction": [],
    }
    for _, row in rows.iterrows():
        metric = METRICS_BY_NAME[row["metric"]]
        higher = row["rate"] > row["centre"]
        values = (
            pd.Timestamp(row["period"]).strftime("%G-W%V"),
            metric.label,
            row["market_code"],
            format_percent(row["rate"]),
            f"{format_percent(row['lower_limit'])} – {format_percent(row['upper_limit'])}",
            format_percent(row["centre"]),
            format_count(row["denominator"]),
            _rule(row),
            "better" if higher == metric.higher_is_better else "worse",
        )
        for column, value in zip(table, values, strict=True):
            table[column].append(value)
    return pd.DataFrame(table)


def not_judged_table(review: WeeklyReview) -> pd.DataFrame:
    """Return, per metric and kind of segment, how many segments were judged and why not."""
    segments = review.segments
    records = []
    if segments.empty:
        return pd.DataFrame(
            columns=[
                "Metric",
                "Kind",
                "Segments",
                "Judged",
                "Below minimum sample",
                "Immature",
                "No earlier data",
            ]
        )
    for (metric, family), rows in segments.groupby(["metric", "family"], sort=False):
        unjudged = rows[~rows["judged"]]
        reasons = unjudged["previous_reason"].value_counts()
        records.append(
            {
                "Metric": METRICS_BY_NAME[metric].label,
                "Kind": FAMILY_LABELS[family],
                "Segments": len(rows),
                "Judged": int(rows["judged"].sum()),
                "Below minimum sample": int(reasons.get("below minimum sample", 0)),
                "Immature": int(reasons.get("immature", 0)),
                "No earlier data": int(reasons.get("no earlier data", 0)),
            }
        )
    order = {METRICS_BY_NAME[name].label: index for index, name in enumerate(HEADLINE_METRICS)}
    return pd.DataFrame(records).sort_values("Metric", key=lambda s: s.map(order), kind="stable")


def unjudged_changes(review: WeeklyReview, top: int = 10) -> pd.DataFrame:
    """Return the unjudged segments with the largest raw change against the previous week.

    They are not findings: listed so a reader sees what the data is too thin to judge.
    """
    segments = review.segments
    if segments.empty:
        return pd.DataFrame(
            columns=["Metric", "Segment", "This week", "Previous", "Why not judged"]
        )
    rows = segments[~segments["judged"] & segments["previous_difference"].notna()]
    rows = rows.assign(_size=rows["previous_difference"].abs()).nlargest(top, "_size")
    return pd.DataFrame(
        {
            "Metric": [METRICS_BY_NAME[name].label for name in rows["metric"]],
            "Segment": [segment_text(row) for _, row in rows.iterrows()],
            "This week": [
                _rate_of(rate, count)
                for rate, count in zip(rows["rate"], rows["denominator"], strict=True)
            ],
            "Previous": [
                _rate_of(rate, count)
                for rate, count in zip(
                    rows["previous_rate"], rows["previous_denominator"], strict=True
                )
            ],
            "Why not judged": [
                f"fewer than {review.min_sample}"
                if reason == BELOW_MINIMUM
                else REASON_WORDS.get(reason, reason)
                for reason in rows["previous_reason"]
            ],
        }
    )


def cause_name(row: pd.Series) -> str:
    """Return a root cause as text: ``market BR``, ``vendor lumen in ID``."""
    name = f"{DIMENSION_LABELS[row['dimension']]} {row['segment']}"
    return name if row["scope"] == OVERALL else f"{name} in {row['scope']}"


def _change_of(row: pd.Series) -> str:
    """Return the headline change a cause explains, e.g. ``Penalty rate overall +3.0 pts``."""
    where = "overall" if row["scope"] == OVERALL else f"in {row['scope']}"
    return f"{METRICS_BY_NAME[row['metric']].label} {where} {points(row['headline_change'])}"


def _contribution(row: pd.Series) -> str:
    low, high = row["contribution_lower"] * 100, row["contribution_upper"] * 100
    return f"{points(row['contribution'])} ({low:+.1f} to {high:+.1f})"


def moves_with(causes: pd.DataFrame, finding: str) -> str:
    """Return what a finding explains in a few words: ``4 policy areas, 12 labels``."""
    children = children_of(causes, finding)
    if children.empty:
        return ""
    kinds = children.drop_duplicates(["dimension", "segment"])["dimension"].value_counts()
    plural = {"policy area": "policy areas"}
    parts = []
    for dimension in DIMENSIONS:
        if dimension in kinds.index:
            noun = DIMENSION_LABELS[dimension]
            count = int(kinds[dimension])
            parts.append(f"{count} {plural.get(noun, noun + 's') if count > 1 else noun}")
    return ", ".join(parts)


CAUSE_TABLE_COLUMNS = [
    "Change explained",
    "Root cause",
    "Contribution (95% CI)",
    "Rate then → now",
    "Rate / mix effect",
    "Moves with it",
]


def _cause_rows(rows: pd.DataFrame, causes: pd.DataFrame) -> pd.DataFrame:
    records = [
        {
            "Change explained": _change_of(row),
            "Root cause": cause_name(row),
            "Contribution (95% CI)": _contribution(row),
            "Rate then → now": f"{format_percent(row['rate_previous']) or '–'} → "
            f"{format_percent(row['rate_current']) or '–'}",
            "Rate / mix effect": f"{points(row['rate_effect'])} / {points(row['mix_effect'])}",
            "Moves with it": moves_with(causes, row["finding"]),
        }
        for _, row in rows.iterrows()
    ]
    return pd.DataFrame(records, columns=CAUSE_TABLE_COLUMNS)


def causes_table(review: WeeklyReview) -> pd.DataFrame:
    """Return the root causes no other finding explains, largest contribution first."""
    return _cause_rows(top_causes(review.causes), review.causes)


def cause_children_table(review: WeeklyReview, finding: str) -> pd.DataFrame:
    """Return the contributions one root cause explains (its children), largest first."""
    return _cause_rows(children_of(review.causes, finding), review.causes).drop(
        columns=["Moves with it"]
    )


def _since_text(review: WeeklyReview, since) -> str:
    """Return how long a unit has been out of line: ``since 2026-W31``."""
    if since is None or since != since:  # None or NaT: not in the reviewed week
        return "not every week"
    week = iso_week(pd.Timestamp(since).date())
    first = shift_week(review.week, -(review.standing_weeks - 1))
    return f"since {week}" + (" (window start)" if week == first else "")


def _metric_label(name: str) -> str:
    return PRECISION.label if name == "precision" else METRICS_BY_NAME[name].label


def _reference_text(row: pd.Series) -> str:
    peers = {
        "label": "other labels",
        "vendor": "all vendors",
        "moderator": "all moderators",
        "market_policy": f"{row['policy_area']} in all markets",
    }[row["kind"]]
    return f"{format_percent(row['reference_rate'])} ({peers})"


def _level_rows(review: WeeklyReview, rows: pd.DataFrame, pooled: bool) -> pd.DataFrame:
    records = []
    for _, row in rows.iterrows():
        record = {
            "Kind": KIND_LABELS[row["kind"]],
            "Unit": str(row["unit"]),
            "Metric": _metric_label(row["metric"]),
            "Level (95% interval)": f"{_rate_of(row['rate'], row['denominator'])} "
            f"({format_percent(row['lower'])} – {format_percent(row['upper'])})",
            "Against": _reference_text(row),
            "Direction": "worse" if row["worse"] else "better",
            "Out of line": _since_text(review, row["since"]),
        }
        if pooled:
            record["Pooled over"] = (
                f"{shift_week(review.week, -(review.pooled_weeks - 1))} – {review.week}"
            )
        records.append(record)
    columns = ["Kind", "Unit", "Metric", "Level (95% interval)", "Against", "Direction"]
    columns += ["Pooled over"] if pooled else ["Out of line"]
    return pd.DataFrame(records, columns=columns)


def standing_table(review: WeeklyReview) -> pd.DataFrame:
    """Return the units out of line over the trailing window, largest gap first."""
    rows = review.standing
    rows = rows[rows["flagged"]] if len(rows) else rows
    return _level_rows(review, rows, pooled=False)


def pooled_table(review: WeeklyReview) -> pd.DataFrame:
    """Return the low-volume units flagged on their pooled trailing weeks, marked pooled."""
    rows = review.pooled
    rows = rows[rows["flagged"]] if len(rows) else rows
    return _level_rows(review, rows, pooled=True)


def unpooled_table(review: WeeklyReview) -> pd.DataFrame:
    """Return, per kind and metric, units too small even pooled and the QA volume to judge them."""
    rows = review.unpooled
    columns = [
        "Kind",
        "Metric",
        "Units not judgeable",
        "Their median per week",
        "Needed per week (minimum sample)",
        "Needed per week (±5 pts)",
    ]
    records = [
        {
            "Kind": KIND_LABELS[row["kind"]],
            "Metric": _metric_label(row["metric"]),
            "Units not judgeable": int(row["units"]),
            "Their median per week": f"{row['median_per_week']:.1f}",
            "Needed per week (minimum sample)": int(row["minimum_per_week"]),
            "Needed per week (±5 pts)": int(row["for_margin_per_week"]),
        }
        for _, row in rows.iterrows()
    ]
    return pd.DataFrame(records, columns=columns)
