"""Funnel plot: each unit's rate against its volume, inside control limits that narrow with n."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from charts import palette
from charts.text import text_stays_text

# Outer limits first so the 95% lines draw on top; each pair shares one legend entry.
LIMIT_STYLES: tuple[tuple[str, str, str, str], ...] = (
    ("lower_998", "upper_998", "99.8% limits", "dot"),
    ("lower_95", "upper_95", "95% limits", "dash"),
)


@text_stays_text
def funnel_plot(
    units: pd.DataFrame,
    limits: pd.DataFrame,
    *,
    unit: str = "moderator_id",
    metric_label: str = "Accuracy",
    higher_is_better: bool = True,
    denominator_label: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """Return a funnel plot of ``rate`` vs ``denominator`` (log scale) with control limits.

    Units are coloured by ``position`` (red on the worse side). Each point's customdata holds
    the unit id first, so a Streamlit ``on_select`` click identifies the unit. Units with a
    NaN rate are skipped.
    """
    points = units[units["rate"].notna()] if not units.empty else units
    if points.empty:
        return palette.empty_figure(title)
    fig = go.Figure()
    curve = limits.dropna(subset=["volume"]).sort_values("volume") if not limits.empty else limits
    for lower, upper, name, dash in LIMIT_STYLES if not curve.empty else ():
        for bound, show in ((lower, True), (upper, False)):
            fig.add_trace(_limit_line(curve, bound, name, dash, show))
    volumes = (
        points["denominator"]
        if curve.empty
        else pd.concat([points["denominator"], curve["volume"]])
    )
    volumes = volumes[volumes > 0]
    fig.add_trace(_overall_line(points, volumes, metric_label))
    colours = palette.position_colours(higher_is_better)
    # A fixed legend order, whatever order the units arrive in.
    known = list(palette.POSITION_LABELS)
    order = known + sorted(set(points["position"].astype(str)) - set(known))
    for position in order:
        rows = points[points["position"].astype(str) == position]
        if not rows.empty:
            fig.add_trace(_units(rows, unit, position, colours, metric_label, denominator_label))
    fig.update_xaxes(
        type="log",
        title={"text": denominator_label or "Volume"},
        tickvals=_log_ticks(volumes),
        tickformat=palette.COUNT_FORMAT,
    )
    palette.percent_axis(fig, "y", title=metric_label)
    return palette.fixed_axis_margins(palette.base_layout(fig, title=title), palette.FUNNEL_MARGIN)


def _limit_line(curve: pd.DataFrame, bound: str, name: str, dash: str, show: bool) -> go.Scatter:
    return go.Scatter(
        x=curve["volume"],
        y=curve[bound],
        mode="lines",
        name=name,
        legendgroup=name,
        showlegend=show,
        line={"color": palette.LIMIT_LINE, "width": 1.2, "dash": dash},
        hoverinfo="skip",
        meta={"role": "limit", "bound": bound},
    )


def _overall_line(points: pd.DataFrame, volumes: pd.Series, metric_label: str) -> go.Scatter:
    overall = float(points["overall_rate"].iloc[0])
    return go.Scatter(
        x=[volumes.min(), volumes.max()],
        y=[overall, overall],
        mode="lines",
        name=f"Overall {palette.format_percent(overall)}",
        line={"color": palette.CENTRE_LINE, "width": 1.5},
        hovertemplate=f"Overall {metric_label} %{{y:{palette.PERCENT_FORMAT}}}<extra></extra>",
        meta={"role": "overall"},
    )


def _units(
    rows: pd.DataFrame,
    unit: str,
    position: str,
    colours: dict[str, str],
    metric_label: str,
    denominator_label: str | None,
) -> go.Scatter:
    label = palette.POSITION_LABELS.get(position, position)
    colour = colours.get(position, palette.NOT_ENOUGH_DATA)
    volume = f"%{{customdata[1]:{palette.COUNT_FORMAT}}} {denominator_label or ''}".rstrip()
    return go.Scatter(
        x=rows["denominator"],
        y=rows["rate"],
        mode="markers",
        name=label,
        marker={
            "color": colour,
            "size": 9,
            "symbol": "circle-open" if position == "too small" else "circle",
            "line": {"width": 1.5, "color": colour if position == "too small" else "white"},
        },
        customdata=rows[[unit, "denominator"]].assign(_label=label).to_numpy(dtype=object),
        hovertemplate=(
            "<b>%{customdata[0]}</b><br>"
            f"{metric_label} %{{y:{palette.PERCENT_FORMAT}}} of {volume}<br>"
            "%{customdata[2]}<extra></extra>"
        ),
        meta={"role": "units", "position": position},
    )


def _log_ticks(volumes: pd.Series) -> list[int]:
    # 1-2-5 ticks read as plain numbers; plotly's own log ticks label minor steps "2 3 4 5".
    # Units of similar volume (vendors: 2,000-8,000) may hold one 1-2-5 tick or none, so
    # every digit step is used when fewer than three fall inside the volumes' range.
    low, high = max(float(volumes.min()), 1.0), max(float(volumes.max()), 10.0)
    decades = range(int(np.log10(high)) + 2)
    # Vendors at 100M (229,000-376,000) hold only 300,000 of the digit steps; half steps add
    # 250,000 and 350,000.
    for steps in ((1, 2, 5), range(1, 10), np.arange(1, 10, 0.5)):
        ticks = [int(step * 10**decade) for decade in decades for step in steps]
        if sum(low <= tick <= high for tick in ticks) >= 3:
            break
    return ticks
