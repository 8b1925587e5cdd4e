"""The weekly review of one ISO week: headline, root causes, what moved, control-chart
breaches, standing problems and pooled low-volume units.

``build_review`` runs about twenty aggregate queries over the reviewed week and the weeks
before it (the baseline, or the standing window when longer; the root causes' finer
groupings read only the reviewed and previous weeks), then judges them with ``metrics``:

* every headline metric in every segment (overall, market, market x policy area, label,
  vendor, moderator) is compared with the previous week and with the trailing baseline by
  the movers' two-proportion test; Benjamini-Hochberg then runs once over every comparison
  judged on the page, because DESIGN.md controls false discoveries "across all segments
  compared on the page", not per table;
* each market's accuracy and appeal overturn rate get a p-chart whose centre and limits
  come from the baseline weeks, so the reviewed week is judged against its own past;
* each moved headline change is split into segment contributions (``review.causes``), and
  levels out of line over a trailing window, or over pooled weeks for low-volume units, are
  judged in ``review.standing``.

Appeal metrics of weeks younger than the appeal window are *immature* (pending appeals
still resolve) and rates below the minimum sample are never judged: both are kept, with
the reason, so the review can say what it did not judge.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import sqlalchemy as sa

from data_access import queries
from data_access.filters import Filters
from metrics.control import p_chart
from metrics.labels import PRECISION
from metrics.movers import bh_adjust, difference_test
from metrics.rates import MIN_SAMPLE, metric_rates, safe_rate, wilson_interval
from metrics.registry import METRICS_BY_NAME, Metric
from review.causes import CAUSE_COLUMNS, cause_queries, root_causes
from review.standing import (
    POOLED_WEEKS,
    STANDING_COLUMNS,
    STANDING_WEEKS,
    judge_units,
    unjudgeable,
)
from review.weeks import iso_week, last_complete_week, shift_week, week_range

BASELINE_WEEKS = 12
FDR = 0.05
APPEAL_WINDOW_DAYS = 30
# Fewer baseline weeks than this give a centre line too unsteady to call a point a breach.
MIN_CONTROL_BASELINE_WEEKS = 4

HEADLINE_METRICS = ("accuracy", "over_enforcement_rate", "overturn_rate", "penalty_rate")
CONTROL_METRICS = ("accuracy", "overturn_rate")
COMPARISONS = ("previous", "baseline")

# Segment families: the group keys of each, in the order the review lists them.
FAMILIES: dict[str, tuple[str, ...]] = {
    "overall": (),
    "market": ("market_code",),
    "market_policy": ("market_code", "policy_area"),
    "label": ("label_code",),
    "vendor": ("vendor_code",),
    "moderator": ("moderator_id",),
}
FAMILY_LABELS = {
    "overall": "overall",
    "market": "market",
    "market_policy": "market × policy area",
    "label": "rejection label",
    "vendor": "vendor",
    "moderator": "moderator",
}
# Which segments each metric is judged in: labels carry appeals and penalties (a label is
# what a seller appeals against), moderators carry QA accuracy.
METRIC_FAMILIES: dict[str, tuple[str, ...]] = {
    "accuracy": ("overall", "market", "market_policy", "vendor", "moderator"),
    "over_enforcement_rate": ("overall", "market", "market_policy", "vendor", "moderator"),
    "overturn_rate": ("overall", "market", "market_policy", "label", "vendor"),
    "penalty_rate": ("overall", "market", "market_policy", "label", "vendor"),
}
SEGMENT_KEYS = ("market_code", "policy_area", "label_code", "vendor_code", "moderator_id")
# One query per source and grouping; overall, market and market x policy area are sums of
# the finest of them, so they cost no extra query.
_MARKET_POLICY = ("market_code", "policy_area")
QUERY_KEYS = {
    "overall": _MARKET_POLICY,
    "market": _MARKET_POLICY,
    "market_policy": _MARKET_POLICY,
    "label": ("label_code",),
    "vendor": ("vendor_code",),
    "moderator": ("moderator_id",),
}
COUNT_QUERIES = {
    "inspections": queries.inspection_counts,
    "appeals": queries.appeal_counts,
    "penalties": queries.penalty_counts,
}

# Why a comparison or a control-chart point was not judged.
IMMATURE = "immature"
NO_EARLIER_DATA = "no earlier data"
BELOW_MINIMUM = "below minimum sample"
SHORT_BASELINE = "baseline too short"

Progress = Callable[[float, str], None]
CountQuery = Callable[[Callable[..., pd.DataFrame], Filters, tuple[str, ...]], pd.DataFrame]


@dataclass(frozen=True)
class LinkTarget:
    """Where a finding is explained: a dashboard page (URL path) and the view to open there."""

    page: str
    page_title: str
    filters: Filters
    choices: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WeeklyReview:
    """Everything the weekly review page and report show for one ISO week.

    ``comparisons`` has one row per metric x segment x comparison (``previous`` week or
    trailing ``baseline``) with the movers' columns, ``p_adjusted`` and ``moved`` over the
    whole page, and ``reason`` when not judged. ``segments`` has one row per metric x
    segment with both comparisons side by side. ``control`` holds the p-chart points per
    metric and market; ``trend`` the overall weekly rate of each headline metric.
    """

    week: str
    start: dt.date
    end: dt.date
    previous_week: str
    baseline_first_week: str
    baseline_weeks: int
    baseline_weeks_with_data: int
    filters: Filters
    latest_data: dt.datetime | None
    min_sample: int
    fdr: float
    appeal_window_days: int
    decisions: int
    previous_decisions: int
    inspections: int
    complete: bool
    appeals_immature: bool
    pending_share: float
    comparisons: pd.DataFrame
    segments: pd.DataFrame
    control: pd.DataFrame
    trend: pd.DataFrame
    causes: pd.DataFrame = field(default_factory=pd.DataFrame)
    standing: pd.DataFrame = field(default_factory=pd.DataFrame)
    pooled: pd.DataFrame = field(default_factory=pd.DataFrame)
    unpooled: pd.DataFrame = field(default_factory=pd.DataFrame)
    standing_weeks: int = STANDING_WEEKS
    pooled_weeks: int = POOLED_WEEKS

    @property
    def has_data(self) -> bool:
        """Return True when the reviewed week holds any decision of the selection."""
        return self.decisions > 0

    @property
    def has_previous(self) -> bool:
        """Return True when the week before the reviewed one holds decisions to compare with."""
        return self.previous_decisions > 0

    @property
    def movers(self) -> pd.DataFrame:
        """Return the segments whose change passed the movers' test, largest effect first."""
        moved = self.segments[self.segments["moved"]] if len(self.segments) else self.segments
        return moved.sort_values("effect", ascending=False, kind="stable").reset_index(drop=True)

    @property
    def headline(self) -> pd.DataFrame:
        """Return the headline rows: each headline metric overall and per market."""
        if self.segments.empty:
            return self.segments
        return self.segments[self.segments["family"].isin(("overall", "market"))].reset_index(
            drop=True
        )

    @property
    def breaches(self) -> pd.DataFrame:
        """Return the judged control-chart points that break a rule, reviewed week first."""
        if self.control.empty:
            return self.control
        broken = self.control[self.control["breach"]]
        return broken.sort_values(
            ["in_reviewed_week", "period", "metric", "market_code"],
            ascending=[False, False, True, True],
        ).reset_index(drop=True)

    @property
    def judged_comparisons(self) -> int:
        """Return how many comparisons on the page were judged (the BH family's size)."""
        return int(self.comparisons["judged"].sum()) if len(self.comparisons) else 0


