"""Built Plotly figures (and styled tables), kept per input so a warm rerun does not rebuild.

Building a figure is most of a warm rerun's Python: every property set on a Plotly object is
validated and copied. A figure here is built once per argument values (frames by content,
``ui.cache_keys``) and shared between sessions, so it must not be modified afterwards: every
step that changes it (names, action markers, the comparison line) goes inside the cached
build. ``st.plotly_chart`` only reads it.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from charts.actions import add_action_marks
from charts.names import rename_figure
from ui import cache_keys, warehouse
from ui import names as naming


def name_of(build: Callable) -> str:
    """Return a builder's cache name: its module, qualified name and file."""
    # Page scripts all run as one module name: the file tells two pages' builders apart.
    code = getattr(getattr(build, "__wrapped__", build), "__code__", None)
    return f"{build.__module__}.{build.__qualname__}@{getattr(code, 'co_filename', '')}"


def built(build: Callable[..., go.Figure], *args: object, **kwargs: object) -> go.Figure:
    """Return ``build(*args, **kwargs)``, built once per argument values; read it only."""
    return _built(name_of(build), args, tuple(sorted(kwargs.items())), build)


@st.cache_resource(
    ttl=warehouse.CACHE_TTL, show_spinner=False, max_entries=256, hash_funcs=cache_keys.BY_CONTENT
)
def _built(name: str, args: tuple, kwargs: tuple, _build: Callable[..., go.Figure]) -> go.Figure:
    # Keyed by the builder's name; the function itself is not hashed (leading underscore).
    return _build(*args, **dict(kwargs))


def named(
    build: Callable[..., go.Figure],
    *args: object,
    marks: pd.DataFrame | None = None,
    **kwargs: object,
) -> go.Figure:
    """Return ``build(*args, **kwargs)`` with names for codes and, when given, the recorded
    actions' ``marks`` drawn on it (``ui.actions.action_marks``); built once per input."""
    names = naming.all_names()
    return _built(
        "named:" + name_of(build),
        (names_key(names), args, tuple(sorted(kwargs.items())), marks),
        (),
        functools.partial(_named, build, names),
    )


def names_key(names: Mapping[str, str]) -> str:
    """Return a short digest of a code -> name mapping, for cache keys.

    Streamlit's hasher walks a dict entry by entry: about 20 ms for the few hundred names
    a figure call passed, on every warm run.
    """
    return hashlib.blake2b(repr(sorted(names.items())).encode(), digest_size=16).hexdigest()


def _named(build, names, _names_key, args, kwargs, marks) -> go.Figure:  # noqa: ANN001 - see named()
    figure = rename_figure(build(*args, **dict(kwargs)), names)
    return add_action_marks(figure, marks) if marks is not None else figure


def built_for(identity: tuple, build: Callable[..., go.Figure], *args: object) -> go.Figure:
    """Return ``build(*args)`` built once per ``identity``: for arguments too large to hash
    (a whole weekly review) that the small, hashable ``identity`` determines."""
    # One string to hash: Streamlit's hasher walks tuples and dataclasses field by field.
    return _built_for(name_of(build), repr(identity), build, args)


@st.cache_resource(ttl=warehouse.CACHE_TTL, show_spinner=False, max_entries=256)
def _built_for(
    name: str, identity: str, _build: Callable[..., go.Figure], _args: tuple
) -> go.Figure:
    return _build(*_args)
