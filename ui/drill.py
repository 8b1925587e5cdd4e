"""The drill-through list: the decisions behind a number, paged in SQL, page in the URL."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import queries
from ui import names as naming
from ui import warehouse
from ui.downloads import csv_button
from ui.filters import set_choice
from ui.links import Choice, View, page_number
from ui.text import md

PAGE_SIZE = 50

# Pages that show a drill-through list add this choice so the list's page is in the link.
DRILL_PAGE = Choice("drill_page", page_number, "", "drill-through page number")

COLUMN_NAMES = {
    "decision_id": "Decision",
    "decided_at": "Decided (UTC)",
    "market_code": "Market",
    "policy_area": "Policy area",
    "queue": "Queue",
    "vendor_code": "Vendor",
    "moderator_id": "Moderator",
    "outcome": "Outcome",
    "moderator_label": "Moderator label",
    "qa_outcome": "QA outcome",
    "qa_label": "QA label",
    "appeal_outcome": "Appeal",
    "penalty_type": "Penalty",
    "penalty_reversed": "Penalty reversed",
}


def drill_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Return the drill-through rows with readable column names, as shown and downloaded."""
    return rows.rename(columns=COLUMN_NAMES)


def drill_through_list(
    view: View,
    *,
    what: str,
    file_stem: str,
    label_code: str | None = None,
    moderator_id: str | None = None,
) -> None:
    """Show one page of the inspected decisions behind a number, with paging and a CSV."""
    requested = int(view.choices.get(DRILL_PAGE.key) or 1)
    cap = warehouse.settings().drill_through_cap
    page = warehouse.query(
        queries.drill_through,
        view.filters,
        label_code=label_code,
        moderator_id=moderator_id,
        page=requested,
        page_size=PAGE_SIZE,
        cap=cap,
    )
    if page.total == 0:
        st.info(f"No inspected decisions for {md(what)} in this period.")
        return
    counted = f"{page.total:,}" + (f" (the list stops at {cap:,})" if page.capped else "")
    st.caption(f"{counted} inspected decisions for {md(what)}, newest first.")
    table = drill_table(page.rows)
    st.dataframe(
        naming.readable_table(table),
        hide_index=True,
        column_config={
            "Decided (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
            "Decision": st.column_config.NumberColumn(format="%d"),
        },
    )
    previous, status, following, download = st.columns([1, 2, 1, 2])
    previous.button(
        "Previous",
        icon=":material/chevron_left:",
        disabled=page.page <= 1,
        on_click=set_choice,
        args=(DRILL_PAGE.key, str(page.page - 1)),
        key=f"{file_stem}-previous",
    )
    status.markdown(f"Page **{page.page}** of **{page.pages}**")
    following.button(
        "Next",
        icon=":material/chevron_right:",
        disabled=page.page >= page.pages,
        on_click=set_choice,
        args=(DRILL_PAGE.key, str(page.page + 1)),
        key=f"{file_stem}-next",
    )
    with download:
        csv_button(
            table,
            "Download these rows (CSV)",
            file_name=f"{file_stem}_page{page.page}.csv",
            key=f"{file_stem}-csv",
        )