def _window(week: str, baseline_weeks: int, filters: Filters | None) -> Filters:
    """Return the filters over the baseline weeks and the reviewed week, by week."""
    monday, sunday = week_range(week)
    start = monday - dt.timedelta(weeks=baseline_weeks)
    base = filters or Filters(start=start, end=sunday)
    return replace(base, start=start, end=sunday, grain="week")


def _latest_decision(engine: sa.Engine) -> dt.datetime | None:
    """Return the newest decision time in the warehouse, or None when it is empty."""
    fresh = queries.freshness(engine).set_index("table_name")
    latest = fresh.loc["decisions", "latest"]
    if pd.isna(latest):
        return None
    # A decision dated after today is a loading mistake (validate reports it); the review
    # judges the data up to now rather than a week in the year 9999.
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return min(pd.Timestamp(latest).to_pydatetime().replace(tzinfo=None), now)


def immature_periods(
    periods: pd.Series, latest: dt.datetime | None, appeal_window_days: int
) -> pd.Series:
    """Return True for weekly cohorts that end within the appeal window of the latest data."""
    if latest is None:
        return pd.Series(False, index=periods.index)
    cutoff = pd.Timestamp(latest) - pd.Timedelta(days=appeal_window_days)
    return (periods + pd.Timedelta(weeks=1)) > cutoff


def _segment_names(frame: pd.DataFrame, keys: Sequence[str]) -> pd.Series:
    """Return each row's segment as display text: ``ID · listing``, or ``overall``."""
    if not keys:
        return pd.Series("overall", index=frame.index, dtype=object)
    names = frame[keys[0]].astype(str)
    for key in keys[1:]:
        names = names + " · " + frame[key].astype(str)
    return names.astype(object)


