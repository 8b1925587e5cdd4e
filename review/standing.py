"""Standing problems and pooled low-volume units: levels out of line, not week-on-week change.

A label overturned at 60% since the first week, or a moderator at 70% accuracy, never
*moves*, so the movers' test never sees them. Here each unit's level over a trailing window
is judged against its peers:

* labels against all other labels (pooled), on overturn rate and precision, by the
  two-proportion test;
* vendors and moderators on the 99.8% accuracy funnel (``metrics.funnel``, calibrated
  binomial limits), with the exact two-sided binomial p-value against the overall rate;
* each market x policy area against its policy area's rate over all markets, for every
  headline metric (areas differ by design: their labels carry different severities and
  appeal rates, so comparing across areas would flag the label mix, not quality).

Benjamini-Hochberg runs once over every unit judged in the section (two-sided p-values). A
unit is flagged when it passes BH, is worse than its peers and, for vendors and moderators,
also sits outside the funnel. "Since" is the
first week of the unbroken run of weeks, up to the reviewed one, in which the unit's weekly
rate sat on the flagged side of its reference rate.

Units below the minimum sample in the reviewed week are judged the same way on a pooled
trailing window (default 4 weeks), as their own section and family.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import binom, norm

from metrics.funnel import funnel_positions
from metrics.labels import PRECISION
from metrics.movers import bh_adjust
from metrics.rates import counts, safe_rate, wilson_interval
from metrics.registry import METRICS_BY_NAME, Metric
from metrics.sampling import required_sample_size

STANDING_WEEKS = 13
POOLED_WEEKS = 4
HEADLINE = ("accuracy", "over_enforcement_rate", "overturn_rate", "penalty_rate")
STANDING_COLUMNS = (
    "kind",
    "metric",
    "unit",
    "market_code",
    "policy_area",
    "label_code",
    "vendor_code",
    "moderator_id",
    "numerator",
    "denominator",
    "rate",
    "lower",
    "upper",
    "reference_rate",
    "p_value",
    "p_adjusted",
    "judged",
    "flagged",
    "worse",
    "since",
    "position",
)
KIND_LABELS = {
    "label": "label",
    "vendor": "vendor",
    "moderator": "moderator",
    "market_policy": "market × policy area",
}
KIND_KEYS = {
    "label": ("label_code",),
    "vendor": ("vendor_code",),
    "moderator": ("moderator_id",),
    "market_policy": ("market_code", "policy_area"),
}


def _against_rest(
    units: pd.DataFrame, metric: Metric, keys: list[str], totals: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Return each unit's two-proportion test against all other units pooled (the other
    units of its group when ``totals`` gives each row its group's sums)."""
    x = counts(units, metric.numerator)
    n = counts(units, metric.denominator)
    if totals is None:
        rest_x, rest_n = x.sum() - x, n.sum() - n
    else:
        rest_x = counts(totals, metric.numerator) - x
        rest_n = counts(totals, metric.denominator) - n
    # The pooled two-proportion score test (as the movers' difference_test, without its
    # interval, which Standing problems do not show and which costs most of the time).
    pooled = safe_rate(x + rest_x, n + rest_n)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(pooled * (1 - pooled) * (1 / n + 1 / rest_n))
        z = np.abs(safe_rate(x, n) - safe_rate(rest_x, rest_n)) / se
    p_value = np.where((n > 0) & (rest_n > 0), np.where(se > 0, 2 * norm.sf(z), 1.0), np.nan)
    return units.assign(reference_rate=safe_rate(rest_x, rest_n), p_value=p_value)


def _against_funnel(units: pd.DataFrame, metric: Metric, min_sample: int) -> pd.DataFrame:
    """Return each unit's funnel position and exact binomial p-value against the overall rate."""
    positions = funnel_positions(units, metric.numerator, metric.denominator, min_sample=min_sample)
    x = counts(units, metric.numerator)
    n = counts(units, metric.denominator)
    overall = float(positions["overall_rate"].iloc[0]) if len(units) else np.nan
    # Two-sided exact p-value: twice the smaller tail, at most 1.
    tails = np.minimum(binom.cdf(x, n, overall), binom.sf(x - 1, n, overall))
    return units.assign(
        reference_rate=overall,
        p_value=np.minimum(1.0, 2 * tails),
        position=positions["position"].to_numpy(),
    )


