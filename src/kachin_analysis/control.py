"""Who held a town, a site or a headquarters, and when: one rule, written once.

**The rule.** A place changes hands only through a capture, recapture or
withdrawal *of that place itself*: a town (city, town or village) through an
event whose ``target_type`` is ``town`` at it; a site (military site, hill,
border gate) through any such event at it; an area never. A headquarters
changes hands through events on that headquarters (its junta unit). An outpost
taken near a town never changes who holds the town
(:data:`~kachin_analysis.schema.CONTROL_TARGETS` declares this per place kind).

After such an event the holder is the side of its first named attacker (for a
withdrawal, the side that moved in); a withdrawal with no one named moving in
leaves the holder ``unknown``. Reports of different sides on the same day make
the place ``contested`` until its next event, except that a withdrawal is taken
to follow a same-day capture (one can only leave what one held). Before a place's first such event
the record says nothing, and :func:`holder_on` says so with the reason.

Example
-------
>>> from kachin_analysis import load_record
>>> record = load_record()
>>> holder_on(record, "Bhamo", "2025-06-01")["side"]
'unknown'
>>> holder_on(record, "lweje", "2024-06-01")["side"]
'resistance'
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .inputs import require_record
from .load import Record, load_record  # noqa: F401 - load_record for the examples
from .lookup import resolve_place
from .periods import period_end, period_range
from .schema import CONTROL_EVENT_TYPES, CONTROL_TARGETS, HQ_TARGET_TYPES, LIST_SEP, SETTLEMENT_KINDS, SIDE

__all__ = ["HOLDER_SIDES", "LEVELS", "control_events", "control_timeline", "holder_on", "towns_held"]

#: What control can be derived for: ``place`` (towns and sites, by place), ``town`` (settlements only) and
#: ``headquarters`` (by junta unit).
LEVELS = ("place", "town", "headquarters")
#: Values of ``holder_side``, in display order.
HOLDER_SIDES = (*SIDE, "contested", "unknown")
_COLUMNS = ["holder_side", "holder_actor", "start", "end", "start_event_id", "end_event_id"]
_NEEDS = "events on a town or headquarters itself (target types and places' kinds)"


def _level(level: str | None, target_types, by) -> str:
    """Accept the older ``target_types=`` / ``by=`` spelling of the same three levels."""
    if target_types is None and by is None:
        level = level or "place"
    elif tuple(target_types or ()) == ("town",) and by in (None, "place_id"):
        level = "town"
    elif set(target_types or ()) == set(HQ_TARGET_TYPES) and by == "unit":
        level = "headquarters"
    else:
        raise ValueError(
            "control is derived for towns and sites (level='place' or 'town') or for headquarters "
            "(level='headquarters'); other target types never change who holds a place"
        )
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
    return level


def control_events(record: Record, *, level: str = "place") -> pd.DataFrame:
    """The events that change who holds something at ``level``, with the key they change and the holder after.

    Columns: the key (``place_id``, or ``unit`` for headquarters), ``date``,
    ``event_id``, ``event_type``, ``holder_side``, ``holder_actor``.

    >>> ce = control_events(load_record(), level="town")
    >>> set(ce["event_type"]) <= {"capture", "recapture", "withdrawal"}
    True
    """
    record = require_record(record, helper="control", needs=_NEEDS)
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
    ev = record.events
    etype = ev["event_type"].astype(str)
    target = ev["target_type"].astype("string").fillna("")
    keep = etype.isin(CONTROL_EVENT_TYPES).to_numpy().copy()
    if level == "headquarters":
        key_name = "unit"
        keep &= target.isin(HQ_TARGET_TYPES).to_numpy(dtype=bool)
        unit = ev["unit"].astype("string")
        # a headquarters with no unit designation is known by its name as reported ("Sadung tactical command")
        key = unit.fillna(ev["target"].astype("string")).fillna(ev["event_id"].astype("string"))
    else:
        key_name = "place_id"
        kind = dict(zip(record.places["place_id"].astype(str), record.places["kind"].astype(str)))
        place = ev["place_id"].astype("string")
        kinds = place.map(kind).fillna("area")
        allowed = np.zeros(len(ev), dtype=bool)
        for k, targets in CONTROL_TARGETS.items():
            if targets is None or (level == "town" and k not in SETTLEMENT_KINDS):
                continue
            allowed |= ((kinds == k) & target.isin(targets)).to_numpy(dtype=bool)
        keep &= allowed
        key = place
    sel = ev[keep]
    side_of = dict(zip(record.actors["actor_id"].astype(str), record.actors["side"].astype(str)))
    first = sel["attackers"].astype("string").fillna("").str.split(LIST_SEP).str[0].replace("", pd.NA)
    side = first.map(side_of).astype("string").fillna("unknown")
    out = pd.DataFrame(
        {
            key_name: key[keep].astype(str).to_numpy(),
            "date": sel["date"].to_numpy(),
            "event_id": sel["event_id"].astype(str).to_numpy(),
            "event_type": sel["event_type"].astype(str).to_numpy(),
            "holder_side": side.to_numpy(),
            "holder_actor": first.astype(object).where(first.notna(), None).to_numpy(),
        }
    )
    return out.sort_values([key_name, "date", "event_id"], kind="stable").reset_index(drop=True)


def control_timeline(
    record: Record,
    *,
    level: str | None = None,
    target_types: tuple[str, ...] | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Who held each place (or headquarters) from when to when, by the rule in this module's docstring.

    ``level`` is ``place`` (default: towns and sites), ``town`` (settlements
    only) or ``headquarters`` (one timeline per junta unit). The older
    ``target_types=("town",)`` and ``target_types=HQ_TARGET_TYPES, by="unit"``
    spellings name the same levels.

    Returns the key (``place_id`` or ``unit``), holder_side, holder_actor,
    start, end (NaT while open), start_event_id, end_event_id, ordered by key
    and start; consecutive intervals with the same holder are merged.

    >>> ct = control_timeline(load_record())
    >>> list(ct.columns)[:4]
    ['place_id', 'holder_side', 'holder_actor', 'start']
    """
    record = require_record(record, helper="control_timeline", needs=_NEEDS)
    lvl = _level(level, target_types, by)
    key = "unit" if lvl == "headquarters" else "place_id"
    ce = control_events(record, level=lvl)
    if ce.empty:
        out = pd.DataFrame({key: pd.Series(dtype=str), **{c: pd.Series(dtype=object) for c in _COLUMNS}})
    else:
        # A withdrawal can only follow the holding it ends: on a day that also has a capture, the
        # withdrawal's side holds at the end of the day (Mongmit, 25 January 2024: taken, then left that evening).
        ce = ce.assign(_last=(ce["event_type"] == "withdrawal").astype(int))
        ce = ce.sort_values([key, "date", "_last", "event_id"], kind="stable")
        final = ce.groupby([key, "date"], sort=True).tail(1).set_index([key, "date"])
        withdrawn = ce[ce["_last"] == 1].groupby([key, "date"])["holder_side"].nunique()
        day = ce.groupby([key, "date"], sort=True).agg(sides=("holder_side", "nunique")).reset_index()
        idx = pd.MultiIndex.from_frame(day[[key, "date"]])
        day["holder_side"] = final.loc[idx, "holder_side"].to_numpy()
        day["holder_actor"] = final.loc[idx, "holder_actor"].to_numpy()
        day["event_id"] = final.loc[idx, "event_id"].to_numpy()
        settled = withdrawn.reindex(idx).fillna(0).to_numpy() == 1
        contested = (day["sides"] > 1).to_numpy() & ~settled
        day.loc[contested, "holder_side"] = "contested"
        day.loc[contested, "holder_actor"] = None
        # merge consecutive days with the same holder: a second capture by the same side changes nothing
        same = (day[key] == day[key].shift()) & (day["holder_side"] == day["holder_side"].shift())
        runs = day[~same.to_numpy()].reset_index(drop=True)
        nxt_same_key = runs[key] == runs[key].shift(-1)
        out = pd.DataFrame(
            {
                key: runs[key],
                "holder_side": runs["holder_side"],
                "holder_actor": runs["holder_actor"],
                "start": runs["date"],
                "end": runs["date"].shift(-1).where(nxt_same_key),
                "start_event_id": runs["event_id"],
                "end_event_id": runs["event_id"].shift(-1).where(nxt_same_key),
            }
        )
        out["end_event_id"] = out["end_event_id"].astype(object).where(out["end_event_id"].notna(), None)
    out["holder_side"] = pd.Categorical(out["holder_side"], categories=list(HOLDER_SIDES), ordered=True)
    out["start"] = pd.to_datetime(out["start"]).astype("datetime64[ns]")
    out["end"] = pd.to_datetime(out["end"]).astype("datetime64[ns]")
    return out.reset_index(drop=True)