def _family_sides(
    counts: pd.DataFrame, metric: Metric, keys: list[str], weeks: dict[str, pd.Timestamp]
) -> pd.DataFrame:
    """Return one family's segments with the metric's counts summed on each side: the
    reviewed week (``*_current``), the previous week and the baseline weeks before it."""
    frame = counts.dropna(subset=keys) if keys else counts
    period = frame["period"]
    rows = frame[(period >= weeks["baseline"]) & (period <= weeks["current"])]
    period = rows["period"].to_numpy()
    group = (
        rows.groupby(keys, sort=False).ngroup().to_numpy()
        if keys
        else np.zeros(len(rows), dtype=np.intp)
    )
    size = int(group.max()) + 1 if len(group) else 0
    masks = {
        "current": period == weeks["current"],
        "previous": period == weeks["previous"],
        "baseline": period < weeks["current"],
    }
    sums = {}
    for column, name in ((metric.numerator, "numerator"), (metric.denominator, "denominator")):
        values = rows[column].to_numpy(dtype=float, na_value=np.nan)
        values = np.nan_to_num(values, nan=0.0)
        for side, mask in masks.items():
            sums[f"{name}_{side}"] = np.bincount(group[mask], values[mask], minlength=size)
    _, first = np.unique(group, return_index=True)
    segments = rows[keys].iloc[first].reset_index(drop=True)
    return segments.assign(**sums)


def _compare_families(
    frames: dict[tuple[str, tuple[str, ...]], pd.DataFrame],
    weeks: dict[str, pd.Timestamp],
    min_sample: int,
) -> pd.DataFrame:
    """Return every headline metric's comparisons, family by family, of the reviewed week
    with the previous week and with the baseline.

    One row per metric x family x comparison x segment active this week, as
    :func:`metrics.movers.compare_periods` of the two sides gives it (a side without the
    segment counts 0/0), with the reviewed week's Wilson ``lower_current``/``upper_current``.
    The sums are taken family by family; the tests and intervals run once over all rows, as
    forty ``compare_periods`` calls cost the review more than everything else it computes.
    ``p_adjusted`` and ``moved`` are left for :func:`_judge`, which runs BH over the page.
    """
    # Column by column over every block, then one frame: forty small frames and their
    # concatenation cost more than the sums.
    columns: dict[str, list[np.ndarray]] = {
        name: []
        for name in (
            "numerator_current",
            "denominator_current",
            "numerator_previous",
            "denominator_previous",
            "comparison",
            "metric",
            "family",
            "segment",
            *SEGMENT_KEYS,
        )
    }
    for name in HEADLINE_METRICS:
        metric = METRICS_BY_NAME[name]
        for family in METRIC_FAMILIES[name]:
            keys = list(FAMILIES[family])
            sides = _family_sides(frames[(metric.source, QUERY_KEYS[family])], metric, keys, weeks)
            sides = sides[sides["denominator_current"] > 0]
            size = len(sides)
            segment = _segment_names(sides, keys).to_numpy(dtype=object)
            segment_keys = {
                key: (
                    sides[key].to_numpy(dtype=object)
                    if key in keys
                    else np.full(size, None, dtype=object)
                )
                for key in SEGMENT_KEYS
            }
            for comparison in COMPARISONS:
                columns["numerator_current"].append(sides["numerator_current"].to_numpy())
                columns["denominator_current"].append(sides["denominator_current"].to_numpy())
                columns["numerator_previous"].append(sides[f"numerator_{comparison}"].to_numpy())
                columns["denominator_previous"].append(
                    sides[f"denominator_{comparison}"].to_numpy()
                )
                for column, value in (("comparison", comparison), ("metric", name)):
                    columns[column].append(np.full(size, value, dtype=object))
                columns["family"].append(np.full(size, family, dtype=object))
                columns["segment"].append(segment)
                for key in SEGMENT_KEYS:
                    columns[key].append(segment_keys[key])
    # Segment names and keys stay Python objects, None where a family has no such key.
    as_objects = {"segment", *SEGMENT_KEYS}
    stacked = pd.DataFrame(
        {
            name: pd.Series(np.concatenate(parts), dtype=object if name in as_objects else None)
            for name, parts in columns.items()
        }
    )
    for key in SEGMENT_KEYS:
        stacked[key] = stacked[key].where(stacked[key].notna(), None)
    c1, n1, c2, n2 = (
        stacked[column].to_numpy(dtype=float)
        for column in (
            "numerator_current",
            "denominator_current",
            "numerator_previous",
            "denominator_previous",
        )
    )
    lower, upper, p_value = difference_test(c1, n1, c2, n2)
    rate_current, rate_previous = safe_rate(c1, n1), safe_rate(c2, n2)
    lower_current, upper_current = wilson_interval(c1, n1)
    judged = (n1 >= min_sample) & (n2 >= min_sample)
    result = pd.DataFrame(
        {
            **{
                column: _whole(stacked[column].to_numpy(dtype=float))
                for column in ("numerator_current", "denominator_current")
            },
            "rate_current": rate_current,
            **{
                column: _whole(stacked[column].to_numpy(dtype=float))
                for column in ("numerator_previous", "denominator_previous")
            },
            "rate_previous": rate_previous,
            "difference": rate_current - rate_previous,
            "difference_lower": lower,
            "difference_upper": upper,
            "p_value": p_value,
            # Placeholders in compare_periods' column order: _judge runs BH over the page.
            "p_adjusted": np.nan,
            "moved": False,
            "judged": judged,
            "comparison": stacked["comparison"],
            "metric": stacked["metric"],
            "family": stacked["family"],
            "segment": stacked["segment"],
            "lower_current": lower_current,
            "upper_current": upper_current,
            **{key: stacked[key] for key in SEGMENT_KEYS},
        }
    )
    # compare_periods' order within each metric x family x comparison: judged first, then
    # the largest change, ties in the order of the segments' keys.
    block = (
        stacked["metric"].map({name: index for index, name in enumerate(HEADLINE_METRICS)})
        * len(FAMILIES)
        + stacked["family"].map({name: index for index, name in enumerate(FAMILIES)})
    ) * len(COMPARISONS) + stacked["comparison"].map(
        {name: index for index, name in enumerate(COMPARISONS)}
    )
    ordered = result.assign(_block=block, _effect=result["difference"].abs()).sort_values(
        ["_block", "judged", "_effect", *SEGMENT_KEYS],
        ascending=[True, False, False, *(True for _ in SEGMENT_KEYS)],
        na_position="last",
        kind="stable",
    )
    return ordered.drop(columns=["_block", "_effect"]).reset_index(drop=True)


