"""The data health line: how fresh the warehouse is and which rollups the pages read."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import queries
from data_access.engine import WarehouseUnavailable
from ui import boundary, warehouse


def health_text(fresh: pd.DataFrame, rollups: pd.DataFrame) -> str:
    """Return one line: the newest decision, and the daily rollup's days and refresh time."""
    latest = fresh.set_index("table_name").loc["decisions", "latest"]
    if pd.isna(latest):
        return "The warehouse holds no decisions yet."
    parts = [f"Decisions up to {pd.Timestamp(latest):%d %b %Y %H:%M} UTC"]
    daily = rollups[rollups["rollup"] == "modqa_rollup_daily"]
    if daily.empty:
        parts.append("no rollups: every page reads the fact tables")
    else:
        row = daily.iloc[0]
        last_day = pd.Timestamp(row["last_day"])
        parts.append(
            f"rollups through {last_day:%d %b %Y}, refreshed "
            f"{pd.Timestamp(row['refreshed_at']):%d %b %H:%M} UTC"
        )
        if last_day.date() < pd.Timestamp(latest).date():
            parts.append("later days are read from the fact tables")
    return " · ".join(parts)


@boundary.guard("the data health line")
def health_line() -> None:
    """Show the data health line at the foot of the sidebar; say so when it cannot be read."""
    try:
        text = health_text(
            warehouse.query(queries.freshness), warehouse.query(queries.rollup_status)
        )
    except WarehouseUnavailable:
        text = "Data health unknown: the warehouse did not answer."
    except ValueError:
        # Unreadable timestamps in the warehouse: validate names them; the pages say so.
        text = "Data health unknown: the warehouse's timestamps could not be read."
    st.sidebar.caption(text, help="Rollups are built by `python -m data_access.rollups`.")
