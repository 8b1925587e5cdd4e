"""One unit's rate over time against a reference rate (a vendor against all vendors)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from charts import palette
from charts.text import text_stays_text
from charts.trend import rate_trend

REFERENCE_BAND_ALPHA = 0.12

# Rough sizes, in pixels, of a name on a funnel plot in half the page (12 px text, a plot area
# about 400 x 260 px once the legend and axes are drawn): enough to tell when two names would
# overlap, which is all the placement below needs.
LABEL_CHAR_PX = 6.5
LABEL_HEIGHT_PX = 15
LABEL_GAP_PX = 4
MARKER_PX = 5
PLOT_AREA_PX = (400, 260)


@text_stays_text
def rate_against_reference(
    rates: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    label: str,
    reference_label: str = "All",
    metric_label: str = "Accuracy",
    period: str = "period",
    immature: str | None = None,
    numerator_label: str | None = None,
    denominator_label: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """Return the unit's rate per ``period`` with its band, over a dashed dark reference line.

    Both frames hold ``period, rate, lower, upper, enough_data, numerator, denominator``. The
    unit is drawn as :func:`charts.rate_trend` draws a group (hollow grey points for small
    samples, faded ``immature`` rows); the reference is dark and dashed with a grey band, so
    it never shares a colour with the unit. Rows with a NaN rate are skipped.
    """
    unit = rates[rates["rate"].notna()] if not rates.empty else rates
    base = reference[reference["rate"].notna()] if not reference.empty else reference
    if unit.empty and base.empty:
        return palette.empty_figure(title)
    fig = go.Figure()
    if not base.empty:
        base = base.sort_values(period)
        fig.add_trace(_reference_band(base, period, reference_label))
        fig.add_trace(
            _reference_line(
                base, period, reference_label, metric_label, numerator_label, denominator_label
            )
        )
    if not unit.empty:
        drawn = rate_trend(
            unit.assign(_series=label),
            colour_by="_series",
            metric_label=metric_label,
            period=period,
            immature=immature,
            numerator_label=numerator_label,
            denominator_label=denominator_label,
        )
        for trace in drawn.data:
            fig.add_trace(trace)
    palette.percent_axis(fig, "y", title=metric_label)
    return palette.fixed_axis_margins(palette.base_layout(fig, title=title))


def _reference_band(rows: pd.DataFrame, period: str, name: str) -> go.Scatter:
    # One closed polygon, upper forwards and lower backwards, as charts.trend draws bands.
    return go.Scatter(
        x=pd.concat([rows[period], rows[period].iloc[::-1]]),
        y=pd.concat([rows["upper"], rows["lower"].iloc[::-1]]),
        fill="toself",
        fillcolor=palette.with_alpha(palette.CENTRE_LINE, REFERENCE_BAND_ALPHA),
        line={"width": 0},
        mode="lines",
        name=f"{name} 95% interval",
        legendgroup=name,
        showlegend=False,
        hoverinfo="skip",
        meta={"role": "reference band"},
    )


def _reference_line(
    rows: pd.DataFrame,
    period: str,
    name: str,
    metric_label: str,
    numerator_label: str | None,
    denominator_label: str | None,
) -> go.Scatter:
    return go.Scatter(
        x=rows[period],
        y=rows["rate"],
        mode="lines",
        name=name,
        legendgroup=name,
        line={"color": palette.CENTRE_LINE, "width": 2, "dash": "dash"},
        customdata=palette.rate_customdata(rows.assign(_group=name), ["_group", period]),
        hovertemplate=palette.rate_hovertemplate(
            metric_label,
            heading="%{customdata[0]} · %{customdata[1]}",
            n_keys=2,
            numerator_label=numerator_label,
            denominator_label=denominator_label,
        ),
        meta={"role": "reference"},
    )


@text_stays_text
def label_units(fig: go.Figure, names: Mapping[str, str] | None = None) -> go.Figure:
    """Return a funnel plot with each unit's name (``names``, else its id) beside its point.

    For plots with few units (vendors), where reading names off hover text alone is slow.
    Names point inwards, so a unit at either end of the volume axis keeps its whole name.
    Each name goes above its point unless it would overlap a name already placed or another
    unit's point, or run off the plot where Plotly clips it (estimated from the name's length
    and the plot's size), then below, else where it overlaps least.
    """
    names = dict(names or {})
    units = [trace for trace in fig.data if (trace.meta or {}).get("role") == "units"]
    points = [
        (np.log10(float(x)) if float(x) > 0 else 0.0, float(y), index, position)
        for index, trace in enumerate(units)
        for position, (x, y) in enumerate(zip(trace.x, trace.y, strict=True))
    ]
    if not points:
        return fig
    texts = {
        (index, position): names.get(str(row[0]), str(row[0]))
        for index, trace in enumerate(units)
        for position, row in enumerate(trace.customdata)
    }
    logs = [point[0] for point in points]
    low_x, spread_x = min(logs), max(max(logs) - min(logs), 1e-9)
    levels = [value for trace in fig.data for value in _numbers(trace.y)]
    low_y, spread_y = min(levels), max(max(levels) - min(levels), 1e-12)
    width, height = PLOT_AREA_PX

    def at(log_x: float, y: float) -> tuple[float, float]:
        return (log_x - low_x) / spread_x * width, (y - low_y) / spread_y * height

    # The points themselves are in the way too: a name should not cover another's marker.
    placed = [
        (x_px - MARKER_PX, y_px - MARKER_PX, x_px + MARKER_PX, y_px + MARKER_PX)
        for x_px, y_px in (at(log_x, y) for log_x, y, _, _ in points)
    ]
    sides: dict[tuple[int, int], str] = {}
    for log_x, y, index, position in sorted(points):
        x_px, y_px = at(log_x, y)
        horizontal = "right" if x_px < width / 2 else "left"
        text = texts[(index, position)]
        options = [
            (vertical, _label_box(x_px, y_px, len(text), vertical, horizontal))
            for vertical in ("top", "bottom")
        ]
        # Scatter text is clipped at the plot's edges: a name beyond them counts as covered.
        vertical, box = min(
            options,
            key=lambda option: (
                sum(_overlap(option[1], other) for other in placed)
                + _outside(option[1], width, height)
            ),
        )
        placed.append(box)
        sides[(index, position)] = f"{vertical} {horizontal}"
    for index, trace in enumerate(units):
        trace.update(
            mode="markers+text",
            text=[texts[(index, position)] for position in range(len(trace.x))],
            textposition=[sides[(index, position)] for position in range(len(trace.x))],
            textfont={"size": 12, "color": palette.TEXT_COLOUR},
        )
    return fig


def _numbers(values) -> list[float]:  # noqa: ANN001 - a trace's x or y, whatever Plotly holds
    """Return the finite numbers among a trace's values (none for text or dates)."""
    try:
        array = np.asarray(values if values is not None else [], dtype=float)
    except (TypeError, ValueError):
        return []
    return array[np.isfinite(array)].tolist()


