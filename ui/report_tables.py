"""Read-only report tables whose cells wrap, so a wide table fits the page at 1024 px.

``st.dataframe`` draws on a canvas with one line per cell: a table of long segment names and
"rate (interval)" texts is wider than the page and scrolls sideways. The weekly review's
tables are read, not sorted, so they are drawn as ``st.table``, whose cells wrap. Its cells
are Markdown, so every value is escaped (``ui.text.md``); the only links are addresses the
app built itself.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.text import md


def _cell(value: object) -> str:
    """Return one cell as escaped Markdown: numbers with separators, missing values as a dash."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or (isinstance(value, float) and float(value).is_integer()):
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:,.3g}"
    return md(value)


def _link(url: object, text: str) -> str:
    """Return a Markdown link to ``url`` (one the app built), or a dash when there is none."""
    if not isinstance(url, str) or not url:
        return "–"
    safe = url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    return f"[{text}]({safe})"


def report_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with every heading and cell as escaped Markdown text."""
    shown = pd.DataFrame(index=range(len(frame)))
    for column in frame.columns:
        shown[md(column)] = [_cell(value) for value in frame[column].tolist()]
    return shown


def report_table(frame: pd.DataFrame) -> None:
    """Show ``frame`` as a static table whose text wraps to the width of its container."""
    markdown_table(report_frame(frame))


def _judged_change(change: str, verdict: str) -> str:
    """Return a change cell: bold when significant, with the reason when it was not judged."""
    text = md(change)
    if verdict == "significant":
        return f"**{text}**"
    if verdict in ("no", ""):
        return text
    return f"{text} ({md(verdict)})"


def headline_screen(table: pd.DataFrame, previous_week: str) -> pd.DataFrame:
    """Return the headline table in five columns that fit the page: each change in bold when
    significant, with the reason when it was not judged (the report keeps every column)."""
    return pd.DataFrame(
        {
            "Segment": [md(value) for value in table["Segment"]],
            "This week": [md(value) for value in table["This week"]],
            "95% interval": [md(value) for value in table["95% interval"]],
            md(f"Change vs {previous_week}"): [
                _judged_change(change, verdict)
                for change, verdict in zip(
                    table["Change (95% CI)"], table["Significant"], strict=True
                )
            ],
            "Change vs baseline": [
                _judged_change(change, verdict)
                for change, verdict in zip(
                    table["Change vs baseline (95% CI)"],
                    table["Significant vs baseline"],
                    strict=True,
                )
            ],
        }
    )


def movers_screen(table: pd.DataFrame, previous_week: str) -> pd.DataFrame:
    """Return the movers table in six columns that fit the page: the significant change in
    bold, and the page that explains it as the link's text."""
    against = table["Significant against"]
    return pd.DataFrame(
        {
            "Metric": [md(value) for value in table["Metric"]],
            "Segment": [md(value) for value in table["Segment"]],
            "This week": [md(value) for value in table["This week"]],
            md(f"Change vs {previous_week}"): [
                _judged_change(change, "significant" if side != "baseline" else "no")
                for change, side in zip(table["Change (95% CI)"], against, strict=True)
            ],
            "Change vs baseline": [
                _judged_change(change, "significant" if side != "previous week" else "no")
                for change, side in zip(table["Change vs baseline (95% CI)"], against, strict=True)
            ],
            "Open": [
                _link(url, f"{page} ↗")
                for url, page in zip(table["Link"], table["Explained on"], strict=True)
            ],
        }
    )


def markdown_table(frame: pd.DataFrame) -> None:
    """Show a frame whose cells are already Markdown as a static table that wraps."""
    st.table(frame, hide_index=True, border="horizontal")


def breaches_screen(table: pd.DataFrame) -> pd.DataFrame:
    """Return the control-chart breaches in seven columns: the rate with its base, and the
    limits with their centre."""
    return pd.DataFrame(
        {
            "Week": [md(value) for value in table["Week"]],
            "Metric": [md(value) for value in table["Metric"]],
            "Market": [md(value) for value in table["Market"]],
            "Rate": [
                md(f"{rate} of {count}")
                for rate, count in zip(table["Rate"], table["n"], strict=True)
            ],
            "Control limits (centre)": [
                md(f"{limits} ({centre})")
                for limits, centre in zip(table["Control limits"], table["Centre"], strict=True)
            ],
            "Rule broken": [md(value) for value in table["Rule broken"]],
            "Direction": [md(value) for value in table["Direction"]],
        }
    )


def not_judged_screen(table: pd.DataFrame) -> pd.DataFrame:
    """Return the judged counts in six columns: judged out of all segments, then each reason."""
    return pd.DataFrame(
        {
            "Metric": [md(value) for value in table["Metric"]],
            "Segments": [md(value) for value in table["Kind"]],
            "Judged": [
                f"{judged:,} of {total:,}"
                for judged, total in zip(table["Judged"], table["Segments"], strict=True)
            ],
            "Too few": [f"{value:,}" for value in table["Below minimum sample"]],
            "Immature": [f"{value:,}" for value in table["Immature"]],
            "No earlier data": [f"{value:,}" for value in table["No earlier data"]],
        }
    )