def _whole(values: np.ndarray) -> np.ndarray:
    """Return counts as integers when every one is whole (sums of counts), else as floats."""
    return values.astype("int64") if (values % 1 == 0).all() else values


def _judge(comparisons: pd.DataFrame, appeals_immature: bool, fdr: float) -> pd.DataFrame:
    """Return comparisons with page-wide BH ``p_adjusted``, ``moved`` and unjudged ``reason``."""
    source = comparisons["metric"].map(lambda name: METRICS_BY_NAME[name].source)
    immature = (source == "appeals") & appeals_immature
    judged = comparisons["judged"] & ~immature
    p_adjusted = bh_adjust(np.where(judged, comparisons["p_value"], np.nan))
    reason = np.select(
        [
            immature,
            comparisons["denominator_previous"] == 0,
            ~judged,
        ],
        [IMMATURE, NO_EARLIER_DATA, BELOW_MINIMUM],
        default="",
    )
    return comparisons.assign(
        judged=judged,
        p_adjusted=p_adjusted,
        moved=judged & (p_adjusted < fdr),
        reason=reason,
    )


# The long comparison columns shown side by side in ``segments``, as ``{comparison}_{name}``;
# compare_periods calls the earlier side "previous" whichever comparison it is.
SIDE_COLUMNS = {
    "numerator_previous": "numerator",
    "denominator_previous": "denominator",
    "rate_previous": "rate",
    "difference": "difference",
    "difference_lower": "difference_lower",
    "difference_upper": "difference_upper",
    "p_value": "p_value",
    "p_adjusted": "p_adjusted",
    "moved": "moved",
    "judged": "judged",
    "reason": "reason",
}
CURRENT_COLUMNS = {
    "numerator_current": "numerator",
    "denominator_current": "denominator",
    "rate_current": "rate",
    "lower_current": "lower",
    "upper_current": "upper",
}
IDENTITY = ("metric", "family", "segment", *SEGMENT_KEYS)
SEGMENT_COLUMNS = (
    *IDENTITY,
    *CURRENT_COLUMNS.values(),
    *(f"{comparison}_{name}" for comparison in COMPARISONS for name in SIDE_COLUMNS.values()),
    "moved",
    "judged",
    "effect",
    "lead",
    "worse",
)