def _label_box(
    x_px: float, y_px: float, characters: int, vertical: str, horizontal: str
) -> tuple[float, float, float, float]:
    """Return the estimated (left, bottom, right, top) of a name placed beside its point."""
    name_width = characters * LABEL_CHAR_PX
    left = x_px + LABEL_GAP_PX if horizontal == "right" else x_px - LABEL_GAP_PX - name_width
    bottom = y_px + LABEL_GAP_PX if vertical == "top" else y_px - LABEL_GAP_PX - LABEL_HEIGHT_PX
    return left, bottom, left + name_width, bottom + LABEL_HEIGHT_PX


def _outside(box: tuple[float, ...], width: float, height: float) -> float:
    """Return the area of a box that falls outside the plot area (0, 0)-(width, height)."""
    area = (box[2] - box[0]) * (box[3] - box[1])
    return area - _overlap(box, (0.0, 0.0, width, height))


def _overlap(first: tuple[float, ...], second: tuple[float, ...]) -> float:
    """Return the area two boxes share."""
    across = min(first[2], second[2]) - max(first[0], second[0])
    up = min(first[3], second[3]) - max(first[1], second[1])
    return max(across, 0.0) * max(up, 0.0)


@text_stays_text
def highlight_unit(fig: go.Figure, unit_id: str) -> go.Figure:
    """Return a funnel plot with a ring round one unit's point, named in the legend.

    The ring carries no customdata, so clicking it selects nothing new.
    """
    for trace in fig.data:
        if (trace.meta or {}).get("role") != "units":
            continue
        for x, y, row in zip(trace.x, trace.y, trace.customdata, strict=True):
            if str(row[0]) == unit_id:
                fig.add_trace(
                    go.Scatter(
                        x=[x],
                        y=[y],
                        mode="markers",
                        name=f"Selected: {unit_id}",
                        marker={
                            "symbol": "circle-open",
                            "size": 20,
                            "color": palette.TEXT_COLOUR,
                            "line": {"width": 2},
                        },
                        hoverinfo="skip",
                        meta={"role": "highlight"},
                    )
                )
                return fig
    return fig


@text_stays_text
def paired_share_bars(
    frame: pd.DataFrame,
    *,
    category: str,
    label: str,
    reference_label: str = "All",
    category_labels: dict[str, str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """Return horizontal bars of each category's share for a unit beside the reference's.

    ``frame`` has ``category``, ``count`` and ``reference_count``; shares are of each side's
    total, so a unit's mix (e.g. a moderator's rejection labels) reads against everyone's.
    Categories keep the frame's order, first on top. Zero totals give the empty figure.
    """
    if frame.empty or frame["count"].sum() <= 0:
        return palette.empty_figure(title)
    names = category_labels or {}
    shown = frame.assign(_category=frame[category].map(lambda code: names.get(code, str(code))))
    fig = go.Figure()
    for column, name, colour, role in (
        ("count", label, palette.ACCENT, "unit"),
        ("reference_count", reference_label, palette.NEUTRAL, "reference"),
    ):
        total = float(shown[column].sum())
        share = shown[column] / total if total > 0 else shown[column] * 0.0
        fig.add_trace(
            go.Bar(
                x=share,
                y=shown["_category"],
                orientation="h",
                name=name,
                marker={"color": colour},
                customdata=shown[[column]].assign(_total=total).to_numpy(dtype=object),
                hovertemplate=(
                    f"<b>%{{y}}</b><br>{name}: %{{x:{palette.PERCENT_FORMAT}}} "
                    f"(%{{customdata[0]:{palette.COUNT_FORMAT}}} of "
                    f"%{{customdata[1]:{palette.COUNT_FORMAT}}})<extra></extra>"
                ),
                meta={"role": role},
            )
        )
    fig.update_layout(barmode="group", bargap=0.25, legend={"traceorder": "normal"})
    fig.update_yaxes(
        categoryorder="array", categoryarray=list(shown["_category"]), autorange="reversed"
    )
    palette.percent_axis(fig, "x", title="Share")
    return palette.base_layout(fig, title=title, height=max(260, 44 * len(shown) + 120))
