"""Cache keys for frames: a digest of their values column by column, not Streamlit's hashing.

Streamlit hashes a DataFrame argument with ``pandas.util.hash_pandas_object`` of its values
and of its dtypes (Arrow-backed text cast to objects first): 1.6 ms for a 624-row count
frame, and a warm Overview hashed about 70 frames, 40% of its script time. The digest here
reads each column's bytes (numbers, dates, flags) or its values (text, objects), with the
frame's shape, labels and dtypes. Pickling the whole frame would be as fast, but a slice of
an Arrow column pickles its whole parent buffer, so two equal frames built differently would
never share an entry.
Equal digests mean equal frames; equal frames whose digests differ would only miss the cache.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import fields

import numpy as np
import pandas as pd

from data_access.filters import Filters, Scope

# numpy kinds whose raw bytes are their values: booleans, integers, floats, complex, times.
_RAW_KINDS = frozenset("biufcmM")


def _add_values(digest, name: object, dtype: object, array: np.ndarray) -> None:  # noqa: ANN001
    digest.update(repr((name, str(dtype), len(array))).encode())
    if array.dtype.kind in _RAW_KINDS:
        digest.update(np.ascontiguousarray(array).tobytes())
    else:
        digest.update(pickle.dumps(array.tolist(), protocol=pickle.HIGHEST_PROTOCOL))


def content_digest(frame: pd.DataFrame | pd.Series) -> bytes:
    """Return a 16-byte digest of a frame's or series' shape, labels, dtypes and values."""
    digest = hashlib.blake2b(digest_size=16)
    columns = frame.to_frame() if isinstance(frame, pd.Series) else frame
    digest.update(repr((type(frame).__name__, columns.shape, frame.attrs)).encode())
    for level in range(columns.index.nlevels):
        index = columns.index.get_level_values(level)
        _add_values(digest, index.name, index.dtype, index.to_numpy())
    # items() and to_numpy(), not iloc and np.asarray: numpy probing a Series for its array
    # interface falls through pandas' attribute lookup, twice per column (2.2x the time).
    for name, column in columns.items():
        _add_values(digest, name, column.dtype, column.to_numpy())
    return digest.digest()


# ``hash_funcs`` for ``st.cache_data`` and ``st.cache_resource``: Streamlit applies them at
# any depth of the arguments (inside tuples, dataclasses, keyword arguments). A filter set is
# keyed by its repr, which names every field's value: Streamlit hashes a dataclass through
# ``dataclasses.asdict`` and then value by value, about 1 ms for one ``Filters``.
BY_CONTENT = {
    pd.DataFrame: content_digest,
    pd.Series: content_digest,
    Filters: repr,
    Scope: repr,
}


def fields_of(instance: object) -> tuple:
    """Return a dataclass instance's class name and field values, for hashing field by field.

    Streamlit hashes a dataclass through ``dataclasses.asdict``, which deep-copies every
    field first (whole frames, for ``FilterOptions``).
    """
    values = (getattr(instance, field.name) for field in fields(instance))
    return (type(instance).__qualname__, *values)