def _segments(comparisons: pd.DataFrame) -> pd.DataFrame:
    """Return one row per metric x segment with both comparisons side by side.

    This week's ``numerator, denominator, rate, lower, upper``, then per comparison
    ``previous_rate``, ``previous_difference``, ``previous_moved``… and ``baseline_…``.
    ``moved`` is either comparison moving; ``lead`` names the comparison a sentence quotes
    (the previous week when it moved); ``effect`` is the largest absolute change among moved
    comparisons (else among judged ones); ``worse`` says the lead change is for the worse.
    """
    identity = ["metric", "family", "segment"]
    current = comparisons[comparisons["comparison"] == COMPARISONS[0]]
    wide = current[list(IDENTITY)].join(
        current[list(CURRENT_COLUMNS)].rename(columns=CURRENT_COLUMNS)
    )
    for comparison in COMPARISONS:
        side = comparisons[comparisons["comparison"] == comparison]
        renamed = side[list(SIDE_COLUMNS)].rename(
            columns={old: f"{comparison}_{new}" for old, new in SIDE_COLUMNS.items()}
        )
        wide = wide.merge(pd.concat([side[identity], renamed], axis=1), on=identity, how="left")
    moved = {c: wide[f"{c}_moved"].fillna(False).astype(bool) for c in COMPARISONS}
    judged = {c: wide[f"{c}_judged"].fillna(False).astype(bool) for c in COMPARISONS}
    change = {c: wide[f"{c}_difference"].abs() for c in COMPARISONS}
    moved_effect = pd.concat([change[c].where(moved[c]) for c in COMPARISONS], axis=1).max(axis=1)
    judged_effect = pd.concat([change[c].where(judged[c]) for c in COMPARISONS], axis=1).max(axis=1)
    lead = np.where(moved["previous"] | ~moved["baseline"], "previous", "baseline")
    lead_difference = np.where(
        lead == "previous", wide["previous_difference"], wide["baseline_difference"]
    )
    higher_is_better = wide["metric"].map(lambda name: METRICS_BY_NAME[name].higher_is_better)
    worse = np.where(higher_is_better, lead_difference < 0, lead_difference > 0)
    family_order = {name: index for index, name in enumerate(FAMILIES)}
    metric_order = {name: index for index, name in enumerate(HEADLINE_METRICS)}
    wide = wide.assign(
        moved=moved["previous"] | moved["baseline"],
        judged=judged["previous"] | judged["baseline"],
        effect=moved_effect.fillna(judged_effect),
        lead=lead,
        worse=worse,
        _metric=wide["metric"].map(metric_order),
        _family=wide["family"].map(family_order),
    )
    return (
        wide.sort_values(["_metric", "_family", "segment"])
        .drop(columns=["_metric", "_family"])
        .reset_index(drop=True)
    )


def _weekly_series(
    frame: pd.DataFrame, weeks: pd.DatetimeIndex, keys: Sequence[str]
) -> pd.DataFrame:
    """Return counts summed per week (and keys), with every week present (0 when empty)."""
    counts = frame.select_dtypes("number").columns.tolist()
    summed = frame.groupby(["period", *keys], as_index=False)[counts].sum()
    if not keys:
        return (
            summed.set_index("period")
            .reindex(weeks, fill_value=0)
            .rename_axis("period")
            .reset_index()
        )
    index = pd.MultiIndex.from_product(
        [weeks, *(sorted(summed[key].dropna().unique()) for key in keys)], names=["period", *keys]
    )
    return summed.set_index(["period", *keys]).reindex(index, fill_value=0).reset_index()


def _control(
    counts: dict[str, pd.DataFrame],
    weeks: pd.DatetimeIndex,
    current: pd.Timestamp,
    immature: pd.Series,
    min_sample: int,
) -> pd.DataFrame:
    """Return p-chart points per control metric and market, breaches only where judged.

    Centre and limits come from the mature baseline weeks before the reviewed one. A point
    is judged when its denominator reaches the minimum sample, its cohort is mature for an
    appeal metric, and the baseline has enough weeks; otherwise ``reason`` says why not.
    """
    charts = []
    for name in CONTROL_METRICS:
        metric = METRICS_BY_NAME[name]
        frame = counts[metric.source]
        if frame.empty:
            continue
        # One chart per market, each in time order.
        series = (
            _weekly_series(frame, weeks, ["market_code"])
            .sort_values(["market_code", "period"], kind="stable")
            .reset_index(drop=True)
        )
        # Only appeal metrics wait for their cohort to mature; QA and penalties are final.
        appeal_metric = metric.source == "appeals"
        mature = ~(series["period"].map(immature).fillna(False).astype(bool) & appeal_metric)
        denominator = series[metric.denominator]
        baseline = (series["period"] < current) & mature & (denominator > 0)
        chart = p_chart(
            series, metric.numerator, metric.denominator, baseline=baseline, by="market_code"
        )
        baseline_weeks = baseline.groupby(series["market_code"]).transform("sum")
        reason = np.select(
            [
                (~mature).to_numpy(),
                (denominator < min_sample).to_numpy(),
                (baseline_weeks < MIN_CONTROL_BASELINE_WEEKS).to_numpy(),
            ],
            [IMMATURE, BELOW_MINIMUM, SHORT_BASELINE],
            default="",
        )
        judged = reason == ""
        charts.append(
            chart.assign(
                metric=name,
                numerator=series[metric.numerator],
                denominator=denominator,
                judged=judged,
                reason=reason,
                immature=~mature,
                beyond_limits=chart["beyond_limits"] & judged,
                run_of_eight=chart["run_of_eight"] & judged,
                breach=chart["breach"] & judged,
                in_reviewed_week=series["period"] == current,
            )[list(CONTROL_COLUMNS)]
        )
    if not charts:
        return pd.DataFrame(columns=list(CONTROL_COLUMNS))
    return pd.concat(charts, ignore_index=True)


