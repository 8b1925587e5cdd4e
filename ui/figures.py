"""Built Plotly figures, kept per input so a warm rerun does not build them again.

Building a figure is most of a warm rerun's Python: every property set on a Plotly object is
validated and copied. A figure here is built once per argument values (hashed as
``st.cache_resource`` hashes them: frames by content) and shared between sessions, so it
must not be modified afterwards: put every step that changes it (names, markers, the
comparison line) inside ``build``. ``st.plotly_chart`` only reads it.
"""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from ui import warehouse


def built(build: Callable[..., go.Figure], *args: object, **kwargs: object) -> go.Figure:
    """Return ``build(*args, **kwargs)``, built once per argument values; read it only."""
    # Page scripts all run as one module name: the file tells two pages' builders apart.
    code = getattr(getattr(build, "__wrapped__", build), "__code__", None)
    name = f"{build.__module__}.{build.__qualname__}@{getattr(code, 'co_filename', '')}"
    return _built(name, args, tuple(sorted(kwargs.items())), build)


@st.cache_resource(ttl=warehouse.CACHE_TTL, show_spinner=False, max_entries=256)
def _built(name: str, args: tuple, kwargs: tuple, _build: Callable[..., go.Figure]) -> go.Figure:
    # Keyed by the builder's name; the function itself is not hashable (leading underscore).
    return _build(*args, **dict(kwargs))


def built_for(identity: tuple, build: Callable[..., go.Figure], *args: object) -> go.Figure:
    """Return ``build(*args)`` built once per ``identity``: for arguments too large to hash
    (a whole weekly review) that the small, hashable ``identity`` determines."""
    code = getattr(getattr(build, "__wrapped__", build), "__code__", None)
    name = f"{build.__module__}.{build.__qualname__}@{getattr(code, 'co_filename', '')}"
    # One string to hash: Streamlit's hasher walks tuples and dataclasses field by field.
    return _built_for(name, repr(identity), build, args)


@st.cache_resource(ttl=warehouse.CACHE_TTL, show_spinner=False, max_entries=256)
def _built_for(
    name: str, identity: str, _build: Callable[..., go.Figure], _args: tuple
) -> go.Figure:
    return _build(*_args)
