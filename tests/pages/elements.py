"""Reading a run AppTest like a user reads the page: charts, tables, tiles, the URL."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pandas as pd


def url(app, key: str) -> list[str]:
    """Return the values of a query parameter in the app's URL, as a list."""
    value = app.query_params.get(key, [])
    return value if isinstance(value, list) else [value]


def decoded(value):
    """Return figure JSON with plotly's base64 typed arrays turned back into plain lists."""
    if isinstance(value, dict):
        if set(value) >= {"dtype", "bdata"}:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            if "shape" in value:  # "rows, columns", as plotly writes it
                array = array.reshape([int(size) for size in str(value["shape"]).split(",")])
            return array.tolist()
        return {key: decoded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decoded(item) for item in value]
    return value


def figure(app, key: str) -> dict:
    """Return the plotly figure (as JSON data) drawn with ``st.plotly_chart(..., key=key)``."""
    for chart in app.get("plotly_chart"):
        if chart.proto.id.endswith(f"-{key}"):
            return decoded(json.loads(chart.proto.spec))
    raise AssertionError(f"no chart with key {key!r}")


def traces(fig: dict, role: str) -> list[dict]:
    """Return the traces of a figure whose meta role is ``role``."""
    return [trace for trace in fig["data"] if (trace.get("meta") or {}).get("role") == role]


def action_titles(fig: dict) -> list[str]:
    """Return the recorded actions' titles written on a figure, in date order."""
    return [
        note["text"]
        for note in fig["layout"].get("annotations", [])
        if note.get("name") == "action-title"
    ]


_MARKDOWN_LINK = re.compile(r"^\[[^\]]*\]\((?P<url>[^)]*)\)$")
_MARKDOWN_ESCAPE = re.compile(r"\\(.)")


def plain(cell: object) -> object:
    """Return a Markdown table cell as the text a reader sees; a link becomes its address."""
    if not isinstance(cell, str):
        return cell
    link = _MARKDOWN_LINK.match(cell)
    if link:
        return link["url"]
    return _MARKDOWN_ESCAPE.sub(r"\1", cell.replace("**", "")).replace("\u200b", "")


def shown_tables(app) -> list[pd.DataFrame]:
    """Return every table on the page as plain text: interactive ones as they are, static
    (Markdown) ones with escapes and emphasis removed and links as their addresses."""
    frames = [frame.value for frame in app.dataframe]
    for static in app.table:
        value = static.value
        frames.append(value.rename(columns=plain).map(plain))
    return frames


def table(app, column: str) -> pd.DataFrame:
    """Return the first table on the page that has a column named ``column``."""
    for frame in shown_tables(app):
        if column in frame.columns:
            return frame
    raise AssertionError(f"no table with a {column!r} column")


def tiles(app) -> dict[str, str]:
    """Return each KPI tile's label and displayed value."""
    return {metric.label: metric.value for metric in app.metric}


def widget(app, label: str):
    """Return the sidebar widget with this label."""
    for kind in (
        app.sidebar.selectbox,
        app.sidebar.multiselect,
        app.sidebar.radio,
        app.sidebar.date_input,
    ):
        for element in kind:
            if element.label == label:
                return element
    raise AssertionError(f"no sidebar widget labelled {label!r}")


def texts(elements) -> list[str]:
    """Return the text of a list of Streamlit elements as a reader sees it.

    Values from the warehouse are Markdown-escaped (``ui.text.md``): ``listing\\_duplicate``
    renders as ``listing_duplicate``, so the backslashes are dropped here.
    """
    return [re.sub(r"\\(.)", r"\1", str(element.value)) for element in elements]
