"""The one place for chart styling: colours, number formats, hover templates, layout.

Every chart module takes its colours, formats and hover text from here, so a market has the
same colour on every page and a rate reads the same way in every tooltip.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

# d3-format specs for plotly.js; format_percent and format_count mirror them in Python.
PERCENT_FORMAT = ".1%"
PERCENT_STEP = Decimal("0.1")
# "~" trims trailing zeros so ticks read "20%" and "93.5%" rather than "20.0%".
PERCENT_TICK_FORMAT = ".1~%"
COUNT_FORMAT = ",.0f"

NO_DATA_MESSAGE = "No data for this selection"
FONT_FAMILY = "Source Sans Pro, Inter, system-ui, sans-serif"
TEXT_COLOUR = "#262730"
# Streamlit's light theme for charts, read off a drawn figure's full layout: muted ticks and
# axis titles, light horizontal gridlines only, a white hover label.
MUTED_TEXT = "#808495"
GRID_COLOUR = "#E6EAF1"


def house_template() -> go.layout.Template:
    """Return the clean white template with Streamlit's chart look built in.

    The pages draw figures with ``theme=None``: Streamlit's own theme is merged into each
    figure in the browser, on the main thread, after the script has finished, and a warm
    Appeals page spent about 0.1 s of its reload on it (``benchmarks.pages``). The same look
    is carried here, by the figure itself.
    """
    template = go.layout.Template(pio.templates["plotly_white"])
    axis = {
        "tickfont": {"size": 12, "color": MUTED_TEXT},
        "title": {"font": {"size": 14, "color": MUTED_TEXT}},
        "ticklabelposition": "outside",
        "automargin": True,
    }
    template.layout.update(
        paper_bgcolor="#FFFFFF",
        plot_bgcolor="#FFFFFF",
        margin={"pad": 8},
        title={"font": {"size": 16, "color": TEXT_COLOUR, "weight": "bold"}},
        legend={"font": {"size": 12}},
        hoverlabel={
            "bgcolor": "#FFFFFF",
            "bordercolor": "rgba(47, 45, 43, 0.2)",
            "font": {"size": 12, "color": MUTED_TEXT},
        },
        xaxis={**axis, "showgrid": False, "zeroline": False, "title_standoff": 20},
        yaxis={
            **axis,
            "gridcolor": GRID_COLOUR,
            "zerolinecolor": GRID_COLOUR,
            "title_standoff": 24,
        },
    )
    return template


# Every figure starts from the house template. As the default it is attached without
# re-validation when a figure is created; passing it to update_layout validated and copied the
# whole template again, about half the cost of building a small figure.
pio.templates["modqa"] = house_template()
pio.templates.default = "modqa"

NOT_ENOUGH_DATA = "#BDBDBD"
NEUTRAL = "#6B7B8C"
ACCENT = "#4E79A7"
GOOD = "#2166AC"
BAD = "#C0392B"
LIMIT_LINE = "#7F7F7F"
CENTRE_LINE = "#404040"

POLICY_AREA_COLOURS: dict[str, str] = {
    "partner": "#1B9E77",
    "listing": "#D95F02",
    "content": "#7570B3",
    "ipr": "#E7298A",
}

MARKET_COLOURS: dict[str, str] = {
    "US": "#4E79A7",
    "ID": "#E15759",
    "BR": "#59A14F",
    "MX": "#F28E2B",
    "DE": "#B07AA1",
    "GB": "#76B7B2",
    "FR": "#B6992D",
    "JP": "#FF9DA7",
    "IN": "#9C755F",
    "PH": "#499894",
    "VN": "#D37295",
    "SG": "#86BCB6",
}

# For values without a fixed colour. No greys here: grey means "not enough data".
HASHED_COLOURS: tuple[str, ...] = (
    "#1F77B4",
    "#FF7F0E",
    "#2CA02C",
    "#D62728",
    "#9467BD",
    "#8C564B",
    "#E377C2",
    "#BCBD22",
    "#17BECF",
    "#393B79",
    "#637939",
    "#8C6D31",
    "#843C39",
    "#7B4173",
    "#3182BD",
    "#E6550D",
)

# Parts of a mix (stacked shares), in the order the caller lists them.
PART_COLOURS: tuple[str, ...] = (
    "#4E79A7",
    "#F28E2B",
    "#E15759",
    "#76B7B2",
    "#59A14F",
    "#EDC948",
    "#B07AA1",
    "#9C755F",
)

FIXED_COLOURS: dict[str, dict[str, str]] = {
    "market_code": MARKET_COLOURS,
    "policy_area": POLICY_AREA_COLOURS,
}

POSITION_LABELS: dict[str, str] = {
    "above": "Above limits",
    "below": "Below limits",
    "inside": "Within limits",
    "too small": "Too few to judge",
}

SMALL_SAMPLE_NOTE = "Sample below minimum: not flagged"
IMMATURE_NOTE = "Immature cohort: appeals still resolving"


def group_colour(column: str | None, value: object) -> str:
    """Return the colour for one value of a grouping column, the same on every call.

    Markets and policy areas have fixed colours. Anything else is hashed with CRC-32, because
    Python's own ``hash()`` of a string changes between processes and would recolour a market
    on every app restart.
    """
    key = str(value)
    fixed = FIXED_COLOURS.get(column or "", {})
    if key in fixed:
        return fixed[key]
    return HASHED_COLOURS[zlib.crc32(key.encode("utf-8")) % len(HASHED_COLOURS)]


def part_colours(parts: Sequence[str]) -> dict[str, str]:
    """Return one colour per part of a mix, assigned in the order the parts are listed."""
    return {part: PART_COLOURS[index % len(PART_COLOURS)] for index, part in enumerate(parts)}


def with_alpha(hex_colour: str, alpha: float) -> str:
    """Return an ``rgba(...)`` string for a ``#RRGGBB`` colour.

    Integer channels only: plotly.js 4 follows CSS strictly and no longer rescales fractional
    ``rgb()`` values.
    """
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"


def position_colours(higher_is_better: bool = True) -> dict[str, str]:
    """Return funnel-plot colours per position, red on whichever side is worse."""
    better, worse = ("above", "below") if higher_is_better else ("below", "above")
    return {better: GOOD, worse: BAD, "inside": NEUTRAL, "too small": NOT_ENOUGH_DATA}


def rate_colourscale(higher_is_better: bool = True) -> list[list[float | str]]:
    """Return a red-to-blue colourscale whose red end is the bad end of the metric."""
    # Mid-strength ends keep black cell text readable on every cell.
    scale: list[list[float | str]] = [[0.0, "#D6604D"], [0.5, "#F7F7F7"], [1.0, "#4393C3"]]
    if higher_is_better:
        return scale
    return [[1.0 - stop, colour] for stop, colour in reversed(scale)]


def format_percent(value: float) -> str:
    """Return a rate as display text the way plotly.js would, e.g. ``"93.1%"``; empty for NaN.

    Rounds ties up like d3-format (``0.8125`` -> ``"81.3%"``); Python's ``format`` rounds them
    to even (``"81.2%"``), which would disagree with the hover text of the same point.
    """
    if pd.isna(value):
        return ""
    scaled = Decimal(float(value) * 100).quantize(PERCENT_STEP, rounding=ROUND_HALF_UP)
    return f"{scaled}%"


def format_count(value: float) -> str:
    """Return a count with thousands separators, e.g. ``"1,325"``; empty for NaN."""
    return "" if pd.isna(value) else f"{value:,.0f}"


def period_labels(values: pd.Series) -> pd.Series:
    """Return datetimes as ISO date strings (what a click handler gets back); others unchanged."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d")
    return values


