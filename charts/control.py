"""p-chart: a rate per period against a centre line and 3-sigma limits that vary with n."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts import palette
from charts.text import text_stays_text

# "hvh" puts each step's riser halfway between periods, so every period sits in the middle of
# the flat stretch of its own limit (p-chart limits depend on that period's n).
STEP_SHAPE = "hvh"
BREACH_NOTE = "Outside control limits"


@text_stays_text
def p_chart_figure(
    frame: pd.DataFrame,
    *,
    metric_label: str = "Accuracy",
    title: str | None = None,
    period: str = "period",
    denominator_label: str | None = None,
) -> go.Figure:
    """Return a p-chart: rate per period, centre line, stepped limits, breaches in red.

    ``frame`` has ``period, rate, centre, lower_limit, upper_limit, breach, denominator``.
    Periods with a NaN rate are skipped. Breach points carry the period (ISO date) at
    ``customdata[0]`` like the rate points, so either can be clicked.
    """
    rates = frame[frame["rate"].notna()].sort_values(period) if not frame.empty else frame
    if rates.empty:
        return palette.empty_figure(title)
    fig = go.Figure()
    limits = rates.dropna(subset=["lower_limit", "upper_limit"])
    for bound, name, show in (
        ("upper_limit", "Control limits", True),
        ("lower_limit", "Control limits", False),
    ):
        fig.add_trace(
            go.Scatter(
                x=limits[period],
                y=limits[bound],
                mode="lines",
                name=name,
                legendgroup="limits",
                showlegend=show,
                line={
                    "color": palette.LIMIT_LINE,
                    "width": 1.2,
                    "dash": "dash",
                    "shape": STEP_SHAPE,
                },
                hovertemplate=f"{name} %{{y:{palette.PERCENT_FORMAT}}}<extra></extra>",
                meta={"role": "limit", "bound": bound},
            )
        )
    fig.add_trace(
        go.Scatter(
            x=rates[period],
            y=rates["centre"],
            mode="lines",
            name="Centre (baseline)",
            line={"color": palette.CENTRE_LINE, "width": 1.5},
            hovertemplate=f"Centre %{{y:{palette.PERCENT_FORMAT}}}<extra></extra>",
            meta={"role": "centre"},
        )
    )
    breaches = rates[rates["breach"].fillna(False).astype(bool)]
    fig.add_trace(
        _points(rates, period, metric_label, _hovertemplate(metric_label, denominator_label))
    )
    if not breaches.empty:
        hovertemplate = _hovertemplate(metric_label, denominator_label, BREACH_NOTE)
        fig.add_trace(_points(breaches, period, BREACH_NOTE, hovertemplate, breach=True))
    palette.percent_axis(fig, "y", title=metric_label)
    return palette.base_layout(fig, title=title)


def _points(
    rows: pd.DataFrame, period: str, name: str, hovertemplate: str, breach: bool = False
) -> go.Scatter:
    marker = (
        {
            "color": palette.BAD,
            "size": 12,
            "symbol": "diamond",
            "line": {"width": 1, "color": "white"},
        }
        if breach
        else {"color": palette.ACCENT, "size": 6}
    )
    return go.Scatter(
        x=rows[period],
        y=rows["rate"],
        mode="markers" if breach else "lines+markers",
        name=name,
        line={"color": palette.ACCENT, "width": 2},
        marker=marker,
        customdata=rows.assign(_period=palette.period_labels(rows[period]))[
            ["_period", "denominator", "lower_limit", "upper_limit"]
        ].to_numpy(dtype=object),
        hovertemplate=hovertemplate,
        meta={"role": "breach" if breach else "rate"},
    )


def _hovertemplate(metric_label: str, denominator_label: str | None, note: str = "") -> str:
    volume = f"%{{customdata[1]:{palette.COUNT_FORMAT}}} {denominator_label or ''}".rstrip()
    pct = palette.PERCENT_FORMAT
    return (
        "<b>%{customdata[0]}</b><br>"
        f"{metric_label} %{{y:{pct}}} of {volume}<br>"
        f"Limits %{{customdata[2]:{pct}}} – %{{customdata[3]:{pct}}}"
        + (f"<br><b>{note}</b>" if note else "")
        + "<extra></extra>"
    )