def _around(record: Record, place_id: str, day: pd.Timestamp) -> str:
    """What the record has at a place up to ``day`` that did not change who holds it, in words."""
    ev = record.events
    at = ev[(ev["place_id"].astype("string") == place_id) & (ev["date"] <= day)]
    caps = at[at["event_type"].astype(str).isin(CONTROL_EVENT_TYPES)]
    if caps.empty:
        return "the record has no capture, recapture or withdrawal there"
    positions = int(caps.loc[caps["event_type"].astype(str) == "capture", "positions"].fillna(0).sum())
    ids = ", ".join(caps["event_id"].astype(str).head(4)) + (" …" if len(caps) > 4 else "")
    return (
        f"{len(caps)} capture, recapture or withdrawal event{'s' if len(caps) != 1 else ''} on positions or "
        f"headquarters in or near it ({positions} position{'s' if positions != 1 else ''} captured: {ids})"
    )


def holder_on(record: Record, place: str, date: str | pd.Timestamp, *, timeline: pd.DataFrame | None = None) -> dict:
    """Who held ``place`` (id, name or alias) on ``date``, and why the record says so.

    Returns ``{"place_id", "name", "side", "actor", "since", "event_id",
    "reason"}``. ``side`` is ``unknown`` when no change of hands of the place
    itself is recorded up to that day; ``reason`` then says what the record has
    there instead. An unknown place raises ``KeyError`` with suggestions; a
    date after the record's last event warns and says so in ``reason``.

    >>> h = holder_on(load_record(), "Katha", "2025-06-01")
    >>> h["side"], h["reason"].startswith("no change of hands of the town itself")
    ('unknown', True)
    """
    record = require_record(record, helper="holder_on", needs=_NEEDS)
    place_id = resolve_place(record.places, place)
    row = record.places.loc[record.places["place_id"].astype(str) == place_id].iloc[0]
    day = pd.Timestamp(date)
    last = record.events["date"].max()
    late = pd.notna(last) and day > last
    if late:
        warnings.warn(
            f"{day.date()} is after the record's last event ({last.date()}); the answer is as of that day", stacklevel=2
        )
    ct = control_timeline(record) if timeline is None else timeline
    rows = ct[(ct["place_id"] == place_id) & (ct["start"] <= day) & (ct["end"].isna() | (ct["end"] > day))]
    thing = "town" if str(row["kind"]) in SETTLEMENT_KINDS else "place"
    out: dict = {
        "place_id": place_id,
        "name": str(row["name"]),
        "side": "unknown",
        "actor": None,
        "since": None,
        "event_id": None,
        "reason": "",
    }
    if str(row["kind"]) == "area":
        out["reason"] = f"{row['name']} is an area, not one place: control is not derived for it"
    elif rows.empty:
        later = ct[(ct["place_id"] == place_id) & (ct["start"] > day)]
        out["reason"] = f"no change of hands of the {thing} itself is recorded up to {day.date()}; " + _around(
            record, place_id, day
        )
        if len(later):
            out["reason"] += f"; the first is {later.iloc[0]['start_event_id']} on {later.iloc[0]['start'].date()}"
    else:
        r = rows.iloc[-1]
        out.update(side=str(r["holder_side"]), actor=r["holder_actor"], since=r["start"], event_id=r["start_event_id"])
        if out["side"] == "unknown":
            out["reason"] = (
                f"{r['start_event_id']} on {r['start'].date()} ended the last holder's control without naming who moved in"
            )
        elif out["side"] == "contested":
            out["reason"] = f"reports on {r['start'].date()} ({r['start_event_id']} and others) give different sides"
        else:
            out["reason"] = f"held since {r['start_event_id']} on {r['start'].date()}, an event on the {thing} itself"
    if late:
        out["reason"] += f" (note: {day.date()} is after the record's last event, {last.date()})"
    return out


