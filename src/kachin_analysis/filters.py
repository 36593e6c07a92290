"""Cut the record to a window, actors, sides, phases, theatres, event types, confidence or places.

:meth:`Record.filter <kachin_analysis.load.Record.filter>` calls
:func:`filter_record`; the result is a :class:`~kachin_analysis.load.Record`
every helper accepts. Reference tables stay whole, so every key still
resolves; only events (and claims, by date and scope) are cut.

Example
-------
>>> from kachin_analysis import load_record
>>> record = load_record()
>>> kia_2024 = record.filter(actors="KIA", start="2024-01-01", end="2024-12-31")
>>> int(kia_2024.events["date"].dt.year.max())
2024
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .lookup import as_list, resolve_actors, resolve_places
from .schema import CONFIDENCE, EVENT_TYPE, LIST_SEP, SIDE

if TYPE_CHECKING:
    from .load import Record

__all__ = ["filter_record", "involves"]


def _check(kind: str, given: list[str], allowed: list[str]) -> None:
    unknown = [g for g in given if g not in allowed]
    if unknown:
        raise ValueError(f"unknown {kind} {', '.join(map(repr, unknown))}; the record has: {', '.join(allowed)}")


def involves(
    events: pd.DataFrame,
    wanted: set[str],
    side_of: dict[str, str] | None = None,
    *,
    columns: tuple[str, ...] = ("attackers", "defenders"),
) -> np.ndarray:
    """Rows where any actor listed in ``columns`` is in ``wanted`` (or, with ``side_of``, on a wanted side).

    >>> import pandas as pd
    >>> ev = pd.DataFrame({"attackers": ["KIA;KPDF", "MAF"], "defenders": ["MAF", "KIA"]})
    >>> involves(ev, {"KPDF"}).tolist(), involves(ev, {"KIA"}, columns=("attackers",)).tolist()
    ([True, False], [True, False])
    """
    hit = np.zeros(len(events), dtype=bool)
    for col in columns:
        lists = events[col].astype("string").fillna("").str.split(LIST_SEP)
        if side_of is None:
            hit |= lists.map(lambda xs: any(x in wanted for x in xs)).to_numpy(dtype=bool)
        else:
            hit |= lists.map(lambda xs: any(side_of.get(x) in wanted for x in xs)).to_numpy(dtype=bool)
    return hit


def _in_window(dates: pd.Series, lo, hi) -> np.ndarray:
    keep = np.ones(len(dates), dtype=bool)
    if lo is not None:
        keep &= (dates >= lo).to_numpy(dtype=bool)
    if hi is not None:
        keep &= (dates <= hi).to_numpy(dtype=bool)
    return keep


def _isin(values: pd.Series, wanted) -> np.ndarray:
    return values.astype("string").isin(set(wanted)).fillna(False).to_numpy(dtype=bool)


def _matchers(record: Record) -> dict:
    """For each filter: how to check what was asked (raises on a typo) and which events it keeps."""
    ev, phases = record.events, record.phases
    side_of = dict(zip(record.actors["actor_id"].astype(str), record.actors["side"].astype(str)))

    def sides(wanted):
        _check("side", wanted, list(SIDE))
        return involves(ev, set(wanted), side_of)

    def theatre(wanted):
        _check("theatre", wanted, list(dict.fromkeys(phases["theatre"].astype(str))))
        return _isin(ev["phase_id"], phases.loc[phases["theatre"].astype(str).isin(wanted), "phase_id"].astype(str))

    def vocabulary(kind, column, allowed):
        def keep(wanted):
            _check(kind, wanted, list(allowed))
            return _isin(ev[column], wanted)

        return keep

    return {
        "actors": lambda wanted: involves(ev, set(resolve_actors(record.actors, wanted))),
        "sides": sides,
        "phases": vocabulary("phase", "phase_id", phases["phase_id"].astype(str)),
        "theatres": theatre,
        "event_types": vocabulary("event type", "event_type", EVENT_TYPE),
        "confidence": vocabulary("confidence", "confidence", CONFIDENCE),
        "places": lambda wanted: _isin(ev["place_id"], resolve_places(record.places, wanted)),
    }


def filter_record(
    record: Record,
    *,
    start=None,
    end=None,
    actors=None,
    sides=None,
    phases=None,
    theatres=None,
    event_types=None,
    confidence=None,
    places=None,
) -> Record:
    """The record cut to events matching every given filter (see :meth:`Record.filter`).

    >>> from kachin_analysis import load_record
    >>> cut = filter_record(load_record(), theatres="Bhamo District", confidence="confirmed")
    >>> set(cut.events["confidence"].astype(str))
    {'confirmed'}
    """
    lo = pd.Timestamp(start) if start is not None else None
    hi = pd.Timestamp(end) if end is not None else None
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"start {lo.date()} is after end {hi.date()}")
    asked = {
        "actors": actors,
        "sides": sides,
        "phases": phases,
        "theatres": theatres,
        "event_types": event_types,
        "confidence": confidence,
        "places": places,
    }
    keep = _in_window(record.events["date"], lo, hi)
    matchers = _matchers(record)
    for name, value in asked.items():
        if (wanted := as_list(value)) is not None:
            keep &= matchers[name](wanted)
    claims = record.claims
    ckeep = _in_window(claims["date"], lo, hi)
    if (wanted := as_list(phases)) is not None:
        ckeep &= claims["scope"].astype(str).isin(set(wanted) | {"all"}).to_numpy()
    return replace(
        record, events=record.events[keep].reset_index(drop=True), claims=claims[ckeep].reset_index(drop=True)
    )