CONTROL_COLUMNS = (
    "metric",
    "market_code",
    "period",
    "numerator",
    "denominator",
    "rate",
    "centre",
    "lower_limit",
    "upper_limit",
    "beyond_limits",
    "run_of_eight",
    "breach",
    "judged",
    "reason",
    "immature",
    "in_reviewed_week",
)


def _trend(
    counts: dict[str, pd.DataFrame], weeks: pd.DatetimeIndex, immature: pd.Series, min_sample: int
) -> pd.DataFrame:
    """Return the overall weekly rate, interval and flags of each headline metric."""
    parts = []
    for name in HEADLINE_METRICS:
        metric = METRICS_BY_NAME[name]
        series = _weekly_series(counts[metric.source], weeks, [])
        rates = metric_rates(series, metric, min_sample=min_sample)
        is_immature = rates["period"].map(immature).fillna(False).astype(bool)
        parts.append(
            rates[
                ["period", "numerator", "denominator", "rate", "lower", "upper", "enough_data"]
            ].assign(metric=name, immature=is_immature & (metric.source == "appeals"))
        )
    return pd.concat(parts, ignore_index=True)


def _standing_sources(
    frames: dict, precision: pd.DataFrame, immature: pd.Series
) -> dict[str, pd.DataFrame]:
    """Return the weekly counts Standing problems judge, keyed ``kind:metric``.

    Appeal cohorts younger than the appeal window are left out: their resolved appeals are
    the fast ones, which would bias a label's overturn rate.
    """
    appeals = frames[("appeals", ("label_code",))]
    mature = ~appeals["period"].map(immature).fillna(False).astype(bool)
    sources = {
        "label:overturn_rate": appeals[mature],
        "label:precision": precision,
        "vendor:accuracy": frames[("inspections", ("vendor_code",))],
        "moderator:accuracy": frames[("inspections", ("moderator_id",))],
    }
    for name in HEADLINE_METRICS:
        metric = METRICS_BY_NAME[name]
        frame = frames[(metric.source, _MARKET_POLICY)]
        if metric.source == "appeals":
            frame = frame[~frame["period"].map(immature).fillna(False).astype(bool)]
        sources[f"market_policy:{name}"] = frame
    return sources


def _low_volume(
    sources: dict[str, pd.DataFrame], current: pd.Timestamp, min_sample: int
) -> dict[str, set]:
    """Return, per label, vendor and moderator source, the units active but below the minimum
    sample in the reviewed week: the ones the pooled section judges."""
    low = {}
    for source_key, weekly in sources.items():
        kind, name = source_key.split(":")
        if kind == "market_policy":
            continue
        metric = PRECISION if name == "precision" else METRICS_BY_NAME[name]
        key = {"label": "label_code", "vendor": "vendor_code", "moderator": "moderator_id"}[kind]
        week = weekly[(weekly["period"] == current)].dropna(subset=[key])
        totals = week.groupby(key)[metric.denominator].sum()
        low[source_key] = set(totals[(totals > 0) & (totals < min_sample)].index)
    return low


def _fetch_plan() -> list[tuple[str, tuple[str, ...]]]:
    """Return the (source, group keys) count queries the review needs, each once."""
    plan = []
    for name in HEADLINE_METRICS:
        source = METRICS_BY_NAME[name].source
        for family in METRIC_FAMILIES[name]:
            step = (source, QUERY_KEYS[family])
            if step not in plan:
                plan.append(step)
    return plan


