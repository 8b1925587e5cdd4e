"""The drill-through list: the decisions behind a number, paged in SQL, page in the URL."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import drill_lists
from data_access.drill_lists import Source, metric_drill, metric_drill_all
from data_access.errors import QUERY_FAILURES
from ui import cache_keys, warehouse
from ui import names as naming
from ui.filters import set_choice
from ui.links import Choice, View, page_number
from ui.text import md

PAGE_SIZE = 50

# Pages that show a drill-through list add this choice so the list's page is in the link.
DRILL_PAGE = Choice("drill_page", page_number, "", "drill-through page number")
# Which rows the list holds: the weekly review's overturn findings link with "appeals".
DRILL_SOURCE = Choice(
    "drill_list", ("inspections", "appeals", "penalties"), "inspections", "drill-through list"
)

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
    "appealed_at": "Appealed (UTC)",
    "resolved_at": "Resolved (UTC)",
    "resolution_hours": "Hours to resolve",
    "penalty_id": "Penalty ID",
    "points": "Points",
    "issued_at": "Issued (UTC)",
    "reversed_at": "Reversed (UTC)",
}
# What each list holds, in words: the rows its metric counts.
NOUNS = {
    "inspections": "inspected decisions",
    "appeals": "appealed decisions",
    "penalties": "penalties",
}
TIME_COLUMNS = ("Decided (UTC)", "Appealed (UTC)", "Resolved (UTC)", "Issued (UTC)")


@st.cache_data(ttl=600, show_spinner=False, max_entries=128, hash_funcs=cache_keys.BY_CONTENT)
def _cached_drill(name: str, args: tuple, kwargs: tuple) -> object:
    return getattr(drill_lists, name)(warehouse.engine(), *args, **dict(kwargs))


def _query(function, *args, **kwargs):
    """Return a drill list from ``data_access.drill_lists`` as ``warehouse.query`` does: the
    filters narrowed to the session's scope (so the cache key holds it), cached, spinner."""
    args, kwargs = warehouse.scoped(*args, function=function, **kwargs)
    with st.spinner("Asking the warehouse…", show_time=True):
        try:
            return _cached_drill(function.__name__, args, tuple(sorted(kwargs.items())))
        except QUERY_FAILURES as error:
            raise warehouse.warehouse_problem(error) from error


def _switch_source(key: str) -> None:
    set_choice(DRILL_SOURCE.key, st.session_state[key])
    # Another list starts on its first page.
    set_choice(DRILL_PAGE.key, "")


def source_picker(view: View, sources: tuple[str, ...], *, key: str) -> str:
    """Draw a switch between the lists a page offers and return the one chosen (in the link)."""
    chosen = view.choices.get(DRILL_SOURCE.key) or DRILL_SOURCE.default
    chosen = chosen if chosen in sources else sources[0]
    st.radio(
        "List",
        sources,
        index=sources.index(chosen),
        format_func=lambda source: NOUNS[source].capitalize(),
        horizontal=True,
        key=key,
        on_change=_switch_source,
        args=(key,),
        label_visibility="collapsed",
    )
    return chosen


def drill_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Return the drill-through rows with readable column names, as shown and downloaded."""
    # Shown as text: the contract allows text decision ids as well as numbers.
    return rows.assign(decision_id=rows["decision_id"].astype(str)).rename(columns=COLUMN_NAMES)


def drill_through_list(
    view: View,
    *,
    what: str,
    file_stem: str,
    label_code: str | None = None,
    moderator_id: str | None = None,
    source: Source = "inspections",
) -> None:
    """Show one page of the rows a metric counts (``source``), with paging and a CSV of all.

    QA metrics list inspected decisions, the overturn rate appealed decisions with outcome
    and times, the penalty rate penalties with type, points and reversal. The download holds
    every row of the list up to the drill-through cap, not only the page shown.
    """
    requested = int(view.choices.get(DRILL_PAGE.key) or 1)
    cap = warehouse.settings().drill_through_cap
    choice = {"label_code": label_code, "moderator_id": moderator_id, "cap": cap}
    page = _query(metric_drill, view.filters, source, page=requested, page_size=PAGE_SIZE, **choice)
    noun = NOUNS[source]
    if page.total == 0:
        st.info(f"No {noun} for {md(what)} in this period.")
        return
    counted = f"{page.total:,}" + (f" (the list stops at {cap:,})" if page.capped else "")
    st.caption(f"{counted} {noun} for {md(what)}, newest first.")
    table = drill_table(page.rows)
    times = {
        name: st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")
        for name in TIME_COLUMNS
        if name in table.columns
    }
    st.dataframe(
        naming.readable_table(table),
        hide_index=True,
        column_config={**times, "Decision": st.column_config.TextColumn()},
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
    # Scoped now, inside the script run: the download is generated later, on click.
    args, kwargs = warehouse.scoped(view.filters, source, function=metric_drill_all, **choice)

    def every_row() -> bytes:
        # Called by the download button outside the script run: no spinner, from the cache.
        rows = _cached_drill(metric_drill_all.__name__, args, tuple(sorted(kwargs.items())))
        return drill_table(rows).to_csv(index=False).encode("utf-8")

    with download:
        st.download_button(
            f"Download all {min(page.total, cap):,} rows (CSV)",
            data=every_row,
            file_name=f"{file_stem}.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
            key=f"{file_stem}-csv",
        )
