"""The Overview answers "what got worse?": the judged period against its comparison.

Expected verdicts are computed here from the raw rows: counts by pandas, the pooled
two-proportion test as a 2x2 chi-squared (scipy), and Benjamini-Hochberg by hand over the
page's one family (the four tiles and every judged grid cell).
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency
from streamlit.proto.WidgetStates_pb2 import WidgetState

from data_access.filters import Filters
from tests.data_access import reference
from tests.pages.elements import figure, traces, url

# Latest complete 4 weeks of the test warehouse (14 Sep - 22 Nov 2026) against the 4 weeks
# before: the only whole 4-week period of data before it.
JUDGED = Filters(dt.date(2026, 10, 26), dt.date(2026, 11, 22))
AGAINST = Filters(dt.date(2026, 9, 28), dt.date(2026, 10, 25))
LINK = {"judge": "4_weeks", "against": "trailing"}
TILE_COUNTS = (
    ("inspection", "correct", "inspections"),
    ("inspection", "over_enforced", "rejections_inspected"),
    ("appeal", "overturned", "resolved"),
    ("penalty", "penalties", "rejections"),
)


def _p_value(c1: float, n1: float, c2: float, n2: float) -> float:
    table = np.array([[c1, n1 - c1], [c2, n2 - c2]])
    if table.sum(axis=0).min() == 0:
        return 1.0
    return float(chi2_contingency(table, correction=False)[1])


def _bh(p_values: list[float]) -> np.ndarray:
    p = np.asarray(p_values)
    order = np.argsort(p)
    m = len(p)
    ranked = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1)
    result = np.empty(m)
    result[order] = adjusted
    return result


def _counts(raw, source: str, filters: Filters, by: list[str]) -> pd.DataFrame:
    return getattr(reference, f"{source}_counts")(raw, filters, by)


def expected_significant_cells(raw) -> set[tuple[str, str]]:
    """Return the (market, policy) cells whose accuracy change survives the page's BH family."""
    family: list[tuple[object, float]] = []
    for source, numerator, denominator in TILE_COUNTS:
        now, then = (_counts(raw, source, f, []).iloc[0] for f in (JUDGED, AGAINST))
        if min(now[denominator], then[denominator]) >= 30:
            family.append(
                (
                    "tile",
                    _p_value(now[numerator], now[denominator], then[numerator], then[denominator]),
                )
            )
    keys = ["market_code", "policy_area"]
    now = _counts(raw, "inspection", JUDGED, keys).set_index(keys)
    then = _counts(raw, "inspection", AGAINST, keys).set_index(keys)
    both = now.add_suffix("_now").join(then.add_suffix("_then"), how="outer").fillna(0)
    for cell, row in both.iterrows():
        if min(row["inspections_now"], row["inspections_then"]) >= 30:
            p = _p_value(
                row["correct_now"],
                row["inspections_now"],
                row["correct_then"],
                row["inspections_then"],
            )
            family.append((cell, p))
    adjusted = _bh([p for _, p in family])
    return {
        cell for (cell, _), q in zip(family, adjusted, strict=True) if cell != "tile" and q < 0.05
    }


def coloured_cells(app, raw) -> set[tuple[str, str]]:
    """Return the (market, policy) cells the grid colours, read back from the figure."""
    fig = figure(app, "overview-grid")
    (cells,) = traces(fig, "cells")
    by_name = {
        (name_row, name_column): tuple(codes)
        for name_row, name_column, codes in zip(
            cells["y"], cells["x"], cells["customdata"], strict=True
        )
    }
    coloured = set()
    for trace in traces(fig, "significant"):
        for row, values in zip(trace["y"], trace["z"], strict=True):
            for column, value in zip(trace["x"], values, strict=True):
                if value is not None and value == value:
                    coloured.add(by_name[(row, column)])
    return coloured


def test_the_grid_colours_exactly_the_significant_cells(app_on_warehouse, duckdb_warehouse):
    _, raw = duckdb_warehouse
    app = app_on_warehouse(**LINK)
    assert not app.exception
    expected = expected_significant_cells(raw)
    assert ("ID", "listing") in expected, "the planted accuracy drop is a telling case"
    assert coloured_cells(app, raw) == expected
    fig = figure(app, "overview-grid")
    (significant,) = traces(fig, "significant")
    assert significant["zmid"] == 0, "a diverging scale centred on no change"
    unchanged = traces(fig, "unchanged")
    assert unchanged and all(colour == "#EEF0F3" for _, colour in unchanged[0]["colorscale"]), (
        "cells that did not move share one neutral fill"
    )


def test_the_tiles_say_when_there_is_no_earlier_period(app_on_warehouse):
    # The first whole week of data: nothing earlier to compare it with.
    app = app_on_warehouse(start="2026-09-14", end="2026-09-20", judge="week")
    assert not app.exception
    notes = [caption.value for caption in app.caption]
    assert notes.count("No earlier data to compare with.") == 4
    assert not any("too few" in note.lower() for note in notes)
    assert any("no earlier data" in info.value.lower() for info in app.info)


def click_cell(app, market: str, policy: str):
    """Click a grid cell as the browser reports it: a selected point of the cell markers."""
    chart = next(c for c in app.get("plotly_chart") if c.proto.id.endswith("-overview-grid"))
    states = app._tree.get_widget_states()
    selection = {
        "selection": {
            "points": [{"customdata": [market, policy], "curve_number": 0, "point_index": 0}],
            "point_indices": [0],
            "box": [],
            "lasso": [],
        }
    }
    states.widgets.append(WidgetState(id=chart.proto.id, string_value=json.dumps(selection)))
    return app._run(states)


def test_a_clicked_cell_lands_in_the_link_and_filters_the_trend(app_on_warehouse):
    app = app_on_warehouse(**LINK)
    app = click_cell(app, "ID", "listing")
    assert not app.exception
    assert url(app, "cell") == ["ID.listing"]
    drawn = traces(figure(app, "overview-trend"), "rate")
    assert [trace["name"] for trace in drawn] == ["Indonesia"]
    assert "Accuracy: Indonesia · Listings" in [header.value for header in app.subheader]
    (link,) = [code.value for code in app.sidebar.code]
    assert "cell=ID.listing" in link


def test_a_link_with_a_cell_reopens_it_and_an_unknown_cell_is_refused(app_on_warehouse):
    app = app_on_warehouse(**LINK, cell="BR.content")
    assert [trace["name"] for trace in traces(figure(app, "overview-trend"), "rate")] == ["Brazil"]
    app = app_on_warehouse(**LINK, cell="ZZ.listing")
    assert not app.exception
    assert any("is not a market and policy area" in warning.value for warning in app.warning)
    assert url(app, "cell") == []
