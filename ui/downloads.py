"""Tables behind charts, with a CSV download of exactly what the table shows."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from metrics.registry import Metric
from ui import audit, data
from ui import names as naming


def rate_table_frame(frame: pd.DataFrame, keys: Mapping[str, str], metric: Metric) -> pd.DataFrame:
    """Return the readable table of a rate frame: keys, counts, rate, interval, judged flag."""
    nouns = data.nouns(metric)
    table = frame[[*keys, "numerator", "denominator", "rate", "lower", "upper", "enough_data"]]
    return table.rename(
        columns={
            **keys,
            "numerator": nouns["numerator_label"].capitalize(),
            "denominator": nouns["denominator_label"].capitalize(),
            "rate": metric.label,
            "lower": "95% CI low",
            "upper": "95% CI high",
            "enough_data": "Enough data",
        }
    ).reset_index(drop=True)


def _compact_rate_table(table: pd.DataFrame, metric: Metric) -> pd.DataFrame:
    """Return the on-screen form of a rate table: the interval in one column, so it fits a
    half-width panel; the CSV keeps every column."""
    interval = (
        (table["95% CI low"] * 100).map("{:.1f}".format)
        + "–"
        + (table["95% CI high"] * 100).map("{:.1f}%".format)
    ).where(table["95% CI low"].notna(), "–")
    # A rate below the minimum sample stays visible but says it is not judged.
    interval = interval.where(table["Enough data"].astype(bool), "too few to judge")
    # The numerator is in the hover and the CSV; on screen the rate and its base suffice.
    numerator = data.nouns(metric)["numerator_label"].capitalize()
    shown = table.drop(columns=["95% CI low", "95% CI high", "Enough data", numerator])
    shown.insert(shown.columns.get_loc(metric.label) + 1, "95% CI", interval)
    # In percent, printed with one decimal like the interval beside it.
    return shown.assign(**{metric.label: shown[metric.label] * 100})


def rate_table(
    frame: pd.DataFrame, *, keys: Mapping[str, str], metric: Metric, file_stem: str
) -> None:
    """Show a rate frame as a table with percentages, and a button to download it as CSV."""
    table = rate_table_frame(frame, keys, metric)
    st.dataframe(
        naming.readable_table(_compact_rate_table(table, metric)),
        hide_index=True,
        column_config={
            metric.label: st.column_config.NumberColumn(format="%.1f%%", width="small"),
            "95% CI": st.column_config.TextColumn(width="small"),
            data.nouns(metric)["denominator_label"].capitalize(): st.column_config.NumberColumn(
                format="localized"
            ),
        },
    )
    csv_button(
        table,
        "Download this table (CSV)",
        file_name=f"{file_stem}.csv",
        key=f"download-{file_stem}",
    )


def csv_button(frame: pd.DataFrame, label: str, *, file_name: str, key: str) -> None:
    """Offer a frame as a CSV download holding exactly its rows and columns."""
    st.download_button(
        label,
        frame.to_csv(index=False).encode("utf-8"),
        file_name=file_name,
        mime="text/csv",
        icon=":material/download:",
        key=key,
        on_click=audit.download_recorder(file_name),
    )
