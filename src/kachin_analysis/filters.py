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

__all__ = ["filter_record"]


def _check(kind: str, given: list[str], allowed: list[str]) -> None:
    unknown = [g for g in given if g not in allowed]
    if unknown:
        raise ValueError(f"unknown {kind} {', '.join(map(repr, unknown))}; the record has: {', '.join(allowed)}")


def _involves(events: pd.DataFrame, wanted: set[str], side_of: dict[str, str] | None = None) -> np.ndarray:
    """Rows where any attacker or defender is in ``wanted`` (or, with ``side_of``, on a wanted side)."""
    hit = np.zeros(len(events), dtype=bool)
    for col in ("attackers", "defenders"):
        lists = events[col].astype("string").fillna("").str.split(LIST_SEP)
        if side_of is None:
            hit |= lists.map(lambda xs: any(x in wanted for x in xs)).to_numpy(dtype=bool)
        else:
            hit |= lists.map(lambda xs: any(side_of.get(x) in wanted for x in xs)).to_numpy(dtype=bool)
    return hit


def filter_record(  # noqa: C901 - TODO: one helper per filter (complexity 14)
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
    ev = record.events
    keep = np.ones(len(ev), dtype=bool)
    lo = pd.Timestamp(start) if start is not None else None
    hi = pd.Timestamp(end) if end is not None else None
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"start {lo.date()} is after end {hi.date()}")
    if lo is not None:
        keep &= (ev["date"] >= lo).to_numpy()
    if hi is not None:
        keep &= (ev["date"] <= hi).to_numpy()
    if (wanted := as_list(actors)) is not None:
        keep &= _involves(ev, set(resolve_actors(record.actors, wanted)))
    if (wanted := as_list(sides)) is not None:
        _check("side", wanted, list(SIDE))
        side_of = dict(zip(record.actors["actor_id"].astype(str), record.actors["side"].astype(str)))
        keep &= _involves(ev, set(wanted), side_of)
    phase_ids = None
    if (wanted := as_list(phases)) is not None:
        _check("phase", wanted, list(record.phases["phase_id"].astype(str)))
        phase_ids = set(wanted)
        keep &= ev["phase_id"].astype("string").isin(phase_ids).fillna(False).to_numpy(dtype=bool)
    if (wanted := as_list(theatres)) is not None:
        _check("theatre", wanted, list(dict.fromkeys(record.phases["theatre"].astype(str))))
        in_theatre = record.phases.loc[record.phases["theatre"].astype(str).isin(wanted), "phase_id"].astype(str)
        keep &= ev["phase_id"].astype("string").isin(set(in_theatre)).fillna(False).to_numpy(dtype=bool)
    if (wanted := as_list(event_types)) is not None:
        _check("event type", wanted, list(EVENT_TYPE))
        keep &= ev["event_type"].astype(str).isin(wanted).to_numpy()
    if (wanted := as_list(confidence)) is not None:
        _check("confidence", wanted, list(CONFIDENCE))
        keep &= ev["confidence"].astype(str).isin(wanted).to_numpy()
    if (wanted := as_list(places)) is not None:
        ids = set(resolve_places(record.places, wanted))
        keep &= ev["place_id"].astype("string").isin(ids).fillna(False).to_numpy(dtype=bool)

    claims = record.claims
    ckeep = np.ones(len(claims), dtype=bool)
    if lo is not None:
        ckeep &= (claims["date"] >= lo).to_numpy()
    if hi is not None:
        ckeep &= (claims["date"] <= hi).to_numpy()
    if phase_ids is not None:
        ckeep &= claims["scope"].astype(str).isin(phase_ids | {"all"}).to_numpy()
    return replace(record, events=ev[keep].reset_index(drop=True), claims=claims[ckeep].reset_index(drop=True))
