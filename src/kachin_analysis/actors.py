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

import numpy as np
import pandas as pd

from .load import Record, load_events, load_record  # noqa: F401 - load_* for the examples
from .schema import LIST_SEP, ROLE, SIDE

__all__ = ["actor_rows", "event_actors"]


def _split_lists(values: pd.Series) -> tuple[np.ndarray, pd.Categorical]:
    """Split a column of ``;``-lists in Arrow: (row position of each item, the items as a categorical).

    Empty and missing cells give no items.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    arr = pa.array(values, type=pa.string(), from_pandas=True)
    lists = pc.split_pattern(arr, LIST_SEP)
    parents = pc.list_parent_indices(lists)
    items = pc.list_flatten(lists)
    keep = pc.not_equal(items, "")
    if not pc.all(keep).as_py():
        parents, items = pc.filter(parents, keep), pc.filter(items, keep)
    encoded = pc.dictionary_encode(items).combine_chunks() if hasattr(items, "chunks") else pc.dictionary_encode(items)
    labels = pd.Categorical.from_codes(
        encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32),
        categories=pd.Index(encoded.dictionary.to_pylist(), dtype=object),
    )
    return parents.to_numpy(zero_copy_only=False).astype(np.int64), labels


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
    return _event_actors_rows(record, actors).drop(columns="_row")


def _event_actors_rows(
    record: Record | pd.DataFrame, actors: pd.DataFrame | None = None, *, in_order: bool = True
) -> pd.DataFrame:
    """:func:`event_actors` plus ``_row``, each item's row position in the events frame (for helpers that join
    event columns by position instead of merging on ``event_id`` strings). With ``in_order=False`` the rows come
    grouped by role rather than in event order, and without ``event_id`` (for helpers that aggregate)."""
    if isinstance(record, Record):
        events, actors = record.events, record.actors
    else:
        events = record
    # Everything stays columnar: actors as categorical codes from Arrow, ids taken from their own string array;
    # no Python object per row (which cost about 2 s at a million ACLED rows).
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
    if rows_parts:
        rows = np.concatenate(rows_parts)
        roles = np.concatenate(role_parts)
        sides = np.concatenate(side_parts).astype(np.int8)
        items = pd.api.types.union_categoricals(item_parts) if len(item_parts) > 1 else item_parts[0]
    else:
        rows, roles, sides = np.zeros(0, np.int64), np.zeros(0, np.int8), np.zeros(0, np.int8)
        items = pd.Categorical([])
    # Row order of the events, then role order; items keep their listed order within a cell (stable sort).
    if in_order:
        order = np.lexsort((roles, rows))
        rows, roles, sides = rows[order], roles[order], sides[order]
        items = items.take(order) if len(order) else items
    names = [str(c) for c in items.categories]
    if actors is not None and len(actors):
        declared = list(dict.fromkeys(actors["actor_id"].astype(str)))
        extra = sorted(set(names) - set(declared))
        actor_id = items.set_categories(declared + extra, ordered=True)
        side_of = dict(zip(actors["actor_id"].astype(str), actors["side"].astype(str)))
        side_by_category = pd.Categorical([side_of.get(a) for a in actor_id.categories], categories=list(SIDE)).codes
        side_codes = side_by_category[actor_id.codes] if len(actor_id) else np.zeros(0, np.int8)
        side = pd.Categorical.from_codes(
            np.where(actor_id.codes < 0, -1, side_codes), categories=list(SIDE), ordered=True
        )
    else:
        actor_id = items.set_categories(pd.Index(sorted(names), dtype=str), ordered=False)
        side = pd.Categorical.from_codes(sides, categories=list(SIDE), ordered=True)
    columns = {}
    if in_order:
        columns["event_id"] = (
            events["event_id"].astype("string").array.take(rows)
            if len(rows)
            else pd.array([], dtype=events["event_id"].astype("string").dtype)
        )
    return pd.DataFrame(
        {
            **columns,
            "actor_id": actor_id,
            "role": pd.Categorical.from_codes(roles, categories=list(ROLE), ordered=True),
            "side": side,
            "_row": rows,
        }
    )


def actor_rows(events: pd.DataFrame, column: str = "attackers") -> tuple[np.ndarray, pd.Categorical]:
    """Fast path for aggregation: (row position in ``events``, actor as a categorical) for every listed actor.

    >>> rows, actors = actor_rows(load_events())
    >>> len(rows) == len(actors)
    True
    """
    return _split_lists(events[column])