def towns_held(
    record: Record, *, freq: str = "ME", end: str | pd.Timestamp | None = None, as_of: str | pd.Timestamp | None = None
) -> pd.DataFrame:
    """Towns of each administrative rank held by each side at the end of every period.

    Only settlements with an ``admin_status`` other than ``none`` count, and
    only through changes of hands of the town itself; towns whose change of
    hands the record has not seen are not counted for anyone. ``end`` (or its
    synonym ``as_of``) is the last day counted (default: the record's last event).

    >>> th = towns_held(load_record())
    >>> list(th.columns)
    ['period', 'admin_status', 'holder_side', 'places']
    """
    record = require_record(record, helper="towns_held", needs="places' ranks and " + _NEEDS)
    if end is not None and as_of is not None and pd.Timestamp(end) != pd.Timestamp(as_of):
        raise ValueError("give end or as_of, not both")
    end = end if end is not None else as_of
    ct = control_timeline(record, level="town")
    status = dict(zip(record.places["place_id"].astype(str), record.places["admin_status"].astype(str)))
    ct = ct.assign(admin_status=ct["place_id"].map(status))
    ct = ct[ct["admin_status"].notna() & (ct["admin_status"] != "none")]
    cols = ["period", "admin_status", "holder_side", "places"]
    if ct.empty:
        return pd.DataFrame(columns=cols)
    last = pd.Timestamp(end) if end is not None else record.events["date"].max()
    starts = period_range(ct["start"].min(), last, freq)
    ends = period_end(starts, freq)
    rows = []
    for p, e in zip(starts, ends):
        day = min(e, last)
        live = ct[(ct["start"] <= day) & (ct["end"].isna() | (ct["end"] > day))]
        counts = live.groupby(["admin_status", "holder_side"], observed=True).size()
        for (st, side), n in counts.items():
            rows.append({"period": p, "admin_status": st, "holder_side": side, "places": int(n)})
    return pd.DataFrame(rows, columns=cols)
