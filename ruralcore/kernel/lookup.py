"""Looking codes up in a table of codes, as numpy object arrays.

``Series.map(other_series)`` infers its result's type: under pandas 3 a result of str
becomes an arrow-backed string array, and every later hash (map, isin, factorize) on it
costs 10–25× an object array's. Region codes and names are looked up in the hot paths of
every page, so they go through here: positions from the table's (cached) hash index, then
a plain take, and the result stays an object array.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def positions(index: pd.Index, keys) -> np.ndarray:
    """Each key's position in ``index`` (-1 when absent); a repeated code counts once (its
    first row)."""
    if not index.is_unique:
        first = ~index.duplicated()
        pos = index[first].get_indexer(pd.Index(np.asarray(keys, dtype=object), dtype=object))
        return np.where(pos >= 0, np.flatnonzero(first)[pos], -1)
    return index.get_indexer(pd.Index(np.asarray(keys, dtype=object), dtype=object))


def take(values: np.ndarray, pos: np.ndarray, default=np.nan) -> np.ndarray:
    """``values[pos]`` as an object array, ``default`` (a scalar, or an array as long as
    ``pos``) where ``pos`` is -1."""
    out = np.empty(len(pos), dtype=object)
    hit = pos >= 0
    if len(values):
        out[hit] = values[pos[hit]]
    miss = ~hit
    out[miss] = default[miss] if isinstance(default, np.ndarray) else default
    return out


def lookup(table: pd.Series, keys, default=np.nan) -> np.ndarray:
    """``table[key]`` for each key, as an object array; ``default`` for a key not in the
    table (a scalar, or an array as long as ``keys``: e.g. the keys themselves)."""
    return take(table.to_numpy(dtype=object), positions(table.index, keys), default)


def text_column(values, index=None) -> pd.Series:
    """Codes or names as an object column (a frame's new column of str would otherwise be
    turned into arrow strings by pandas 3, see above)."""
    return pd.Series(np.asarray(values, dtype=object), index=index, dtype=object)