def rate_customdata(
    frame: pd.DataFrame, keys: Sequence[str], notes: pd.Series | None = None
) -> np.ndarray:
    """Return a customdata array: key columns, rate, numerator, denominator, lower, upper, note.

    The keys come first so a Streamlit ``on_select`` handler finds the clicked group at
    ``customdata[0]`` (and the period, as an ISO date, at ``customdata[1]`` when it is the
    second key). ``notes`` are extra hover lines (HTML), one per row.
    """
    columns = [period_labels(frame[key]) for key in keys]
    columns += [frame[name] for name in ("rate", "numerator", "denominator", "lower", "upper")]
    columns.append(notes if notes is not None else pd.Series("", index=frame.index))
    return np.column_stack([column.to_numpy(dtype=object) for column in columns])


def rate_hovertemplate(
    metric_label: str,
    *,
    heading: str,
    n_keys: int,
    numerator_label: str | None = None,
    denominator_label: str | None = None,
) -> str:
    """Return the hover text for a rate, reading the layout made by ``rate_customdata``.

    Reads e.g. "Accuracy 93.1% (1,234 correct of 1,325 inspections)", then the 95% interval.
    """
    rate, num, den, low, high, note = (f"customdata[{n_keys + i}]" for i in range(6))
    numerator = f"%{{{num}:{COUNT_FORMAT}}}" + (f" {numerator_label}" if numerator_label else "")
    denominator = f"%{{{den}:{COUNT_FORMAT}}}" + (
        f" {denominator_label}" if denominator_label else ""
    )
    return (
        f"<b>{heading}</b><br>"
        f"{metric_label} %{{{rate}:{PERCENT_FORMAT}}} ({numerator} of {denominator})<br>"
        f"95% interval %{{{low}:{PERCENT_FORMAT}}} – %{{{high}:{PERCENT_FORMAT}}}"
        f"%{{{note}}}<extra></extra>"
    )


