"""Find places and actors by what a person types: an id, a name or an alias, in any case.

An unknown name raises ``KeyError`` with the closest matches, so a typo is
caught where it is made rather than turning into an empty answer.

Example
-------
>>> from kachin_analysis import load_record
>>> from kachin_analysis.lookup import resolve_place
>>> record = load_record()
>>> resolve_place(record.places, "Bhamo")
'bhamo'
>>> resolve_place(record.places, "Momeik")
'mongmit'
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import pandas as pd

from .schema import LIST_SEP

__all__ = ["as_list", "place_names", "resolve_actors", "resolve_place", "resolve_places"]


def as_list(value: str | Iterable[str] | None) -> list[str] | None:
    """``None`` stays ``None``; one string becomes a one-item list; any other iterable a list.

    >>> as_list("KIA"), as_list(["KIA", "KPDF"]), as_list(None)
    (['KIA'], ['KIA', 'KPDF'], None)
    """
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _key(text: str) -> str:
    return " ".join(str(text).casefold().replace("-", " ").replace("_", " ").split())


def place_names(places: pd.DataFrame) -> dict[str, str]:
    """Every id, name and alias of every place, folded for matching, → its place_id.

    >>> from kachin_analysis import load_places
    >>> place_names(load_places())["momeik"]
    'mongmit'
    """
    out: dict[str, str] = {}
    for row in places[["place_id", "name", "aliases"]].itertuples(index=False):
        pid = str(row.place_id)
        names = [pid, str(row.name)]
        if pd.notna(row.aliases):
            names += [a for a in str(row.aliases).split(LIST_SEP) if a]
        for n in names:
            out.setdefault(_key(n), pid)  # the first place to claim a name keeps it (ids and names first)
    return out


def _unknown(kind: str, value: str, choices: Iterable[str]) -> KeyError:
    choices = sorted(set(choices))
    close = difflib.get_close_matches(_key(value), [_key(c) for c in choices], n=3, cutoff=0.6)
    by_key = {_key(c): c for c in choices}
    hint = (
        f"; did you mean {', '.join(repr(by_key[c]) for c in close)}?"
        if close
        else f"; known {kind}s include {', '.join(choices[:8])}…"
    )
    return KeyError(f"no {kind} called {value!r} in the record{hint}")


def resolve_place(places: pd.DataFrame, name: str) -> str:
    """The place_id for an id, name or alias (case and hyphens ignored); ``KeyError`` with suggestions if none.

    >>> from kachin_analysis import load_places
    >>> resolve_place(load_places(), "Bahmo")
    Traceback (most recent call last):
    ...
    KeyError: "no place called 'Bahmo' in the record; did you mean 'bhamo'?"
    """
    names = place_names(places)
    hit = names.get(_key(name))
    if hit is None:
        raise _unknown("place", name, list(places["place_id"].astype(str)))
    return hit


def resolve_places(places: pd.DataFrame, values: Iterable[str]) -> list[str]:
    """place_ids for ids, names or aliases, and for every place in a township, district or state so named.

    >>> from kachin_analysis import load_places
    >>> "sezin" in resolve_places(load_places(), ["Hpakant"])
    True
    """
    names = place_names(places)
    out: list[str] = []
    for value in values:
        k = _key(value)
        found: list[str] = []
        for level in ("township", "district", "state"):
            col = places[level].astype("string").fillna("")
            found += places.loc[col.map(_key).eq(k).to_numpy(), "place_id"].astype(str).tolist()
        if k in names:
            found.append(names[k])
        if not found:
            raise _unknown("place", value, list(places["place_id"].astype(str)))
        out += found
    return list(dict.fromkeys(out))


def resolve_actors(actors: pd.DataFrame, values: Iterable[str]) -> list[str]:
    """actor_ids for ids or full names, in any case; ``KeyError`` with suggestions for an unknown one.

    >>> from kachin_analysis import load_actors
    >>> resolve_actors(load_actors(), ["kia", "Arakan Army"])
    ['KIA', 'AA']
    """
    table: dict[str, str] = {}
    for row in actors[["actor_id", "name"]].itertuples(index=False):
        table.setdefault(_key(row.actor_id), str(row.actor_id))
        table.setdefault(_key(row.name), str(row.actor_id))
    out = []
    for v in values:
        hit = table.get(_key(v))
        if hit is None:
            raise _unknown("actor", v, list(actors["actor_id"].astype(str)))
        out.append(hit)
    return out
