"""Appeal charts of plain counts and durations: the appeal funnel and resolution times."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from charts import palette
from charts.text import text_stays_text

HOURS_PER_DAY = 24.0
INSIDE_TEXT_SHARE = 0.4
IMMATURE_SHADE_ALPHA = 0.1
IMMATURE_OPACITY = 0.35
# A stage name's width at the tick font (12 px), generously, and the gap to the bars.
LABEL_CHAR_PX = 7
STAGE_LABEL_PAD_PX = 24
# Median solid, p90 dotted: the two statistics of one group share its colour.
QUANTILE_STYLES: tuple[tuple[str, str, str], ...] = (
    ("median_hours", "median", "solid"),
    ("p90_hours", "p90", "dot"),
)


@text_stays_text
def count_funnel(
    counts: Mapping[str, float] | pd.Series,
    stages: Mapping[str, str],
    *,
    title: str | None = None,
) -> go.Figure:
    """Return a funnel of counts through successive ``stages`` (column -> label), top first.

    Each stage is labelled with its count and its share of the stage before ("1,026 (13.8% of
    rejections)"). A selection whose first stage is zero or missing gives the empty figure;
    missing later stages count as zero.
    """
    values = [_count(counts.get(column)) for column in stages]
    if not values or values[0] <= 0:
        return palette.empty_figure(title)
    labels = list(stages.values())
    shares = [""] + [
        _share_text(value, before, label)
        for value, before, label in zip(values[1:], values[:-1], labels[:-1], strict=True)
    ]
    inside = [value >= INSIDE_TEXT_SHARE * values[0] for value in values]
    fig = go.Figure(
        go.Funnel(
            y=labels,
            x=values,
            # Outside a narrow bar the share goes on a second line, so the text fits in a
            # half-width panel instead of running off the chart's right edge.
            text=[
                palette.format_count(value) + (share if wide else share.replace(" (", "<br>(", 1))
                for value, share, wide in zip(values, shares, inside, strict=True)
            ],
            texttemplate="%{text}",
            # Narrow bars (overturned is a few percent of rejections) keep their text outside;
            # wide ones inside, where outside text would run off the chart.
            textposition=["inside" if wide else "outside" for wide in inside],
            insidetextfont={"color": "white"},
            hovertemplate="<b>%{y}</b><br>%{text}<extra></extra>",
            marker={"color": palette.ACCENT},
            connector={"fillcolor": palette.with_alpha(palette.ACCENT, 0.15)},
            meta={"role": "funnel"},
        )
    )
    fig.update_yaxes(categoryorder="array", categoryarray=labels)
    fig = palette.base_layout(fig, title=title, height=max(260, 60 * len(labels) + 80))
    # The stage names are the only axis labels: room for the longest, so Plotly draws once.
    palette.fixed_axis_margins(
        fig, {"l": STAGE_LABEL_PAD_PX + LABEL_CHAR_PX * max(map(len, labels))}
    )
    if not all(inside):
        # Text beside a narrow bar may reach past the plot area: room on the right, unclipped.
        fig.update_traces(cliponaxis=False)
        fig.update_layout(margin={"r": 56})
    return fig


def _count(value: object) -> float:
    return 0.0 if value is None or pd.isna(value) else float(value)


def _share_text(value: float, before: float, before_label: str) -> str:
    if before <= 0:
        return ""
    return f" ({palette.format_percent(value / before)} of {before_label.lower()})"


@text_stays_text
def resolution_time_trend(
    frame: pd.DataFrame,
    *,
    colour_by: str | None = "market_code",
    period: str = "period",
    immature: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """Return median (solid) and p90 (dotted) resolution time in days over ``period``.

    ``frame`` has ``period``, ``resolved``, ``median_hours``, ``p90_hours`` and, optionally,
    ``colour_by``; one colour and one legend entry per group, both statistics in it. Rows
    flagged in ``immature`` are faded and their span shaded. Rows with no resolved appeals
    are skipped.
    """
    rows = frame[frame["resolved"] > 0] if not frame.empty else frame
    if rows.empty:
        return palette.empty_figure(title)
    rows = rows.sort_values(period)
    groups = rows.groupby(colour_by, sort=True) if colour_by else [("All", rows)]
    fig = go.Figure()
    for group, group_rows in groups:
        colour = palette.group_colour(colour_by, group)
        faded = (
            group_rows[immature].fillna(False).astype(bool)
            if immature
            else pd.Series(False, index=group_rows.index)
        )
        for column, statistic, dash in QUANTILE_STYLES:
            fig.add_trace(
                go.Scatter(
                    x=group_rows[period],
                    y=group_rows[column] / HOURS_PER_DAY,
                    mode="lines+markers",
                    # One legend entry per group; line styles are explained by the caller.
                    name=str(group),
                    showlegend=statistic == "median",
                    legendgroup=str(group),
                    line={"color": colour, "width": 2, "dash": dash},
                    marker={
                        "size": 6,
                        "color": colour,
                        "opacity": faded.map({True: IMMATURE_OPACITY, False: 1.0}).tolist(),
                    },
                    customdata=group_rows.assign(
                        _group=str(group), _period=palette.period_labels(group_rows[period])
                    )[["_group", "_period", "resolved"]].to_numpy(dtype=object),
                    hovertemplate=(
                        f"<b>%{{customdata[0]}} · %{{customdata[1]}}</b><br>{statistic} "
                        "%{y:.1f} days<br>"
                        f"of %{{customdata[2]:{palette.COUNT_FORMAT}}} resolved appeals"
                        "<extra></extra>"
                    ),
                    meta={"role": statistic, "group": str(group)},
                )
            )
    if immature and rows[immature].fillna(False).astype(bool).any():
        fig.add_trace(
            palette.legend_note(palette.IMMATURE_NOTE, "circle", palette.NEUTRAL, IMMATURE_OPACITY)
        )
    fig.update_yaxes(title={"text": "Days from appeal to resolution"}, rangemode="tozero")
    if immature:
        shade_immature(fig, rows, immature=immature, period=period)
    return palette.base_layout(fig, title=title)


def shade_immature(
    fig: go.Figure, frame: pd.DataFrame, *, immature: str = "immature", period: str = "period"
) -> go.Figure:
    """Return ``fig`` with the span of the immature periods shaded and labelled "immature".

    The span runs from half a period before the first immature period to half a period after
    the last one, so the shaded band covers exactly those points. Nothing is added when no
    row is immature.
    """
    if frame.empty or immature not in frame.columns:
        return fig
    flagged = frame[immature].fillna(False).astype(bool)
    if not flagged.any():
        return fig
    periods = pd.Series(sorted(pd.to_datetime(frame[period]).unique()))
    steps = periods.diff().dropna()
    half = (steps.median() if len(steps) else pd.Timedelta(days=1)) / 2
    shaded = pd.to_datetime(frame.loc[flagged, period])
    fig.add_vrect(
        x0=shaded.min() - half,
        x1=shaded.max() + half,
        fillcolor=palette.with_alpha(palette.NEUTRAL, IMMATURE_SHADE_ALPHA),
        line_width=0,
        layer="below",
        annotation_text="immature",
        annotation_position="top left",
        annotation_font={"size": 11, "color": palette.NEUTRAL},
    )
    return fig
