"""The weekly review for the page: cached per week and selection, links made by ``ui.links``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from charts.names import rename_figure
from data_access import queries
from data_access.config import ConfigurationError
from data_access.errors import QUERY_FAILURES
from data_access.filters import Filters
from review.narrative import summary_sentences
from review.standing import POOLED_WEEKS, STANDING_WEEKS
from review.weekly import LinkTarget, WeeklyReview, build_review
from review.weeks import iso_week, week_range
from ui import cache_keys, figures, warehouse
from ui import names as naming
from ui.links import View, share_url
from ui.text import md

# How far back the week picker reaches.
PICKER_WEEKS = 104


def _cache_ttl() -> int:
    try:
        return warehouse.settings().cache_ttl_seconds
    except ConfigurationError:
        return 600


@st.cache_data(
    ttl=_cache_ttl(), show_spinner=False, max_entries=64, hash_funcs=cache_keys.BY_CONTENT
)
def _cached_review(
    week: str,
    filters: Filters,
    min_sample: int,
    appeal_window_days: int,
    standing_weeks: int = STANDING_WEEKS,
    pooled_weeks: int = POOLED_WEEKS,
) -> WeeklyReview:
    return build_review(
        warehouse.engine(),
        week,
        filters,
        min_sample=min_sample,
        appeal_window_days=appeal_window_days,
        standing_weeks=standing_weeks,
        pooled_weeks=pooled_weeks,
        count_query=warehouse.counts,
    )


def weekly_review(
    week: str,
    filters: Filters,
    *,
    standing_weeks: int = STANDING_WEEKS,
    pooled_weeks: int = POOLED_WEEKS,
) -> WeeklyReview:
    """Return the review of ``week`` for the view's selection, cached, with a spinner.

    Only the view's dimension selections count (the week sets the dates), so every date range
    in the sidebar shares one cache entry. Warehouse failures become ``WarehouseUnavailable``.
    """
    monday, sunday = week_range(week)
    selection = replace(filters, start=monday, end=sunday, grain="week")
    (selection,), _ = warehouse.scoped(selection)
    current = warehouse.settings()
    with st.spinner(f"Reviewing {week}…", show_time=True):
        try:
            return _cached_review(
                week,
                selection,
                current.min_sample,
                current.appeal_window_days,
                standing_weeks,
                pooled_weeks,
            )
        except QUERY_FAILURES as error:
            raise warehouse.warehouse_problem(error) from error


def identity(review: WeeklyReview) -> tuple:
    """Return what a review is built from: equal identities, equal reviews (a cache key)."""
    return (
        review.week,
        review.filters,
        review.latest_data,
        review.min_sample,
        review.fdr,
        review.appeal_window_days,
        review.standing_weeks,
        review.pooled_weeks,
    )


def figure(build: Callable[..., go.Figure], review: WeeklyReview, *args: object) -> go.Figure:
    """Return ``build(review, *args)`` with names for codes, built once per review and names
    (``ui.figures``: shared, so read-only)."""
    names = naming.all_names()
    key = (
        identity(review),
        f"{build.__module__}.{build.__qualname__}",
        args,
        tuple(sorted(names.items())),
    )
    return figures.built_for(key, _named_figure, build, names, review, *args)


def table(build: Callable[..., pd.DataFrame], review: WeeklyReview, *args: object) -> pd.DataFrame:
    """Return ``build(review, *args)`` with names for codes, computed once per review, names
    and arguments (``st.cache_data``: each run gets its own copy)."""
    names = naming.all_names()
    key = repr((identity(review), args, sorted(names.items())))
    return _table(f"{build.__module__}.{build.__qualname__}", key, build, review, args)


def summary(review: WeeklyReview) -> str:
    """Return the review's summary as Markdown bullets, codes written as names, built once
    per review and names (the sentences were 25% of a warm review's script)."""
    names = naming.code_names()
    return _summary(repr((identity(review), figures.names_key(names))), review, names)


@st.cache_data(ttl=_cache_ttl(), show_spinner=False, max_entries=64)
def _summary(key: str, _review: WeeklyReview, _names: dict[str, str]) -> str:
    return "\n".join(
        f"- {md(naming.humanize(sentence, _names))}" for sentence in summary_sentences(_review)
    )


@st.cache_data(ttl=_cache_ttl(), show_spinner=False, max_entries=256)
def _table(name: str, key: str, _build, _review, _args) -> pd.DataFrame:  # noqa: ANN001
    return naming.readable_table(_build(_review, *_args))


def _named_figure(build, names, review, *args) -> go.Figure:  # noqa: ANN001 - see figure()
    return rename_figure(build(review, *args), names)


def week_options(latest: dt.datetime | None, last_complete: str, chosen: str) -> list[str]:
    """Return the weeks to pick from, newest first: complete weeks from the first data on
    (at most ``PICKER_WEEKS``), and the chosen; read from the freshness line, not a scan."""
    weeks = {chosen}
    if latest is not None:
        fresh = warehouse.query(queries.freshness).set_index("table_name")
        earliest = fresh.loc["decisions", "earliest"]
        monday = week_range(last_complete)[0]
        for back in range(PICKER_WEEKS):
            start = monday - dt.timedelta(weeks=back)
            if pd.notna(earliest) and start + dt.timedelta(days=7) <= earliest.date():
                break
            weeks.add(iso_week(start))
    return sorted(weeks, reverse=True)


def app_root() -> str:
    """Return the dashboard's address without a page: origin and base path."""
    current = urlsplit(st.context.url or "http://localhost:8501/")
    base = st.get_option("server.baseUrlPath").strip("/")
    return urlunsplit((current.scheme, current.netloc, f"/{base}" if base else "", "", ""))


def link_builder(root: str) -> Callable[[LinkTarget], str]:
    """Return a function turning a finding's ``LinkTarget`` into a full dashboard link."""

    def link_for(target: LinkTarget) -> str:
        view = View(filters=target.filters, choices=target.choices)
        return share_url(f"{root}/{target.page}", view)

    return link_for


def review_dates(week: str, baseline_weeks: int) -> tuple[dt.date, dt.date]:
    """Return the dates a review of ``week`` spans: its baseline weeks and the week itself."""
    monday, sunday = week_range(week)
    return monday - dt.timedelta(weeks=baseline_weeks), sunday
