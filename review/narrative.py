"""The weekly review in words: a few sentences stating the top findings with their numbers.

Sentences read like "Accuracy in ID listing fell from 94.1% to 88.3% (-5.8 pts,
significant) against 2026-W43." and always say what was not judged and why (immature
appeal cohorts, samples below the minimum), so silence is never mistaken for "no change".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from charts.names import POLICY_AREA_NAMES, readable
from charts.palette import format_percent
from metrics.registry import METRICS_BY_NAME
from review.causes import DIMENSION_LABELS, DIMENSIONS, OVERALL, children_of, top_causes
from review.standing import KIND_LABELS
from review.weekly import (
    BELOW_MINIMUM,
    HEADLINE_METRICS,
    IMMATURE,
    NO_EARLIER_DATA,
    WeeklyReview,
)
from review.weeks import describe_week, iso_week, shift_week

TOP_FINDINGS = 5


def points(difference: float) -> str:
    """Return a change in rate as signed percentage points, e.g. ``-5.8 pts``."""
    return f"{difference * 100:+.1f} pts"


def subject(row: pd.Series) -> str:
    """Return what a segment row measures, e.g. ``Accuracy in ID listing``."""
    metric = METRICS_BY_NAME[row["metric"]].label
    family = row["family"]
    if family == "overall":
        return f"{metric} overall"
    if family == "market":
        return f"{metric} in {row['market_code']}"
    if family == "market_policy":
        return f"{metric} in {row['market_code']} {row['policy_area']}"
    noun = {"label": "label", "vendor": "vendor", "moderator": "moderator"}[family]
    value = row[
        {"label": "label_code", "vendor": "vendor_code", "moderator": "moderator_id"}[family]
    ]
    return f"{metric} for {noun} {value}"


def _against(review: WeeklyReview, comparison: str) -> str:
    if comparison == "previous":
        return review.previous_week
    return f"the {review.baseline_weeks_with_data}-week baseline"


def finding(review: WeeklyReview, row: pd.Series, policy_areas: Sequence[str] = ()) -> str:
    """Return the sentence for one moved segment, quoting its lead comparison first.

    ``policy_areas`` are the market's policy areas that moved the same way, folded into a
    market's sentence rather than repeated one by one.
    """
    lead = row["lead"]
    difference = row[f"{lead}_difference"]
    verb = "fell" if difference < 0 else "rose"
    sentence = (
        f"{subject(row)} {verb} from {format_percent(row[f'{lead}_rate'])} to "
        f"{format_percent(row['rate'])} ({points(difference)}, significant) against "
        f"{_against(review, lead)}"
    )
    other = "baseline" if lead == "previous" else "previous"
    if bool(row.get(f"{other}_moved")):
        sentence += (
            f", and from {format_percent(row[f'{other}_rate'])} against "
            f"{_against(review, other)} ({points(row[f'{other}_difference'])}, significant)"
        )
    if policy_areas:
        # Named here: the page writes market and label codes as names, but a policy-area
        # code ("listing", "content") is also an ordinary word it must leave alone.
        named = [POLICY_AREA_NAMES.get(area, readable(area)) for area in policy_areas]
        areas = ", ".join(named[:-1]) + (" and " if len(named) > 1 else "")
        noun = "policy areas" if len(named) > 1 else "policy area"
        sentence += f"; so did its {areas}{named[-1]} {noun}"
    return sentence + "."


def _lead_sign(row: pd.Series) -> float:
    return float(np.sign(row[f"{row['lead']}_difference"]))


def fold_policy_areas(movers: pd.DataFrame) -> list[tuple[pd.Series, list[str]]]:
    """Return the movers to state, each market with its policy areas that moved the same way.

    A market x policy-area row whose market moved in the same direction for the same metric
    is part of that market's finding, not a finding of its own.
    """
    markets = {
        (row["metric"], row["market_code"]): _lead_sign(row)
        for _, row in movers[movers["family"] == "market"].iterrows()
    }
    folded: dict[tuple[str, str], list[str]] = {}
    kept = []
    for _, row in movers.iterrows():
        parent = (row["metric"], row["market_code"])
        if row["family"] == "market_policy" and markets.get(parent) == _lead_sign(row):
            folded.setdefault(parent, []).append(str(row["policy_area"]))
        else:
            kept.append(row)
    return [
        (
            row,
            folded.get((row["metric"], row["market_code"]), [])
            if row["family"] == "market"
            else [],
        )
        for row in kept
    ]


def _opening(review: WeeklyReview) -> list[str]:
    counted = (
        f"{describe_week(review.week)}: {review.decisions:,} decisions and "
        f"{review.inspections:,} QA inspections"
    )
    if not review.has_previous and review.baseline_weeks_with_data == 0:
        sentences = [
            counted + ".",
            f"{review.week} is the first week in the data: there is no previous week or "
            "baseline to compare it with, so no change was judged.",
        ]
    else:
        sentences = [
            f"{counted}, compared with {review.previous_week} and the trailing baseline "
            f"({review.baseline_first_week} – {review.previous_week}, "
            f"{review.baseline_weeks_with_data} of {review.baseline_weeks} weeks with data)."
        ]
        if not review.has_previous:
            sentences.append(
                f"{review.previous_week} has no data, so changes are judged against the "
                "baseline only."
            )
    if not review.complete and review.latest_data is not None:
        sentences.append(
            f"The week is not complete yet (data through {review.latest_data:%d %b %Y %H:%M} "
            "UTC), so its rates will still change."
        )
    return sentences


def _findings(review: WeeklyReview, top: int) -> list[str]:
    judged = review.judged_comparisons
    if judged == 0:
        return []
    movers = review.movers
    test = f"{review.fdr:.0%} false-discovery rate across {judged:,} judged comparisons"
    if movers.empty:
        return [f"No change passed the movers' test (two-proportion test, {test})."]
    count = len(movers)
    findings = fold_policy_areas(movers)
    sentences = [
        f"{count:,} change{'s' if count > 1 else ''} passed the movers' test ({test})"
        + (": the largest follow." if count > 1 else ":")
    ]
    sentences += [finding(review, row, areas) for row, areas in findings[:top]]
    stated = sum(1 + len(areas) for _, areas in findings[:top])
    if count > stated:
        sentences.append(f"{count - stated:,} more are listed under What moved.")
    return sentences


def _headline(review: WeeklyReview) -> str:
    overall = review.segments[review.segments["family"] == "overall"].set_index("metric")
    parts = []
    for name in HEADLINE_METRICS:
        label = METRICS_BY_NAME[name].label.lower()
        if name not in overall.index:
            parts.append(f"{label} no data")
            continue
        row = overall.loc[name]
        rate = format_percent(row["rate"])
        reason = row["previous_reason"]
        if reason == IMMATURE:
            parts.append(f"{label} {rate} (immature, not judged)")
        elif reason == NO_EARLIER_DATA:
            parts.append(f"{label} {rate}")
        elif reason == BELOW_MINIMUM:
            parts.append(f"{label} {rate} (too few to judge)")
        else:
            verdict = "significant" if row["previous_moved"] else "not significant"
            parts.append(f"{label} {rate} ({points(row['previous_difference'])}, {verdict})")
    against = f"against {review.previous_week}" if review.has_previous else "this week"
    return f"Overall {against}: " + ", ".join(parts) + "."


def _rule(row: pd.Series) -> str:
    if row["beyond_limits"]:
        side = "above the upper" if row["rate"] > row["upper_limit"] else "below the lower"
        limit = row["upper_limit"] if row["rate"] > row["upper_limit"] else row["lower_limit"]
        return f"{format_percent(row['rate'])}, {side} control limit of {format_percent(limit)}"
    side = "above" if row["rate"] > row["centre"] else "below"
    return (
        f"{format_percent(row['rate'])}, the 8th week or more in a row {side} the centre line "
        f"of {format_percent(row['centre'])}"
    )


def _breaches(review: WeeklyReview) -> list[str]:
    breaches = review.breaches
    if review.control.empty or not review.control["judged"].any():
        return []
    this_week = breaches[breaches["in_reviewed_week"]] if len(breaches) else breaches
    earlier = len(breaches) - len(this_week)
    earlier_note = (
        f" ({earlier} earlier point{'s' if earlier > 1 else ''} in the charted weeks did.)"
        if earlier
        else ""
    )
    if this_week.empty:
        return [
            "No market's accuracy or appeal overturn rate broke a control-chart rule this week."
            + earlier_note
        ]
    described = [
        f"{METRICS_BY_NAME[row['metric']].label.lower()} in {row['market_code']} ({_rule(row)})"
        for _, row in this_week.iterrows()
    ]
    return ["Control-chart breaches this week: " + "; ".join(described) + "." + earlier_note]


def _not_judged(review: WeeklyReview) -> list[str]:
    sentences = []
    if review.appeals_immature:
        pending = (
            f" ({review.pending_share:.0%} of its appeals still pending)"
            if review.pending_share == review.pending_share
            else ""
        )
        sentences.append(
            f"Not judged: the appeal overturn rate, because {review.week}'s decisions are "
            f"younger than the {review.appeal_window_days}-day appeal window{pending}."
        )
    segments = review.segments
    if segments.empty:
        return sentences
    unjudged = segments[~segments["judged"]]
    small = unjudged[unjudged["previous_reason"] == BELOW_MINIMUM]
    if len(small):
        sentences.append(
            f"Below the minimum sample of {review.min_sample}: {len(small):,} of "
            f"{len(segments):,} segments this week had too few in a denominator to be judged."
        )
    return sentences


def largest_cause(review: WeeklyReview) -> str | None:
    """Return the sentence naming the week's largest root cause, or None when there is none.

    E.g. "Largest root cause: market BR, +3.7 pts (+3.4 to +4.0) of the +3.0 pts change in
    overall penalty rate (32.3% to 62.9%); 4 policy areas, 27 labels, 4 vendors move with it."
    """
    top = top_causes(review.causes)
    if top.empty:
        return None
    row = top.iloc[0]
    label = METRICS_BY_NAME[row["metric"]].label.lower()
    where = f"overall {label}" if row["scope"] == OVERALL else f"{label} in {row['scope']}"
    name = f"{DIMENSION_LABELS[row['dimension']]} {row['segment']}"
    low, high = row["contribution_lower"] * 100, row["contribution_upper"] * 100
    sentence = (
        f"Largest root cause: {name}, {points(row['contribution'])} ({low:+.1f} to {high:+.1f}) "
        f"of the {points(row['headline_change'])} change in {where}"
    )
    if row["rate_previous"] == row["rate_previous"] and row["rate_current"] == row["rate_current"]:
        sentence += (
            f" ({format_percent(row['rate_previous'])} to {format_percent(row['rate_current'])})"
        )
    children = children_of(review.causes, row["finding"])
    if len(children):
        kinds = children.drop_duplicates(["dimension", "segment"])["dimension"].value_counts()
        moved = ", ".join(
            f"{int(kinds[d])} {DIMENSION_LABELS[d]}{'s' if kinds[d] > 1 else ''}"
            for d in DIMENSIONS
            if d in kinds.index
        )
        sentence += f"; {moved} move with it"
    more = len(top) - 1
    if more:
        sentence += f" ({more} more root cause{'s' if more > 1 else ''} under Root causes)"
    return sentence + "."


STANDING_NAMED = 3


def _unit_level(row: pd.Series) -> str:
    metric = "precision" if row["metric"] == "precision" else METRICS_BY_NAME[row["metric"]].label
    noun = KIND_LABELS[row["kind"]]
    return (
        f"{noun} {row['unit']}, {metric.lower()} {format_percent(row['rate'])} against "
        f"{format_percent(row['reference_rate'])}"
    )


def _standing(review: WeeklyReview) -> list[str]:
    """Return the sentences on standing problems, pooled units and units never judged."""
    sentences = []
    standing = review.standing
    if len(standing) and standing["judged"].any():
        flagged = standing[standing["flagged"]]
        judged = int(standing["judged"].sum())
        if flagged.empty:
            sentences.append(
                f"No standing problem: none of {judged:,} units judged over the last "
                f"{review.standing_weeks} weeks is out of line."
            )
        else:
            named = []
            for _, row in flagged.head(STANDING_NAMED).iterrows():
                since = row["since"]
                when = ""
                if since is not None and since == since:
                    week = iso_week(pd.Timestamp(since).date())
                    first = shift_week(review.week, -(review.standing_weeks - 1))
                    when = f", since {week}" + (" or earlier" if week == first else "")
                named.append(_unit_level(row) + when)
            more = len(flagged) - len(named)
            sentences.append(
                f"Standing problems over the last {review.standing_weeks} weeks "
                f"({len(flagged)} of {judged:,} units judged): "
                + "; ".join(named)
                + (f"; {more} more under Standing problems" if more else "")
                + "."
            )
    pooled = review.pooled
    if len(pooled) and pooled["flagged"].any():
        flagged = pooled[pooled["flagged"]]
        sentences.append(
            f"Too few this week, out of line on {review.pooled_weeks} pooled weeks: "
            + "; ".join(_unit_level(row) for _, row in flagged.head(STANDING_NAMED).iterrows())
            + "."
        )
    unpooled = review.unpooled
    if len(unpooled):
        row = unpooled.sort_values("units", ascending=False).iloc[0]
        sentences.append(
            f"{int(row['units']):,} {KIND_LABELS[row['kind']]}s could not be judged even on "
            f"{review.pooled_weeks} pooled weeks: they have a median of "
            f"{row['median_per_week']:.1f} a week and need {int(row['minimum_per_week'])} a "
            "week to be judged."
        )
    return sentences


def summary_sentences(review: WeeklyReview, *, top: int = TOP_FINDINGS) -> list[str]:
    """Return the review's summary: largest root cause, the week, findings, headline, breaches,
    standing problems and what was not judged."""
    if not review.has_data:
        return [
            f"No decisions in {describe_week(review.week)} for this selection: there is "
            "nothing to review for that week."
        ]
    cause = largest_cause(review)
    return [
        *([cause] if cause else []),
        *_opening(review),
        *_findings(review, top),
        _headline(review),
        *_breaches(review),
        *_standing(review),
        *_not_judged(review),
    ]
