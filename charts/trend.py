"""Rate over time, one line per group, each with its 95% Wilson band."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import pandas as pd
import plotly.graph_objects as go

from charts import palette
from charts.text import text_stays_text

BAND_ALPHA = 0.15
IMMATURE_OPACITY = 0.35


@text_stays_text
def rate_trend(
    frame: pd.DataFrame,
    *,
    colour_by: str | None = "market_code",
    metric_label: str = "Accuracy",
    period: str = "period",
    immature: str | None = None,
    numerator_label: str | None = None,
    denominator_label: str | None = None,
    title: str | None = None,
    names: Mapping[str, str] | None = None,
    bands: Collection[str] | None = None,
) -> go.Figure:
    """Return a line chart of ``rate`` over ``period``, one line per ``colour_by`` value.

    ``names`` maps group codes to the names shown in the legend and hover (codes stay in the
    customdata). The 95% band is drawn for the groups in ``bands``; by default for every group
    when there are at most two, otherwise for the largest group only, because overlapping
    bands turn into a wash (the others' intervals are in the hover).

    Points whose ``enough_data`` is False are drawn hollow and grey; rows flagged in the
    ``immature`` column are faded. Each point's customdata starts with the group value and the
    period (ISO date), so a Streamlit ``on_select`` click can say which point was picked.
    Rows with a NaN rate are skipped.
    """
    rates = frame[frame["rate"].notna()] if not frame.empty else frame
    if rates.empty:
        return palette.empty_figure(title)
    rates = rates.sort_values(period)
    hovertemplate = palette.rate_hovertemplate(
        metric_label,
        # The series' name, not its code (the code stays first in customdata, for clicks).
        heading="%{fullData.name} · %{customdata[1]}",
        n_keys=2,
        numerator_label=numerator_label,
        denominator_label=denominator_label,
    )
    fig = go.Figure()
    groups = list(rates.groupby(colour_by, sort=True)) if colour_by else [(metric_label, rates)]
    names = dict(names or {})
    if bands is None:
        sizes = {str(group): rows["denominator"].sum() for group, rows in groups}
        bands = set(sizes) if len(groups) <= 2 else {max(sizes, key=sizes.get)}
    for group, rows in groups:
        colour = palette.group_colour(colour_by, group)
        shown = names.get(str(group), str(group))
        if str(group) in bands:
            fig.add_trace(_band(rows, period, shown, colour, BAND_ALPHA))
        fig.add_trace(_line(rows, period, shown, colour, immature, hovertemplate, str(group)))
    if not rates["enough_data"].all():
        fig.add_trace(
            palette.legend_note(palette.SMALL_SAMPLE_NOTE, "circle-open", palette.NOT_ENOUGH_DATA)
        )
    if immature and rates[immature].fillna(False).astype(bool).any():
        fig.add_trace(
            palette.legend_note(palette.IMMATURE_NOTE, "circle", palette.NEUTRAL, IMMATURE_OPACITY)
        )
    palette.percent_axis(fig, "y", title=metric_label)
    palette.monday_ticks(fig, rates[period])
    return palette.fixed_axis_margins(palette.base_layout(fig, title=title))


def _band(rows: pd.DataFrame, period: str, group: str, colour: str, alpha: float) -> go.Scatter:
    # One closed polygon (upper forwards, lower backwards) rather than two fill="tonexty"
    # traces: tonexty fills towards whichever trace came before, which breaks once several
    # groups share the chart.
    x = pd.concat([rows[period], rows[period].iloc[::-1]])
    y = pd.concat([rows["upper"], rows["lower"].iloc[::-1]])
    return go.Scatter(
        x=x,
        y=y,
        fill="toself",
        fillcolor=palette.with_alpha(colour, alpha),
        line={"width": 0},
        mode="lines",
        name=f"{group} 95% interval",
        legendgroup=group,
        showlegend=False,
        hoverinfo="skip",
        meta={"role": "band", "group": group},
    )


def _line(
    rows: pd.DataFrame,
    period: str,
    group: str,
    colour: str,
    immature: str | None,
    hovertemplate: str,
    code: str | None = None,
) -> go.Scatter:
    enough = rows["enough_data"].astype(bool)
    faded = pd.Series(False, index=rows.index)
    if immature:
        faded = rows[immature].fillna(False).astype(bool)
    notes = (~enough).map({True: f"<br><i>{palette.SMALL_SAMPLE_NOTE}</i>", False: ""})
    notes += faded.map({True: f"<br><i>{palette.IMMATURE_NOTE}</i>", False: ""})
    marker_colours = enough.map({True: colour, False: palette.NOT_ENOUGH_DATA}).tolist()
    return go.Scatter(
        x=rows[period],
        y=rows["rate"],
        mode="lines+markers",
        name=group,
        legendgroup=group,
        line={"color": colour, "width": 2},
        marker={
            "size": 7,
            "color": marker_colours,
            "symbol": enough.map({True: "circle", False: "circle-open"}).tolist(),
            "line": {"width": 2, "color": marker_colours},
            "opacity": faded.map({True: IMMATURE_OPACITY, False: 1.0}).tolist(),
        },
        customdata=palette.rate_customdata(
            rows.assign(_group=code or group), ["_group", period], notes
        ),
        hovertemplate=hovertemplate,
        meta={"role": "rate", "group": group},
    )
