"""The app's one warehouse: settings, the read-only engine, cached queries, friendly errors."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import streamlit as st

from data_access import demo, queries, regroup
from data_access.config import DEMO_WAREHOUSE_PATH, ConfigurationError, Settings, load_settings
from data_access.engine import Engine, WarehouseUnavailable, describe, read_only_engine
from data_access.errors import QUERY_FAILURES

P = ParamSpec("P")
R = TypeVar("R")


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    """Return the settings, read once per server process."""
    return load_settings()


def _build_demo_warehouse() -> None:
    """Create the embedded demo warehouse, showing progress, the first time the app starts."""
    DEMO_WAREHOUSE_PATH.parent.mkdir(parents=True, exist_ok=True)
    partial = DEMO_WAREHOUSE_PATH.with_suffix(".tmp")
    partial.unlink(missing_ok=True)
    bar = st.progress(0.0, text="First start: creating the demo warehouse with sample data")
    demo.build(f"duckdb:///{partial}", demo.DemoSpec(), progress=lambda f, m: bar.progress(f, m))
    # Renamed only when complete, so an interrupted first start is retried, not half-used.
    partial.rename(DEMO_WAREHOUSE_PATH)
    bar.empty()


_first_start = threading.Lock()


@st.cache_resource(show_spinner=False)
def _read_only_engine(current: Settings) -> Engine:
    return read_only_engine(current)


def engine() -> Engine:
    """Return the read-only engine, creating the demo warehouse first when none is configured."""
    current = settings()
    if current.is_embedded_demo and not DEMO_WAREHOUSE_PATH.exists():
        # Outside any cache, so the progress bar is shown live and never replayed.
        with _first_start:
            if not DEMO_WAREHOUSE_PATH.exists():
                _build_demo_warehouse()
    return _read_only_engine(current)


def _cache_ttl() -> int:
    try:
        return settings().cache_ttl_seconds
    except ConfigurationError:
        return 600


# Seconds a cached warehouse answer (and anything computed from one) is kept.
CACHE_TTL = _cache_ttl()


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=512)
def _cached_query(name: str, args: tuple, kwargs: tuple) -> object:
    return getattr(queries, name)(engine(), *args, **dict(kwargs))


def counts(function: Callable[..., R], *args, **kwargs) -> R:
    """Return ``function(engine, *args, **kwargs)``, cached; additive count queries are asked
    once at their finest shared grouping and summed in pandas (see ``data_access.regroup``).
    """
    name = function.__name__
    if name in regroup.COUNT_COLUMNS and len(args) == 2 and not kwargs:
        filters, by = args
        if regroup.finest(name, filters, tuple(by)) != (filters, tuple(by)):
            return _cached_regroup(name, filters, tuple(by))
    return _cached_query(name, args, tuple(sorted(kwargs.items())))


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=512)
def _cached_regroup(name: str, filters, by: tuple[str, ...]) -> object:
    # Cached too, so a warm rerun costs one cache read, not a pandas groupby per chart.
    asked = regroup.finest(name, filters, by)
    return regroup.regroup(name, _cached_query(name, asked, ()), by, filters.grain)


def query(function: Callable[..., R], *args, **kwargs) -> R:
    """Return ``function(engine, *args, **kwargs)`` from ``data_access.queries``, cached per
    arguments, with a spinner while it runs; warehouse failures become ``WarehouseUnavailable``.
    """
    return guard(counts, function, *args, **kwargs)


def guard(call: Callable[..., R], *args, **kwargs) -> R:
    """Return ``call(*args, **kwargs)`` (a cached warehouse read) with a spinner while it runs;
    warehouse failures become ``WarehouseUnavailable``."""
    with st.spinner("Asking the warehouse…", show_time=True):
        try:
            return call(*args, **kwargs)
        except QUERY_FAILURES as error:
            raise WarehouseUnavailable(
                f"The warehouse ({describe(engine())}) did not answer: {type(error).__name__}."
            ) from error


def guarded(page: Callable[P, None]) -> Callable[P, None]:
    """Return the page function wrapped so warehouse and settings errors show as messages."""

    @functools.wraps(page)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            page(*args, **kwargs)
        except ConfigurationError as error:
            st.error(f"The dashboard's configuration needs attention: {error}")
        except WarehouseUnavailable as error:
            st.error(
                f"{error} The view could not be drawn; your filters are kept. "
                "Try again in a moment, or check the warehouse settings."
            )
            if st.button("Retry", key="warehouse-retry"):
                # Everything cached from warehouse answers, so the retry asks again.
                st.cache_data.clear()
                st.rerun()

    return run
