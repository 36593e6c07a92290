"""The long actor view: one row per (event, actor, role), built in Arrow for frames of a million rows.

It sits with the helpers that use it (:mod:`kachin_analysis.aggregate`,
:mod:`kachin_analysis.filters`, the notebooks' tables) rather than with the
loaders: it reshapes a loaded record, it does not read or check one.

Example
-------
>>> from kachin_analysis import load_record
>>> ea = event_actors(load_record())
>>> list(ea.columns)
['event_id', 'actor_id', 'role', 'side']
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from .load import Record, load_events, load_record  # noqa: F401 - load_* for the examples
from .schema import LIST_SEP, ROLE, SIDE

__all__ = ["actor_rows", "event_actors"]


def _split_lists(values: pd.Series) -> tuple[np.ndarray, pd.Categorical]:
    """Split a column of ``;``-lists in Arrow: (row position of each item, the items as a categorical).

    Empty and missing cells give no items; categories come in order of first appearance.

    >>> rows, items = _split_lists(pd.Series(["KIA;PDF", None, "KIA", ""]))
    >>> rows.tolist(), items.tolist()
    ([0, 0, 2], ['KIA', 'PDF', 'KIA'])
    """
    import pyarrow.compute as pc

    which, per_list, categories = _distinct_lists(values)
    per_row = pc.take(per_list, which)  # each row takes its list's items (a missing cell, a missing list)
    rows = pc.list_parent_indices(per_row).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    codes = pc.list_flatten(per_row).to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
    return rows, pd.Categorical.from_codes(codes, categories=categories)


def _distinct_lists(values: pd.Series):
    """The column's distinct ``;``-lists, each split once: (each row's list, an Arrow array missing for a missing
    cell; each list's items as codes, an Arrow list array; the items' labels, in order of first
    appearance).

    Lists repeat heavily (a few thousand distinct lists in a million ACLED rows). The first appearance of an
    item among the distinct lists is its first appearance among the rows.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    arr = pa.array(values, type=pa.string(), from_pandas=True)
    lists = pc.dictionary_encode(arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr)
    split = pc.split_pattern(lists.dictionary, LIST_SEP)
    owner, items = pc.list_parent_indices(split), pc.list_flatten(split)
    keep = pc.not_equal(items, "")
    if not pc.all(keep).as_py():
        owner, items = pc.filter(owner, keep), pc.filter(items, keep)
    encoded = pc.dictionary_encode(items)
    count = np.bincount(owner.to_numpy(zero_copy_only=False), minlength=len(lists.dictionary))
    offsets = pa.array(np.concatenate([[0], np.cumsum(count)]), type=pa.int32())
    per_list = pa.ListArray.from_arrays(offsets, encoded.indices)
    return lists.indices, per_list, pd.Index(encoded.dictionary.to_pylist(), dtype=object)


def event_actors(record: Record | pd.DataFrame, actors: pd.DataFrame | None = None) -> pd.DataFrame:
    """Long view: one row per (event, actor, role), with the actor's side.

    Roles are ``attacker`` and ``defender`` (the parties to the fighting) and
    ``other_party`` (a state that closed a border or hosted talks); helpers
    about fighting keep only the first two.

    Accepts a :class:`Record`, or an events frame (plus an optional actors
    frame for the sides; frames from ``from_acled`` carry ``attacker_side`` and
    ``defender_side`` columns that are used instead).

    >>> ea = event_actors(load_record())
    >>> list(ea.columns)
    ['event_id', 'actor_id', 'role', 'side']
    """
    if isinstance(record, Record):
        events, actors = record.events, record.actors
    else:
        events = record
    long = _long_codes(events, actors)
    # Row order of the events, then role order; items keep their listed order within a cell. The codes come
    # role by role, each role in row order, so a stable sort on the row alone gives exactly that.
    order = np.argsort(long.rows, kind="stable")
    ids = events["event_id"].astype("string").array
    return pd.DataFrame(
        {
            "event_id": ids.take(long.rows[order]) if len(order) else ids[:0],
            "actor_id": long.actors.take(order) if len(order) else long.actors,
            "role": pd.Categorical.from_codes(long.roles[order], categories=list(ROLE), ordered=True),
            "side": pd.Categorical.from_codes(long.sides[order], categories=list(SIDE), ordered=True),
        }
    )


class _Long(NamedTuple):
    """The long view as codes, role by role (attackers, then defenders, then other parties), each in row order."""

    rows: np.ndarray  #: each item's row position in the events frame
    roles: np.ndarray  #: codes into ROLE
    actors: pd.Categorical  #: the actor: the record's actors first, in its order, then others by name
    sides: np.ndarray  #: codes into SIDE, -1 where unknown


def _long_codes(events: pd.DataFrame, actors: pd.DataFrame | None = None) -> _Long:
    """:func:`event_actors` as codes, for helpers that aggregate (they take event columns by row position instead
    of merging on ``event_id`` strings). Sides come from the actors frame when given, else from the events'
    ``attacker_side``/``defender_side`` columns."""
    # Everything stays columnar: actors as categorical codes from Arrow; no Python object per row (which cost
    # about 2 s at a million ACLED rows).
    rows_parts, role_parts, item_parts, side_parts = [], [], [], []
    for code, (role, column) in enumerate(
        (("attacker", "attackers"), ("defender", "defenders"), ("other_party", "other_parties"))
    ):
        if column not in events.columns:
            continue
        rows, items = _split_lists(events[column])
        rows_parts.append(rows)
        role_parts.append(np.full(len(rows), code, dtype=np.int8))
        item_parts.append(items)
        side_col = f"{role}_side"
        if side_col in events.columns:
            side_codes = pd.Categorical(events[side_col], categories=list(SIDE)).codes
            side_parts.append(side_codes[rows])
        else:
            side_parts.append(np.full(len(rows), -1, dtype=np.int8))
    names = list(dict.fromkeys(str(c) for items in item_parts for c in items.categories))
    if actors is not None and len(actors):
        declared = list(dict.fromkeys(actors["actor_id"].astype(str)))
        categories: list[str] | pd.Index = declared + sorted(set(names) - set(declared))
        ordered = True
    else:
        categories, ordered = pd.Index(sorted(names), dtype=str), False
    # Each role's items recoded straight to the final categories (one gather per role, no union then recode).
    position = pd.Index(categories)
    codes = [position.get_indexer(items.categories.astype(str)).astype(np.int32)[items.codes] for items in item_parts]
    actor = pd.Categorical.from_codes(
        np.concatenate(codes) if codes else np.zeros(0, np.int32),
        categories=categories,
        ordered=ordered,
    )
    if actors is not None and len(actors):
        side_of = dict(zip(actors["actor_id"].astype(str), actors["side"].astype(str)))
        side_by_category = pd.Categorical([side_of.get(a) for a in actor.categories], categories=list(SIDE)).codes
        sides = side_by_category[actor.codes] if len(actor) else np.zeros(0, np.int8)
    else:
        sides = np.concatenate(side_parts).astype(np.int8) if side_parts else np.zeros(0, np.int8)
    return _Long(
        np.concatenate(rows_parts) if rows_parts else np.zeros(0, np.int64),
        np.concatenate(role_parts) if role_parts else np.zeros(0, np.int8),
        actor,
        sides,
    )


def actor_rows(events: pd.DataFrame, column: str = "attackers") -> tuple[np.ndarray, pd.Categorical]:
    """Fast path for aggregation: (row position in ``events``, actor as a categorical) for every listed actor.

    >>> rows, actors = actor_rows(load_events())
    >>> len(rows) == len(actors)
    True
    """
    return _split_lists(events[column])
