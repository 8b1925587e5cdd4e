"""Every page as a person reads it: the data's as-of time, and names where codes are stored.

One run per page on the test warehouse. The visible text is what AppTest holds: titles,
captions, markdown, messages, tile labels, table cells, legend entries and category-axis
ticks. Codes may remain in hover text, links and CSV files.
"""

from __future__ import annotations

import json
import re

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from charts.palette import GRID_COLOUR
from tests.pages.elements import decoded, shown_tables
from tests.pages.views import VIEWS
from ui.glossary import terms_in

TEXT_ELEMENTS = ("title", "header", "subheader", "caption", "markdown", "info", "warning", "error")


def visible_text(app) -> list[str]:
    """Return every piece of text the page shows, as AppTest sees it."""
    shown = [str(element.value) for kind in TEXT_ELEMENTS for element in app.get(kind)]
    shown += [f"{metric.label} {metric.value}" for metric in app.metric]
    for table in shown_tables(app):
        for column in table.columns:
            values = table[column].dropna().astype(str)
            shown += [value for value in values if not value.startswith("http")]
    for chart in app.get("plotly_chart"):
        figure = decoded(json.loads(chart.proto.spec))
        shown += [
            trace["name"]
            for trace in figure["data"]
            if trace.get("name") and trace.get("showlegend", True) is not False
        ]
        for key, axis in figure["layout"].items():
            if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
                shown += [str(tick) for tick in axis.get("ticktext") or []]
                tickvals = axis.get("tickvals") or []
                if not axis.get("ticktext"):
                    shown += [str(tick) for tick in tickvals]
    return shown


def code_pattern(raw) -> re.Pattern[str]:
    """Return a pattern matching any market, label or vendor code as a whole word."""
    codes = [
        *raw["markets"]["market_code"],
        *raw["policy_labels"]["label_code"],
        *raw["vendors"]["vendor_code"],
    ]
    return re.compile(r"(?<![\w])(" + "|".join(map(re.escape, codes)) + r")(?![\w])")


@pytest.mark.parametrize(("page", "link", "shows_markets"), VIEWS)
def test_every_page_shows_names_not_codes_and_how_far_the_data_reaches(
    app_on_warehouse, duckdb_warehouse, page, link, shows_markets, monkeypatch
):
    _, raw = duckdb_warehouse
    downloads: dict[str, bytes] = {}
    keep = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        downloads[filename] = path_or_data
        return keep(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    app = app_on_warehouse(page=page, **link)
    assert not app.exception
    assert "Data through 22 Nov 2026, 23:58 UTC" in [c.value for c in app.sidebar.caption]
    text = visible_text(app)
    assert len(text) > 20, "the page drew its content"
    pattern = code_pattern(raw)
    leaks = sorted({match for piece in text for match in pattern.findall(piece)})
    assert leaks == [], f"codes shown where names exist: {leaks}"
    assert not any(piece.strip() == "None" for piece in text), '"None" shown as text'
    # Markets are named: the market names show wherever markets are shown.
    if shows_markets:
        assert any("Indonesia" in piece or "United States" in piece for piece in text)
    unexplained = [
        caption.value
        for caption in app.caption
        if terms_in(caption.value) and "](glossary#" not in caption.proto.help
    ]
    assert unexplained == [], "every statistical term gets its one-line help"
    csvs = [
        bytes(data).decode("utf-8")
        for name, data in downloads.items()
        if name and name.endswith(".csv")
    ]
    # Next to the names, a CSV keeps the codes (for joins): a totals table has none.
    keyed = [csv for csv in csvs if "_code" in csv.partition("\n")[0]]
    if keyed:
        assert any(pattern.search(csv) for csv in keyed), "codes are still in the CSV downloads"


@pytest.mark.parametrize(("page", "link", "shows_markets"), VIEWS)
def test_every_chart_carries_the_house_look_instead_of_streamlits_theme(
    app_on_warehouse, page, link, shows_markets
):
    # Streamlit's theme is merged into a figure in the browser after the script finished;
    # the house template (charts.palette) carries the same look in the figure itself.
    app = app_on_warehouse(page=page, **link)
    assert not app.exception
    for chart in app.get("plotly_chart"):
        assert chart.proto.theme == "", f"{chart.proto.id} is drawn with Streamlit's theme"
        layout = json.loads(chart.proto.spec)["layout"]
        assert layout["template"]["layout"]["yaxis"]["gridcolor"] == GRID_COLOUR
