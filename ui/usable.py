"""What the pages can use of a warehouse with data problems, and the plain notes saying what
was left out ("2 markets have no code; they are left out")."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from data_access import queries
from ui import cache_keys, per_run, warehouse

NOTES_KEY = "data_notes"
# A latest decision further than this past the clock is a loading mistake (9999-12-31).
FUTURE_MARGIN = dt.timedelta(days=1)
VALIDATE = "run `python -m data_access.validate` for details"


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _usable_rows(
    frame: pd.DataFrame, code: str, name: str, noun: str, notes: list[str]
) -> pd.DataFrame:
    """Return the dimension rows with a code, one per code, every name filled in."""
    missing = int(frame[code].isna().sum())
    if missing:
        verb, pronoun = ("has", "it is") if missing == 1 else ("have", "they are")
        notes.append(
            f"{_plural(missing, noun)} in the warehouse {verb} no code; {pronoun} left out."
        )
    frame = frame[frame[code].notna()]
    repeated = frame[code].duplicated()
    if repeated.any():
        count = int(repeated.sum())
        verb = "appears" if count == 1 else "appear"
        notes.append(
            f"{_plural(count, noun + ' code')} {verb} more than once in the warehouse; "
            "the first row of each is used."
        )
    frame = frame[~repeated].copy()
    frame[name] = frame[name].where(frame[name].notna(), frame[code])
    return frame.reset_index(drop=True)


def filter_options() -> queries.FilterOptions:
    """Return the filter options without NULL or repeated codes; notes go to ``page_notes``."""
    return per_run.once("filter_options", _noted_filter_options)


def _noted_filter_options() -> queries.FilterOptions:
    options, notes = _usable_options(warehouse.query(queries.filter_options))
    _note(list(notes))
    return options


@st.cache_data(
    ttl=warehouse.CACHE_TTL,
    show_spinner=False,
    max_entries=64,
    hash_funcs={**cache_keys.BY_CONTENT, queries.FilterOptions: cache_keys.fields_of},
)
def _usable_options(options: queries.FilterOptions) -> tuple[queries.FilterOptions, tuple]:
    # Cached: every page asks for the options several times a run (names, links, sidebar).
    notes: list[str] = []
    markets = _usable_rows(options.markets, "market_code", "market_name", "market", notes)
    labels = _usable_rows(options.labels, "label_code", "label_name", "rejection label", notes)
    vendors = _usable_rows(options.vendors, "vendor_code", "vendor_name", "vendor", notes)
    queues = tuple(queue for queue in options.queues if isinstance(queue, str))
    if len(queues) < len(options.queues):
        notes.append("Some decisions have no queue; they count under All but cannot be picked.")
    areas = tuple(sorted({area for area in labels["policy_area"] if isinstance(area, str)}))
    return queries.FilterOptions(markets, labels, vendors, areas, queues), tuple(notes)


def latest_decision(fresh: pd.DataFrame) -> dt.datetime | None:
    """Return the newest decision time, ignoring dates after today (noted), or None."""
    latest = fresh.loc["decisions", "latest"]
    if pd.isna(latest):
        return None
    latest = pd.Timestamp(latest).to_pydatetime()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if latest.replace(tzinfo=None) > now + FUTURE_MARGIN:
        _note(
            [
                f"Some decisions are dated in the future (the latest {latest:%Y-%m-%d}); "
                f"the default dates end today instead; {VALIDATE}."
            ]
        )
        return now
    return latest


def without_missing_keys(
    frame: pd.DataFrame, by: tuple[str, ...], count_column: str, noun: str
) -> pd.DataFrame:
    """Return the count frame without groups whose key is NULL, noting how many were left out."""
    keys = [column for column in by if column in frame.columns and column != "period"]
    if not keys or frame.empty:
        return frame
    missing = frame[keys].isna().any(axis=1)
    if missing.any():
        count = frame.loc[missing, count_column].sum() if count_column in frame else 0
        # Name only the keys that are actually missing, in the reader's words.
        null_keys = [key for key in keys if frame.loc[missing, key].isna().any()]
        names = " or ".join(key.removesuffix("_code").replace("_", " ") for key in null_keys)
        _note([f"{int(count):,} {noun} have no {names}; they are left out."])
    return frame.loc[~missing].reset_index(drop=True)


def _note(notes: list[str]) -> None:
    shown = st.session_state.setdefault(NOTES_KEY, [])
    for note in notes:
        if note not in shown:
            shown.append(note)


def show_notes() -> None:
    """Show this run's data notes once, as one warning, then forget them."""
    notes = st.session_state.pop(NOTES_KEY, [])
    if notes:
        st.warning(
            "The warehouse has data problems; the view leaves those rows out.\n\n"
            + "\n".join(f"- {note}" for note in notes),
            icon=":material/database:",
        )
