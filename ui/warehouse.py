"""The app's one warehouse: settings, the read-only engine, cached queries, friendly errors."""

from __future__ import annotations

import contextlib
import functools
import inspect
import threading
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import streamlit as st

from appdb import demo_actions
from data_access import demo, queries, regroup
from data_access.config import DEMO_WAREHOUSE_PATH, ConfigurationError, Settings, load_settings
from data_access.engine import Engine, WarehouseUnavailable, describe, read_only_engine
from data_access.errors import (
    DATA_MESSAGE,
    QUERY_FAILURES,
    DataProblem,
    WarehouseProblem,
    problem_for,
)
from data_access.filters import Filters
from ui import auth, boundary, cache_keys

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
    spec = demo.DemoSpec()
    demo.build(f"duckdb:///{partial}", spec, progress=lambda f, m: bar.progress(f, m))
    # Renamed only when complete, so an interrupted first start is retried, not half-used.
    partial.rename(DEMO_WAREHOUSE_PATH)
    with boundary.section("the demo's recorded actions"):
        demo_actions.seed_app_db(spec)
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


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=512, hash_funcs=cache_keys.BY_CONTENT)
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


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=512, hash_funcs=cache_keys.BY_CONTENT)
def _cached_regroup(name: str, filters, by: tuple[str, ...]) -> object:
    # Cached too, so a warm rerun costs one cache read, not a pandas groupby per chart.
    asked = regroup.finest(name, filters, by)
    return regroup.regroup(name, _cached_query(name, asked, ()), by, filters.grain)


def scoped(*args, function: Callable | None = None, **kwargs) -> tuple[tuple, dict]:
    """Return the arguments with every ``Filters`` narrowed to the session's scope, and the
    scope passed to a query that takes one (the option lists), so no call can forget it.
    """
    scope = auth.current_scope()
    args = tuple(arg.within(scope) if isinstance(arg, Filters) else arg for arg in args)
    kwargs = {
        key: value.within(scope) if isinstance(value, Filters) else value
        for key, value in kwargs.items()
    }
    if function is not None and "scope" in inspect.signature(function).parameters:
        kwargs["scope"] = scope
    return args, kwargs


# When each query was last answered in this process. A spinner costs a timer thread per call,
# started and joined under the GIL: a few milliseconds each, dozens of calls on a warm page
# whose answers all come from the cache. Only a query not answered recently shows one.
_answered: dict[tuple, float] = {}
_answered_lock = threading.Lock()


def _recently_answered(key: tuple) -> bool:
    try:
        answered = _answered.get(key)
    except TypeError:  # an argument that cannot be a dict key: treat it as new
        return False
    return answered is not None and time.monotonic() - answered < CACHE_TTL / 2


def _remember_answered(key: tuple) -> None:
    with contextlib.suppress(TypeError), _answered_lock:
        if len(_answered) > 4096:
            _answered.clear()
        _answered[key] = time.monotonic()


def query(function: Callable[..., R], *args, **kwargs) -> R:
    """Return ``function(engine, *args, **kwargs)`` from ``data_access.queries``, cached per
    arguments, with a spinner while it runs; warehouse failures become ``WarehouseUnavailable``.

    The arguments are narrowed to the session's scope first, so the cache key holds it: two
    users with one link and different scopes never share a cached result.
    """
    args, kwargs = scoped(*args, function=function, **kwargs)
    key = (function.__name__, args, tuple(sorted(kwargs.items())))
    waiting = (
        contextlib.nullcontext()
        if _recently_answered(key)
        else st.spinner("Asking the warehouse…", show_time=True)
    )
    with waiting:
        try:
            answer = counts(function, *args, **kwargs)
            _remember_answered(key)
            return answer
        except QUERY_FAILURES as error:
            raise warehouse_problem(error) from error
        except (ValueError, TypeError) as error:
            # Raised while reading the rows into frames: a value the contract does not allow
            # (text in a timestamp column, a NULL key). Logged with a reference all the same.
            reference = boundary.log_reference(error, f"the query {function.__name__}")
            raise DataProblem(f"{DATA_MESSAGE} (Reference {reference}.)") from error


def warehouse_problem(error: BaseException) -> WarehouseProblem:
    """Return the showable problem for a failed query: busy, schema, data or unreachable."""
    return problem_for(error) or WarehouseUnavailable(
        f"The warehouse ({describe(engine())}) did not answer: {type(error).__name__}. "
        "Your filters are kept; try again in a moment, or check the warehouse settings."
    )


def guarded(page: Callable[P, None]) -> Callable[P, None]:
    """Return the page function wrapped so any failure shows as a message, never a traceback."""
    guarded_page = boundary.guard("this page")(page)

    @functools.wraps(page)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        guarded_page(*args, **kwargs)
        from ui import usable  # usable builds on this module

        usable.show_notes()

    return run