def build_review(
    engine: sa.Engine,
    week: str,
    filters: Filters | None = None,
    *,
    min_sample: int = MIN_SAMPLE,
    appeal_window_days: int = APPEAL_WINDOW_DAYS,
    baseline_weeks: int = BASELINE_WEEKS,
    fdr: float = FDR,
    standing_weeks: int = STANDING_WEEKS,
    pooled_weeks: int = POOLED_WEEKS,
    progress: Progress | None = None,
    count_query: CountQuery | None = None,
) -> WeeklyReview:
    """Return the weekly review of ``week`` (``YYYY-Www``) on a warehouse.

    ``filters`` narrows the review to its markets, policy areas, labels, vendors and queues;
    its dates are ignored, because the week sets them. ``standing_weeks`` is the trailing
    window of Standing problems (the reviewed week included), ``pooled_weeks`` the window a
    low-volume unit is pooled over. ``progress(fraction, message)`` is called before each
    warehouse query, for a command-line progress bar. ``count_query(query, filters, by)``
    runs a count query (default: straight on ``engine``); the app passes its cached one, so
    the review shares frames with the other pages.
    """
    report = progress or (lambda fraction, message: None)
    count = count_query or (lambda query, chosen, by: query(engine, chosen, by))
    monday, sunday = week_range(week)
    window = _window(week, baseline_weeks, filters)
    # The queries reach back far enough for both the baseline and the standing window; the
    # baseline computations reindex to their own weeks.
    reach = max(baseline_weeks, standing_weeks - 1, pooled_weeks - 1)
    fetch = replace(window, start=monday - dt.timedelta(weeks=reach))
    plan = _fetch_plan()
    steps = len(plan) + 2
    report(0.0, "Finding the latest data")
    latest = _latest_decision(engine)
    report(1 / steps, "Counting decisions per week")
    weekly = count(queries.decision_counts, window, ("period",)).set_index("period")["decisions"]
    frames: dict[tuple[str, tuple[str, ...]], pd.DataFrame] = {}
    for index, (source, keys) in enumerate(plan):
        report((index + 2) / steps, f"Counting {source} by {' and '.join(keys)}")
        frames[(source, keys)] = count(COUNT_QUERIES[source], fetch, ("period", *keys))
    precision = count(queries.label_counts, fetch, ("period",))
    if weekly.get(pd.Timestamp(monday), 0):
        # Root causes compare two weeks only: their finer groupings read just those weeks.
        pair = replace(window, start=monday - dt.timedelta(weeks=1))
        for source, keys in cause_queries(HEADLINE_METRICS):
            if (source, keys) not in frames:
                report(1.0, f"Counting {source} by {' and '.join(keys)}")
                frames[(source, keys)] = count(COUNT_QUERIES[source], pair, ("period", *keys))
    report(1.0, "Judging the changes")

    weeks = pd.date_range(pd.Timestamp(window.start), pd.Timestamp(monday), freq="7D")
    current, previous = pd.Timestamp(monday), pd.Timestamp(monday) - pd.Timedelta(weeks=1)
    marks = {"current": current, "previous": previous, "baseline": pd.Timestamp(window.start)}
    immature_by_week = pd.Series(
        immature_periods(pd.Series(weeks), latest, appeal_window_days).to_numpy(), index=weeks
    )
    decisions = int(weekly.get(current, 0))
    market_policy = {source: frames[(source, _MARKET_POLICY)] for source in COUNT_QUERIES}
    this_week = {
        source: frame[frame["period"] == current] for source, frame in market_policy.items()
    }
    pending = int(this_week["appeals"]["pending"].sum())
    resolved = int(this_week["appeals"]["resolved"].sum())

    comparisons = pd.DataFrame(columns=["comparison", *IDENTITY, "judged", "moved", "reason"])
    segments = pd.DataFrame(columns=list(SEGMENT_COLUMNS))
    causes = pd.DataFrame(columns=list(CAUSE_COLUMNS))
    standing = pooled = pd.DataFrame(columns=list(STANDING_COLUMNS))
    unpooled = pd.DataFrame()
    if decisions:
        comparisons = _judge(
            _compare_families(frames, marks, min_sample), bool(immature_by_week[current]), fdr
        )
        segments = _segments(comparisons)
        causes = root_causes(frames, segments, (current, previous), fdr)
        sources = _standing_sources(frames, precision, immature_by_week)
        first = current - pd.Timedelta(weeks=standing_weeks - 1)
        standing = judge_units(sources, first, current, min_sample=min_sample, fdr=fdr)
        low = _low_volume(sources, current, min_sample)
        pooled_start = current - pd.Timedelta(weeks=pooled_weeks - 1)
        pooled = judge_units(
            sources, pooled_start, current, only=low, min_sample=min_sample, fdr=fdr
        )
        unpooled = unjudgeable(
            sources, pooled_start, current, low, min_sample=min_sample, weeks=pooled_weeks
        )
    control = _control(market_policy, weeks, current, immature_by_week, min_sample)
    complete = latest is not None and week_range(last_complete_week(latest))[0] >= monday
    return WeeklyReview(
        week=week,
        start=monday,
        end=sunday,
        previous_week=shift_week(week, -1),
        baseline_first_week=iso_week(window.start),
        baseline_weeks=baseline_weeks,
        baseline_weeks_with_data=int(
            ((weekly.index >= pd.Timestamp(window.start)) & (weekly.index < current)).sum()
        ),
        filters=window,
        latest_data=latest,
        min_sample=min_sample,
        fdr=fdr,
        appeal_window_days=appeal_window_days,
        decisions=decisions,
        previous_decisions=int(weekly.get(previous, 0)),
        inspections=int(this_week["inspections"]["inspections"].sum()),
        complete=complete,
        appeals_immature=bool(immature_by_week[current]),
        pending_share=pending / (pending + resolved) if pending + resolved else float("nan"),
        comparisons=comparisons,
        segments=segments,
        control=control,
        trend=_trend(market_policy, weeks, immature_by_week, min_sample),
        causes=causes,
        standing=standing,
        pooled=pooled,
        unpooled=unpooled,
        standing_weeks=standing_weeks,
        pooled_weeks=pooled_weeks,
    )