def _against_area(units: pd.DataFrame, metric: Metric) -> pd.DataFrame:
    """Return each market x policy area's test against its area's other markets pooled."""
    area = units.groupby("policy_area", sort=False)
    totals = area[[metric.numerator, metric.denominator]].transform("sum")
    # Rows stay grouped by area, in the order the areas first appear, as one test per area.
    order = np.argsort(area.ngroup().to_numpy(), kind="stable")
    return _against_rest(units, metric, ["market_code"], totals=totals).iloc[order]


def _unit_names(units: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Return each unit's keys as one text, ``DE · listing`` for a market x policy area."""
    names = units[keys[0]].astype(str)
    for key in keys[1:]:
        names = names + " · " + units[key].astype(str)
    return names


def _run_starts(
    units: pd.DataFrame, sources: dict[str, pd.DataFrame], start: pd.Timestamp, end: pd.Timestamp
) -> dict[int, pd.Timestamp]:
    """Return, by row of ``units``, each flagged unit's first week of the unbroken run of
    weeks up to ``end`` in which its weekly rate sat on the flagged side of its reference.

    A unit whose last week with data is not on that side has no run and no entry. Weeks
    without data (denominator 0) neither break nor join a run. One pass per source: the run
    starts after the unit's last week off the side.
    """
    found: dict[int, pd.Timestamp] = {}
    flagged = units[units["flagged"]]
    for source_key, judged in flagged.groupby("_weekly", sort=False):
        kind, name = source_key.split(":")
        metric = PRECISION if name == "precision" else METRICS_BY_NAME[name]
        keys = list(KIND_KEYS[kind])
        weekly = sources[source_key]
        window = weekly[(weekly["period"] >= start) & (weekly["period"] <= end)]
        window = window[counts(window, metric.denominator) > 0]
        rows = window[[*keys, "period", metric.numerator, metric.denominator]].merge(
            judged[[*keys, "reference_rate", "_higher"]].rename_axis("_unit").reset_index(),
            on=keys,
        )
        rate = safe_rate(counts(rows, metric.numerator), counts(rows, metric.denominator))
        reference = rows["reference_rate"].to_numpy(dtype=float)
        on_side = np.where(rows["_higher"].to_numpy(dtype=bool), rate > reference, rate < reference)
        last_off = rows[~on_side].groupby("_unit")["period"].max().rename("_last_off")
        rows = rows.join(last_off, on="_unit")
        # NaT (never off the side) compares False: every week of such a unit is in its run.
        in_run = on_side & ~(rows["period"] <= rows["_last_off"]).to_numpy()
        found.update(rows[in_run].groupby("_unit")["period"].min().to_dict())
    return found


def judge_units(
    sources: dict[str, pd.DataFrame],
    start: pd.Timestamp,
    end: pd.Timestamp,
    *,
    only: dict[str, set] | None = None,
    min_sample: int,
    fdr: float,
) -> pd.DataFrame:
    """Return each unit's level over weeks ``start``..``end`` against its peers, one BH family.

    ``sources`` maps a kind-and-metric key (``"label:overturn_rate"``, ``"moderator:accuracy"``,
    ``"market_policy:penalty_rate"``...) to weekly counts with ``period`` and the kind's keys.
    ``only`` restricts a source key to some units (the pooled section's low-volume ones, by
    their last key); the peers they are judged against stay all units. A unit below
    ``min_sample`` is not judged.
    """
    parts = []
    for source_key, weekly in sources.items():
        if only is not None and not only.get(source_key):
            continue  # none of this source's units is asked for
        kind, name = source_key.split(":")
        metric = PRECISION if name == "precision" else METRICS_BY_NAME[name]
        keys = list(KIND_KEYS[kind])
        window = weekly[(weekly["period"] >= start) & (weekly["period"] <= end)]
        window = window.dropna(subset=keys)
        units = window.groupby(keys, as_index=False)[[metric.numerator, metric.denominator]].sum()
        units = units[counts(units, metric.denominator) > 0].reset_index(drop=True)
        if units.empty:
            continue
        if kind in ("vendor", "moderator"):
            judged = _against_funnel(units, metric, min_sample)
        elif kind == "market_policy":
            judged = _against_area(units, metric)
        else:
            judged = _against_rest(units, metric, keys)
        if only is not None:
            wanted = only.get(source_key, set())
            judged = judged[judged[keys[-1]].isin(wanted)]
        if judged.empty:
            continue
        x, n = counts(judged, metric.numerator), counts(judged, metric.denominator)
        lower, upper = wilson_interval(x, n)
        rate = safe_rate(x, n)
        higher = rate > judged["reference_rate"].to_numpy()
        parts.append(
            judged.assign(
                kind=kind,
                metric=name,
                numerator=x,
                denominator=n,
                rate=rate,
                lower=lower,
                upper=upper,
                judged=n >= min_sample,
                worse=np.where(metric.higher_is_better, ~higher, higher),
                unit=_unit_names(judged, keys),
                _higher=higher,
                _weekly=source_key,
            )
        )
    if not parts:
        return pd.DataFrame(columns=list(STANDING_COLUMNS))
    units = pd.concat(parts, ignore_index=True)
    for column in ("market_code", "policy_area", "label_code", "vendor_code", "moderator_id"):
        if column not in units.columns:
            units[column] = None
    if "position" not in units.columns:
        units["position"] = None
    units["position"] = units["position"].fillna("")
    p_adjusted = bh_adjust(np.where(units["judged"], units["p_value"], np.nan))
    outside = units["position"].isin(["above", "below"]) | (units["position"] == "")
    # A problem is a unit worse than its peers. Better ones are not flagged: when one label
    # is far worse, every other label is "significantly" better than the rest.
    flagged = (
        units["judged"].to_numpy()
        & (p_adjusted < fdr)
        & outside.to_numpy()
        & units["worse"].to_numpy(dtype=bool)
    )
    units = units.assign(p_adjusted=p_adjusted, flagged=flagged)
    starts = _run_starts(units, sources, start, end)
    since = [starts.get(index) for index in units.index]
    units["since"] = since
    order = units.assign(_size=(units["rate"] - units["reference_rate"]).abs())
    order = order.sort_values(["flagged", "_size"], ascending=[False, False], kind="stable")
    return order[list(STANDING_COLUMNS)].reset_index(drop=True)


def unjudgeable(
    sources: dict[str, pd.DataFrame],
    start: pd.Timestamp,
    end: pd.Timestamp,
    only: dict[str, set],
    *,
    min_sample: int,
    weeks: int,
    margin: float = 0.05,
) -> pd.DataFrame:
    """Return, per kind and metric, the low-volume units still below the minimum when pooled.

    Columns: ``kind, metric, units, median_per_week`` (their median denominator per week in
    the pooled window), ``minimum_per_week`` (``ceil(min_sample / weeks)``, what would make
    them judgeable) and ``for_margin_per_week``: the weekly volume whose pooled total gives a
    95% interval of ``margin`` at the overall rate (``metrics.sampling.required_sample_size``).
    """
    records = []
    for source_key, weekly in sources.items():
        if not only.get(source_key):
            continue  # no low-volume unit of this source
        kind, name = source_key.split(":")
        metric = PRECISION if name == "precision" else METRICS_BY_NAME[name]
        keys = list(KIND_KEYS[kind])
        window = weekly[(weekly["period"] >= start) & (weekly["period"] <= end)]
        window = window.dropna(subset=keys)
        units = window.groupby(keys, as_index=False)[[metric.numerator, metric.denominator]].sum()
        totals = counts(units, metric.numerator).sum(), counts(units, metric.denominator).sum()
        overall = float(safe_rate(*totals))
        small = units[
            units[keys[-1]].isin(only.get(source_key, set()))
            & (counts(units, metric.denominator) < min_sample)
        ]
        if small.empty:
            continue
        for_margin = required_sample_size(margin, overall) if 0 < overall < 1 else min_sample
        records.append(
            {
                "kind": kind,
                "metric": name,
                "units": len(small),
                "median_per_week": float(np.median(counts(small, metric.denominator))) / weeks,
                "minimum_per_week": int(np.ceil(min_sample / weeks)),
                "for_margin_per_week": int(np.ceil(max(for_margin, min_sample) / weeks)),
                "margin": margin,
            }
        )
    columns = [
        "kind",
        "metric",
        "units",
        "median_per_week",
        "minimum_per_week",
        "for_margin_per_week",
        "margin",
    ]
    return pd.DataFrame(records, columns=columns)
