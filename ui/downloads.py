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


def rate_table(
    frame: pd.DataFrame, *, keys: Mapping[str, str], metric: Metric, file_stem: str
) -> None:
    """Show a rate frame as a table with percentages, and a button to download it as CSV."""
    table = rate_table_frame(frame, keys, metric)
    percent = st.column_config.NumberColumn(format="percent")
    st.dataframe(
        naming.readable_table(table),
        hide_index=True,
        column_config={
            metric.label: percent,
            "95% CI low": percent,
            "95% CI high": percent,
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
