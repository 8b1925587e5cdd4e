"""A grid of changes (e.g. market x policy area) that colours only the significant ones."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from charts import palette

CELL_GAP = 2
# Judged cells whose change is not significant: one quiet fill, so noise never looks alarming.
UNCHANGED = "#EEF0F3"
TOO_SMALL = "#FFFFFF"
TOO_SMALL_NOTE = "too few to judge"


def change_heatmap(
    frame: pd.DataFrame,
    *,
    rows: str = "market_code",
    columns: str = "policy_area",
    metric_label: str = "Accuracy",
    higher_is_better: bool = True,
    row_names: Mapping[str, str] | None = None,
    column_names: Mapping[str, str] | None = None,
    against_label: str = "comparison",
    title: str | None = None,
) -> go.Figure:
    """Return a grid whose colour is the change in points, drawn only where ``moved``.

    ``frame`` holds one row per cell with the columns of ``metrics.movers.compare_periods``
    plus ``lower``/``upper`` (the judged rate's Wilson interval). Significant cells are
    coloured on a diverging scale centred on 0 (red on the metric's bad side); judged cells
    that did not move are one neutral fill; cells not judged are white and marked "n=12".
    Rows and columns are shown by name (``row_names``), codes stay in the hover. An invisible
    marker per cell (meta role "cells") carries ``[row code, column code]`` as customdata,
    because Streamlit reports no selection from a heatmap.
    """
    if frame.empty:
        return palette.empty_figure(title)
    cells = frame.assign(
        _row=frame[rows].astype(str),
        _column=frame[columns].astype(str),
    )
    row_names = dict(row_names or {})
    column_names = dict(column_names or {})
    cells["_row_name"] = cells["_row"].map(lambda code: row_names.get(code, code))
    cells["_column_name"] = cells["_column"].map(lambda code: column_names.get(code, code))
    row_order = sorted(cells["_row_name"].unique())
    column_order = sorted(cells["_column_name"].unique())
    cells["_points"] = cells["difference"] * 100
    cells["_text"] = _cell_text(cells)
    cells["_hover"] = _hover(cells, metric_label, against_label)
    fig = go.Figure()
    moved = cells["moved"].astype(bool)
    judged = cells["judged"].astype(bool)
    limit = max(float(cells.loc[moved, "_points"].abs().max()) if moved.any() else 0.0, 1.0)
    for role, subset, colourscale, show_scale in (
        ("significant", cells[moved], _change_scale(higher_is_better), True),
        ("unchanged", cells[judged & ~moved], [[0, UNCHANGED], [1, UNCHANGED]], False),
        ("too small", cells[~judged], [[0, TOO_SMALL], [1, TOO_SMALL]], False),
    ):
        if subset.empty:
            continue
        z = subset["_points"] if role == "significant" else pd.Series(0.0, index=subset.index)
        fig.add_trace(
            go.Heatmap(
                z=_grid(subset.assign(_z=z), "_z", row_order, column_order),
                x=column_order,
                y=row_order,
                text=_grid(subset, "_text", row_order, column_order, missing=""),
                texttemplate="%{text}",
                # The invisible markers below carry the hover and the click.
                hoverinfo="skip",
                colorscale=colourscale,
                zmid=0 if role == "significant" else None,
                zmin=-limit if role == "significant" else None,
                zmax=limit if role == "significant" else None,
                showscale=show_scale,
                colorbar={
                    "title": {"text": "Change<br>(points)"},
                    "ticksuffix": "",
                    "thickness": 12,
                },
                hoverongaps=False,
                xgap=CELL_GAP,
                ygap=CELL_GAP,
                name=role,
                meta={"role": role},
            )
        )
    fig.add_trace(
        go.Scatter(
            x=cells["_column_name"],
            y=cells["_row_name"],
            mode="markers",
            marker={"size": 28, "opacity": 0, "symbol": "square"},
            customdata=np.column_stack([cells["_row"], cells["_column"]]),
            hovertext=cells["_hover"],
            hovertemplate="%{hovertext}<extra></extra>",
            showlegend=False,
            name="cells",
            meta={"role": "cells"},
        )
    )
    fig.update_xaxes(
        type="category",
        categoryorder="array",
        categoryarray=column_order,
        side="top",
        showgrid=False,
    )
    fig.update_yaxes(
        type="category",
        categoryorder="array",
        categoryarray=row_order,
        autorange="reversed",
        showgrid=False,
    )
    return palette.base_layout(fig, title=title, height=max(280, 34 * len(row_order) + 120))


def _change_scale(higher_is_better: bool) -> list[list[float | str]]:
    """Return a diverging scale whose negative end is red when higher is better."""
    # A lighter middle than the rate scale: a significant but small change must still show.
    scale: list[list[float | str]] = [[0.0, "#B2182B"], [0.5, "#F7F7F7"], [1.0, "#2166AC"]]
    if higher_is_better:
        return scale
    return [[1.0 - stop, colour] for stop, colour in reversed(scale)]


def _cell_text(cells: pd.DataFrame) -> pd.Series:
    """Return each cell's text: the change where significant, the level otherwise."""
    change = cells["_points"].map(lambda value: f"{value:+.1f} pts")
    level = cells["rate_current"].map(palette.format_percent)
    small = "n=" + cells["denominator_current"].map(palette.format_count)
    return pd.Series(
        np.where(cells["moved"], change, np.where(cells["judged"], level, small)),
        index=cells.index,
    )


def _hover(cells: pd.DataFrame, metric_label: str, against_label: str) -> pd.Series:
    """Return each cell's hover text: names and codes, level and interval, change and its test."""
    lines = []
    for record in cells.to_dict("records"):
        text = (
            f"<b>{record['_row_name']} · {record['_column_name']}</b> "
            f"({record['_row']} · {record['_column']})<br>"
            f"{metric_label} {palette.format_percent(record['rate_current'])} "
            f"(95% interval {palette.format_percent(record['lower'])} – "
            f"{palette.format_percent(record['upper'])}; "
            f"{palette.format_count(record['denominator_current'])} in the denominator)<br>"
            f"{against_label}: {palette.format_percent(record['rate_previous'])}"
        )
        if record["judged"]:
            text += (
                f"<br>change {record['_points']:+.1f} pts (95% interval "
                f"{record['difference_lower'] * 100:+.1f} to "
                f"{record['difference_upper'] * 100:+.1f})"
                + (" · significant" if record["moved"] else " · not significant")
            )
        else:
            text += f"<br><i>{TOO_SMALL_NOTE}</i>"
        lines.append(text)
    return pd.Series(lines, index=cells.index)


def _grid(
    cells: pd.DataFrame,
    value: str,
    row_order: list[str],
    column_order: list[str],
    missing: object = np.nan,
) -> np.ndarray:
    grid = cells.pivot(index="_row_name", columns="_column_name", values=value)
    grid = grid.reindex(index=row_order, columns=column_order).astype(object)
    return grid.where(grid.notna(), missing).to_numpy()


def mark_comparison(
    fig: go.Figure,
    judged: tuple[object, object],
    against_rate: float | None,
    *,
    against_label: str = "comparison",
) -> go.Figure:
    """Return ``fig`` with the judged span shaded and the comparison's rate as a dashed line."""
    start, end = (pd.Timestamp(day) for day in judged)
    fig.add_vrect(
        x0=start - pd.Timedelta(days=1),
        x1=end,
        fillcolor=palette.with_alpha(palette.ACCENT, 0.08),
        line_width=0,
        layer="below",
        annotation_text="judged",
        annotation_position="top left",
    )
    if against_rate is not None and against_rate == against_rate:
        fig.add_hline(
            y=against_rate,
            line={"dash": "dash", "color": palette.CENTRE_LINE, "width": 1},
            annotation_text=f"{against_label}: {palette.format_percent(against_rate)}",
            annotation_position="bottom left",
        )
    return fig
