"""Horizontal bar charts: one rate per category with its interval, and mixes of parts."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts import palette
from charts.text import text_stays_text


@text_stays_text
def rate_bars(
    frame: pd.DataFrame,
    *,
    category: str = "label_code",
    metric_label: str = "Accuracy",
    sort: bool = True,
    numerator_label: str | None = None,
    denominator_label: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """Return horizontal bars of ``rate`` per ``category`` with 95% interval error bars.

    With ``sort`` the highest rate is on top, and small-sample bars (grey) go below all the
    others, because a rate below the minimum sample is never ranked. Each bar's customdata
    starts with the category value, for click selection. NaN rates are skipped.
    """
    rates = frame[frame["rate"].notna()] if not frame.empty else frame
    if rates.empty:
        return palette.empty_figure(title)
    if rates[category].duplicated().any():
        raise ValueError(f"rate_bars needs one row per {category}")
    rates = rates.assign(_category=rates[category].astype(str))
    enough = rates["enough_data"].astype(bool)
    if sort:
        rates = pd.concat(
            [
                rates[enough].sort_values("rate", ascending=False),
                rates[~enough].sort_values("_category"),
            ]
        )
        enough = rates["enough_data"].astype(bool)
    hovertemplate = palette.rate_hovertemplate(
        metric_label,
        heading="%{customdata[0]}",
        n_keys=1,
        numerator_label=numerator_label,
        denominator_label=denominator_label,
    )
    fig = go.Figure()
    for is_enough, name in ((True, metric_label), (False, palette.SMALL_SAMPLE_NOTE)):
        rows = rates[enough == is_enough]
        if rows.empty:
            continue
        fig.add_trace(
            go.Bar(
                x=rows["rate"],
                y=rows["_category"],
                orientation="h",
                name=name,
                marker={"color": _bar_colours(rows, category, is_enough)},
                error_x={
                    "type": "data",
                    "array": (rows["upper"] - rows["rate"]).clip(lower=0).fillna(0),
                    "arrayminus": (rows["rate"] - rows["lower"]).clip(lower=0).fillna(0),
                    "color": palette.CENTRE_LINE,
                    "thickness": 1.2,
                    "width": 3,
                },
                customdata=palette.rate_customdata(rows, ["_category"]),
                hovertemplate=hovertemplate,
                meta={"role": "rates" if is_enough else "small sample"},
            )
        )
    order = rates["_category"].tolist()
    # Each category is in exactly one trace, so overlay keeps bars full width instead of
    # making room for the other trace's (empty) bar.
    fig.update_layout(barmode="overlay")
    fig.update_yaxes(categoryorder="array", categoryarray=order, autorange="reversed")
    palette.percent_axis(fig, "x", title=metric_label)
    return palette.base_layout(fig, title=title, height=_height(len(order)))


@text_stays_text
def stacked_share_bars(
    frame: pd.DataFrame,
    *,
    category: str,
    parts: list[str],
    part_labels: dict[str, str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """Return 100% stacked horizontal bars: each ``category``'s total split into ``parts``.

    ``parts`` are count columns (e.g. over-enforcement, under-enforcement and wrong-label
    errors, or penalties per type); each bar shows their shares of the row total, and the
    hover gives share and count. Rows whose parts sum to zero or NaN are skipped.
    """
    if frame.empty:
        return palette.empty_figure(title)
    counts = frame.assign(_category=frame[category].astype(str))
    totals = counts[parts].sum(axis=1, min_count=1)
    counts = counts[totals > 0].assign(_total=totals[totals > 0])
    if counts.empty:
        return palette.empty_figure(title)
    labels = part_labels or {}
    colours = palette.part_colours(parts)
    fig = go.Figure()
    for part in parts:
        label = labels.get(part, part)
        fig.add_trace(
            go.Bar(
                x=counts[part].fillna(0) / counts["_total"],
                y=counts["_category"],
                orientation="h",
                name=label,
                marker={"color": colours[part]},
                customdata=counts[["_category", part, "_total"]].to_numpy(dtype=object),
                hovertemplate=(
                    f"<b>%{{customdata[0]}}</b><br>{label}: %{{x:{palette.PERCENT_FORMAT}}} "
                    f"(%{{customdata[1]:{palette.COUNT_FORMAT}}} of "
                    f"%{{customdata[2]:{palette.COUNT_FORMAT}}})<extra></extra>"
                ),
                meta={"role": "part", "part": part},
            )
        )
    # Plotly lists stacked traces bottom-up in the legend by default; keep the caller's order.
    fig.update_layout(barmode="stack", legend={"traceorder": "normal"})
    fig.update_yaxes(
        categoryorder="array", categoryarray=list(counts["_category"]), autorange="reversed"
    )
    palette.percent_axis(fig, "x", title="Share")
    return palette.base_layout(fig, title=title, height=_height(len(counts)))


def _bar_colours(rows: pd.DataFrame, category: str, enough: bool) -> str | list[str]:
    if not enough:
        return palette.NOT_ENOUGH_DATA
    if category in palette.FIXED_COLOURS:
        # Markets and policy areas keep their page-wide colours; other categories share one.
        return [palette.group_colour(category, value) for value in rows["_category"]]
    return palette.ACCENT


def _height(bars: int) -> int:
    return max(260, 26 * bars + 140)