def base_layout(fig: go.Figure, title: str | None = None, height: int = 420) -> go.Figure:
    """Return ``fig`` with the house layout: clean template, legend on top, compact margins."""
    fig.update_layout(
        height=height,
        font={"family": FONT_FAMILY, "size": 13, "color": TEXT_COLOUR},
        # Room for the title above a one-line legend; side margins stay small because a
        # Streamlit column on a laptop is only ~700px wide.
        margin={"l": 8, "r": 8, "t": 88 if title else 48, "b": 8},
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 1.02,
            "yanchor": "bottom",
            "title": {"text": ""},
        },
        hoverlabel={"font": {"family": FONT_FAMILY, "size": 12}},
        hovermode="closest",
    )
    if title:
        fig.update_layout(
            title={"text": title, "x": 0, "xanchor": "left", "y": 0.98, "yanchor": "top"}
        )
    return fig


# Room for a trend's percent ticks and axis title on the left and its "%d %b" date ticks,
# turned when crowded, below. Fixed margins let Plotly draw the chart once: with automargin
# it draws, measures its labels and draws again, about 0.08 s of the browser's main thread
# per chart on a warm Appeals reload (two charts: 0.94 -> 0.77 s, median of 20).
TREND_MARGIN = {"l": 76, "b": 56}
# A funnel plot's count ticks under a log axis, with the axis title below them.
FUNNEL_MARGIN = {"l": 76, "b": 76}


def fixed_axis_margins(fig: go.Figure, margin: dict[str, int] = TREND_MARGIN) -> go.Figure:
    """Return ``fig`` with fixed room for its axis ticks and titles instead of automargin."""
    fig.update_xaxes(automargin=False)
    fig.update_yaxes(automargin=False)
    fig.update_layout(margin=margin)
    return fig


def percent_axis(fig: go.Figure, axis: str = "y", title: str | None = None) -> go.Figure:
    """Return ``fig`` with the given axis showing rates as percentages."""
    settings = {"tickformat": PERCENT_TICK_FORMAT, "hoverformat": PERCENT_FORMAT}
    if title is not None:
        settings["title"] = {"text": title}
    if axis == "x":
        fig.update_xaxes(**settings)
    else:
        fig.update_yaxes(**settings)
    return fig


def empty_figure(title: str | None = None, message: str = NO_DATA_MESSAGE) -> go.Figure:
    """Return a blank figure carrying a centred message, for selections with nothing to show."""
    fig = go.Figure()
    fig.add_annotation(
        text=message,
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
        showarrow=False,
        font={"size": 16, "color": NEUTRAL},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return base_layout(fig, title=title, height=300)


def legend_note(name: str, symbol: str, colour: str, opacity: float = 1.0) -> go.Scatter:
    """Return a legend-only trace that explains a marker style (it draws no points)."""
    return go.Scatter(
        x=[None],
        y=[None],
        mode="markers",
        name=name,
        marker={"symbol": symbol, "color": colour, "size": 9, "opacity": opacity},
        hoverinfo="skip",
        meta={"role": "note"},
    )


# Penalty types in the contract's order, mildest first: the same colours as their parts in a
# mix of penalty types, so a type reads the same in a trend and in a stacked bar. Registered
# as fixed colours because hashing the five codes gives two near-identical pairs.
PENALTY_TYPES: tuple[str, ...] = (
    "warning",
    "points",
    "listing_suspension",
    "selling_suspension",
    "termination",
)
PENALTY_TYPE_COLOURS: dict[str, str] = dict(zip(PENALTY_TYPES, PART_COLOURS, strict=False))
FIXED_COLOURS["penalty_type"] = PENALTY_TYPE_COLOURS


MAX_DATE_TICKS = 8
WEEK_MS = 7 * 24 * 3600 * 1000


def monday_ticks(fig: go.Figure, periods: pd.Series) -> go.Figure:
    """Return ``fig`` with its date axis ticked on Mondays when the periods are weeks.

    Plotly's automatic weekly ticks fall on Sundays, a day before each ISO week starts; ticks
    every few weeks from the first Monday line up with the points. At most eight ticks.
    """
    days = pd.to_datetime(pd.Series(periods).dropna().unique())
    if len(days) < 2 or not (days.day_of_week == 0).all():
        return fig
    span_weeks = int((days.max() - days.min()).days // 7) + 1
    step = max(1, -(-span_weeks // MAX_DATE_TICKS))
    return fig.update_xaxes(
        tick0=days.min().strftime("%Y-%m-%d"), dtick=step * WEEK_MS, tickformat="%d %b"
    )
