"""Grids of rates (e.g. market x policy area) and the moderator-vs-QA confusion matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from charts import palette
from charts.text import text_stays_text

CELL_GAP = 2
APPROVE = "approve"


@text_stays_text
def rate_heatmap(
    frame: pd.DataFrame,
    *,
    rows: str = "market_code",
    columns: str = "policy_area",
    metric_label: str = "Accuracy",
    higher_is_better: bool = True,
    midpoint: float | None = None,
    numerator_label: str | None = None,
    denominator_label: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """Return a heatmap of ``rate`` by ``rows`` x ``columns``, red at the bad end of the metric.

    Cells with ``enough_data`` False are drawn grey and labelled with their sample size
    ("n=12") so they are never read as good or bad. ``midpoint`` (e.g. the overall rate or a
    target) centres the scale; without it the scale spans the cells shown. Each cell's
    customdata starts with its row and column values, for click selection.
    """
    rates = frame[frame["rate"].notna()] if not frame.empty else frame
    if rates.empty:
        return palette.empty_figure(title)
    if rates.duplicated([rows, columns]).any():
        raise ValueError(f"rate_heatmap needs one row per {rows} x {columns} cell")
    rates = _label_cells(rates, rows, columns)
    row_values = sorted(rates["_row"].unique())
    column_values = sorted(rates["_column"].unique())
    hovertemplate = palette.rate_hovertemplate(
        metric_label,
        heading="%{customdata[0]} · %{customdata[1]}",
        n_keys=2,
        numerator_label=numerator_label,
        denominator_label=denominator_label,
    )
    fig = go.Figure()
    judged = rates[rates["_enough"]]
    if not judged.empty:
        low, high = _scale_range(judged["rate"], midpoint)
        fig.add_trace(
            _cells(judged, row_values, column_values, hovertemplate).update(
                name=metric_label,
                colorscale=palette.rate_colourscale(higher_is_better),
                zmin=low,
                zmax=high,
                colorbar={
                    "title": {"text": f"{metric_label}<br>(red = worse)"},
                    "tickformat": palette.PERCENT_TICK_FORMAT,
                    "thickness": 12,
                },
                meta={"role": "rates"},
            )
        )
    small = rates[~rates["_enough"]]
    if not small.empty:
        # A second trace with a one-colour grey scale: a heatmap cannot recolour single cells,
        # and leaving small cells out would hide that some data exists.
        grey = palette.NOT_ENOUGH_DATA
        fig.add_trace(
            _cells(
                small,
                row_values,
                column_values,
                hovertemplate,
                note=f"<br><i>{palette.SMALL_SAMPLE_NOTE}</i>",
            ).update(
                name=palette.SMALL_SAMPLE_NOTE,
                colorscale=[[0, grey], [1, grey]],
                showscale=False,
                texttemplate=f"%{{z:{palette.PERCENT_FORMAT}}}<br>%{{text}}",
                meta={"role": "small sample"},
            )
        )
    _category_axes(fig, row_values, column_values)
    fig.update_xaxes(side="top")
    return palette.base_layout(fig, title=title, height=max(260, 34 * len(row_values) + 120))


@text_stays_text
def confusion_heatmap(
    matrix: pd.DataFrame,
    counts: pd.DataFrame | None = None,
    *,
    title: str | None = "Moderator label vs QA label",
) -> go.Figure:
    """Return a heatmap of row-normalised shares: of a moderator label, how often QA agreed.

    ``matrix`` has moderator labels as index and QA labels as columns; rows are normalised
    here (so counts or proportions both work). "approve" is put first on both axes so the
    approve/reject confusion is always visible; labels missing on one axis are added there.
    ``counts`` (same shape), when given, supplies the decision counts shown in the hover.
    """
    if matrix.empty or np.nansum(matrix.to_numpy(dtype=float, na_value=np.nan)) == 0:
        return palette.empty_figure(title)
    matrix = matrix.rename(index=str, columns=str)
    labels = _label_order(matrix)
    filled = matrix.reindex(index=labels, columns=labels).astype(float)
    present = filled.notna().any(axis=1)
    filled.loc[present] = filled.loc[present].fillna(0.0)
    totals = filled.sum(axis=1).replace(0.0, np.nan)
    shares = filled.div(totals, axis=0)
    hovertemplate = (
        "Moderator label <b>%{y}</b>, QA label <b>%{x}</b><br>"
        f"%{{z:{palette.PERCENT_FORMAT}}} of the moderator's %{{y}} decisions"
    )
    custom = None
    if counts is not None:
        counts = counts.rename(index=str, columns=str).reindex(index=labels, columns=labels)
        custom = counts.astype(float).fillna(0.0).to_numpy()
        hovertemplate += f"<br>%{{customdata:{palette.COUNT_FORMAT}}} decisions"
    fig = go.Figure(
        go.Heatmap(
            z=shares.to_numpy(),
            x=labels,
            y=labels,
            texttemplate=f"%{{z:{palette.PERCENT_FORMAT}}}",
            customdata=custom,
            colorscale="Blues",
            zmin=0,
            zmax=1,
            xgap=CELL_GAP,
            ygap=CELL_GAP,
            hoverongaps=False,
            colorbar={
                "title": {"text": "Share of<br>moderator label"},
                "tickformat": palette.PERCENT_TICK_FORMAT,
                "thickness": 12,
            },
            hovertemplate=hovertemplate + "<extra></extra>",
            meta={"role": "confusion"},
        )
    )
    _category_axes(fig, labels, labels)
    fig.update_xaxes(title={"text": "QA label"}, side="top")
    fig.update_yaxes(title={"text": "Moderator label"})
    size = max(320, 36 * len(labels) + 160)
    return palette.base_layout(fig, title=title, height=size)


def _label_cells(rates: pd.DataFrame, rows: str, columns: str) -> pd.DataFrame:
    return rates.assign(
        _row=rates[rows].astype(str),
        _column=rates[columns].astype(str),
        _enough=rates["enough_data"].astype(bool),
        _text="n=" + rates["denominator"].map(palette.format_count),
    )


def _cells(
    cells: pd.DataFrame,
    row_values: list[str],
    column_values: list[str],
    hovertemplate: str,
    note: str = "",
) -> go.Heatmap:
    notes = pd.Series(note, index=cells.index)
    records = palette.rate_customdata(cells, ["_row", "_column"], notes)
    grid_custom = np.full((len(row_values), len(column_values)), None, dtype=object)
    for record in records:
        grid_custom[row_values.index(record[0]), column_values.index(record[1])] = list(record)
    return go.Heatmap(
        z=_grid(cells, "rate", row_values, column_values).astype(float),
        x=column_values,
        y=row_values,
        text=_grid(cells, "_text", row_values, column_values, missing=""),
        # Percentages formatted by plotly.js, like the hover: Python rounds ties to even
        # (81.25% -> "81.2%") where d3 rounds them up ("81.3%").
        texttemplate=f"%{{z:{palette.PERCENT_FORMAT}}}",
        customdata=grid_custom,
        hovertemplate=hovertemplate,
        hoverongaps=False,
        xgap=CELL_GAP,
        ygap=CELL_GAP,
    )


def _grid(
    cells: pd.DataFrame,
    value: str,
    row_values: list[str],
    column_values: list[str],
    missing: object = np.nan,
) -> np.ndarray:
    # Text grids need "" for gaps, not None: plotly.js prints "null" on empty cells.
    grid = cells.pivot(index="_row", columns="_column", values=value)
    grid = grid.reindex(index=row_values, columns=column_values).astype(object)
    return grid.where(grid.notna(), missing).to_numpy()


def _scale_range(rates: pd.Series, midpoint: float | None) -> tuple[float, float]:
    low, high = float(rates.min()), float(rates.max())
    if midpoint is not None:
        spread = max(abs(high - midpoint), abs(midpoint - low), 0.005)
        return midpoint - spread, midpoint + spread
    if high - low < 0.01:
        # A near-uniform grid would otherwise paint tiny differences as red vs blue.
        return low - 0.005, high + 0.005
    return low, high


def _label_order(matrix: pd.DataFrame) -> list[str]:
    labels = list(dict.fromkeys([*matrix.index, *matrix.columns]))
    return sorted(labels, key=lambda label: label != APPROVE)  # stable: others keep order


def _category_axes(fig: go.Figure, row_values: list[str], column_values: list[str]) -> None:
    # Explicit tick lists: with many labels plotly thins category ticks, which could hide
    # the "approve" row. First row at the top, as in a table.
    fig.update_xaxes(tickmode="array", tickvals=column_values, showgrid=False)
    fig.update_yaxes(tickmode="array", tickvals=row_values, showgrid=False, autorange="reversed")
