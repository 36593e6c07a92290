"""Rows that repeat an earlier row's id, found at a million rows without hashing every id.

Hashing a million distinct strings (pandas ``duplicated`` or ``factorize``, Arrow's ``dictionary_encode``) takes
about 0.1 s and grows faster than the rows, as the hash table outgrows the cache. Sorted 64-bit fingerprints
clear almost every row in a few milliseconds (different fingerprints, different strings); only the rows whose
fingerprint repeats (the same id, or rarely a collision) are compared exactly.

Example
-------
>>> import pandas as pd
>>> repeated(pd.Series(["MMR1", "MMR2", "MMR1"], dtype="string")).tolist()
[False, False, True]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["fingerprints", "repeated", "shared_ids"]

#: Rows fingerprinted at a time.
_BLOCK = 1 << 16
#: Keeps the low m bytes of a little-endian 64-bit word (m = 0 … 8).
_LOW_BYTES = np.array([(1 << (8 * m)) - 1 for m in range(9)], dtype=np.uint64)


def shared_ids(ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The rows whose id another row also has (missing ids count as one id, as ``pd.factorize(...,
    use_na_sentinel=False)`` counts them), and for each the first row with that id.

    >>> rows, first = shared_ids(pd.Series(["a", "b", "a", None, None, "c"], dtype="string"))
    >>> rows.tolist(), first.tolist()
    ([0, 2, 3, 4], [0, 0, 3, 3])
    """
    suspects, their_first = _first_of_suspects(ids)
    shared = np.bincount(their_first, minlength=len(ids))[their_first] > 1 if len(suspects) else suspects > 0
    return suspects[shared], their_first[shared]


def repeated(ids: pd.Series) -> np.ndarray:
    """Whether each row's id was already on an earlier row, as ``ids.duplicated(keep="first")`` says.

    >>> repeated(pd.Series(["a", "b", "a", "a"], dtype="string")).tolist()
    [False, False, True, True]
    """
    again = np.zeros(len(ids), dtype=bool)
    suspects, their_first = _first_of_suspects(ids)
    again[suspects] = their_first != suspects
    return again


def _first_of_suspects(ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The rows whose fingerprint repeats, and for each the first row with exactly its id (compared exactly)."""
    prints = fingerprints(ids)
    ordered = np.sort(prints)
    shared = ordered[1:][ordered[1:] == ordered[:-1]]
    if not len(shared):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    suspects = np.flatnonzero(np.isin(prints, shared))
    same = pd.factorize(ids.iloc[suspects], use_na_sentinel=False)[0]
    return suspects, suspects[np.unique(same, return_index=True)[1]][same]


def _fingerprint_block(word_at: np.ndarray, end: int, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Fingerprints of the strings at ``starts`` with ``lengths``; ``word_at[i]`` is the 8 bytes from byte i."""
    prints = lengths.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    for k in range(0, int(lengths.max(initial=0)), 8):
        word = word_at[np.minimum(starts + k, end)] & _LOW_BYTES[np.clip(lengths - k, 0, 8)]
        prints = (prints ^ word) * np.uint64(0xBF58476D1CE4E5B9)  # mix (splitmix64's constants)
        prints ^= prints >> np.uint64(31)
    return prints


def fingerprints(text: pd.Series) -> np.ndarray:
    """A 64-bit fingerprint of each string: the same for equal strings (and for all missing values), rarely the
    same for different ones. Read eight bytes at a time from the Arrow buffers, with no Python object per row.

    >>> f = fingerprints(pd.Series(["MMR1", "MMR2", "MMR1", None], dtype="string"))
    >>> bool(f[0] == f[2]), bool(f[0] == f[1])
    (True, False)
    """
    import pyarrow as pa

    arr = pa.array(text, type=pa.large_string(), from_pandas=True)
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]  # each as it is: no combined copy
    return np.concatenate([_fingerprint_array(c) for c in chunks] or [np.zeros(0, np.uint64)])


def _fingerprint_array(arr) -> np.ndarray:
    """:func:`fingerprints` of one Arrow large-string array."""
    _, offsets_buffer, data_buffer = arr.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(0, np.uint8)
    padded = np.concatenate([data, np.zeros(8, np.uint8)])
    word_at = np.ndarray(shape=(len(data) + 1,), dtype="<u8", buffer=padded, strides=(1,))  # the 8 bytes from i
    prints = np.empty(len(arr), dtype=np.uint64)
    # In blocks of rows: the temporaries stay in cache, and a million rows' worth of them is never allocated.
    for lo in range(0, len(arr), _BLOCK):
        block = offsets[lo : lo + _BLOCK + 1]
        prints[lo : lo + _BLOCK] = _fingerprint_block(word_at, len(data), block[:-1], np.diff(block))
    if arr.null_count:
        prints[np.asarray(arr.is_null())] = 0
    return prints