@dataclass(frozen=True)
class Page:
    """A dashboard page a finding can link to: URL path, title and the filters it takes."""

    path: str
    title: str
    dimensions: tuple[str, ...]


# The pages' sidebar dimensions: a link carries only these, because a page warns about any
# filter it does not take. tests/pages/test_weekly_review.py opens a link to each page.
PAGES = {
    "overview": Page("", "Overview", ("markets", "policy_areas")),
    "labels": Page("labels", "Labels", ("markets", "policy_areas", "vendors", "queues")),
    "appeals": Page("appeals", "Appeals", ("markets", "policy_areas", "labels", "queues")),
    "penalties": Page("penalties", "Penalties", ("markets", "policy_areas", "labels", "queues")),
    "vendors": Page(
        "vendors", "Vendors & moderators", ("markets", "policy_areas", "vendors", "queues")
    ),
}
# Metrics the Vendors page can draw its funnels for.
FUNNEL_METRICS = ("accuracy", "overturn_rate")
LIST_FIELDS = ("markets", "policy_areas", "labels", "vendors", "queues")


def _key(row: pd.Series, key: str) -> str | None:
    value = row.get(key)
    return str(value) if isinstance(value, str) and value else None


def _page_for(metric: str, family: str) -> str:
    """Return the page that explains a metric's change in a kind of segment."""
    if family == "label":
        return "labels" if metric == "overturn_rate" else "penalties"
    if family in ("vendor", "moderator"):
        return "vendors"
    return {"overturn_rate": "appeals", "penalty_rate": "penalties"}.get(metric, "overview")


def _page_choices(page: str, metric: str, row: pd.Series) -> dict[str, str]:
    """Return the destination page's own link choices that point at the segment."""
    if page == "overview":
        return {"metric": metric}
    if page == "labels":
        # An overturn finding lists the label's appealed decisions, not its inspected ones.
        drill = {"drill_list": "appeals"} if metric == "overturn_rate" else {}
        return {"label_detail": _key(row, "label_code") or "", "label_sort": metric, **drill}
    choices = {}
    if page == "vendors":
        if metric in FUNNEL_METRICS:
            choices["funnel_metric"] = metric
        if vendor := _key(row, "vendor_code"):
            choices["trend_vendor"] = vendor
        if moderator := _key(row, "moderator_id"):
            choices["moderator"] = moderator
    return choices


def explain_target(review: WeeklyReview, row: pd.Series) -> LinkTarget:
    """Return the page and view that explain one segment row: its filters over the window.

    A label's overturn opens on Labels with that label's detail, a label's penalty rate on
    Penalties; vendors and moderators open on Vendors & moderators (the moderator's detail);
    other appeal and penalty rows on their pages; QA rows on the Overview with the metric
    chosen. Dates span the baseline and the week, so the change shows as a trend there.
    """
    family, metric = row["family"], row["metric"]
    page = PAGES[_page_for(metric, family)]
    narrowed = {
        "markets": _key(row, "market_code"),
        "policy_areas": _key(row, "policy_area"),
        "labels": _key(row, "label_code"),
        "vendors": _key(row, "vendor_code"),
    }
    selections = {}
    for name in LIST_FIELDS:
        if name not in page.dimensions:
            selections[name] = ()
        elif narrowed.get(name):
            selections[name] = (narrowed[name],)
        else:
            selections[name] = getattr(review.filters, name)
    filters = replace(review.filters, grain="week", moderators=(), **selections)
    choices = {
        key: value
        for key, value in _page_choices(_page_for(metric, family), metric, row).items()
        if value
    }
    return LinkTarget(page=page.path, page_title=page.title, filters=filters, choices=choices)
