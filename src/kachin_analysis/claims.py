"""Claimed running totals beside the record's own tally for the same metric, scope and window.

A claim counts something (:data:`~kachin_analysis.schema.CLAIM_METRIC_RULES`)
over a scope (one phase, or ``all``; optionally limited to one state or region
by ``scope_area``) and a window (``since`` to the claim's date). The record's
tally uses exactly the same three. Where the record cannot give a like-for-like
number the row says so in ``comparable`` and ``why_not`` rather than set a
claim against a tally of something else.

Example
-------
>>> from kachin_analysis import load_record
>>> cv = claims_vs_record(load_record())
>>> bool(cv.loc[cv["comparable"], "record_value"].notna().all())
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .control import control_timeline
from .inputs import require_record
from .load import Record, load_record  # noqa: F401 - load_record for the examples
from .schema import CLAIM_METRIC_RULES, COVERAGE_START, SETTLEMENT_KINDS

__all__ = ["CLAIMANT_KINDS", "claims_vs_record"]

#: How a claimant is named to a reader: its side, or an independent tally when the claim has no claimant.
CLAIMANT_KINDS = {"resistance": "resistance", "junta": "junta", "pro_junta": "junta", "other": "other"}

_COLUMNS = [
    "claim_id", "date", "claimant", "claimant_kind", "metric", "scope", "scope_area", "since", "value",
    "value_precision", "record_value", "record_is_floor", "difference", "ratio", "comparable", "why_not", "event_ids",
]


def _state_key(text) -> str:
    return str(text).casefold().removesuffix(" state").removesuffix(" region").strip()


def claims_vs_record(record: Record) -> pd.DataFrame:
    """Each claim beside the record's tally of the same metric, over the same scope and window.

    * Window: from ``since`` to the claim's date, both inclusive. A claim that
      does not say from when it counts, or counts from before the record's
      coverage (1 January 2024), is not comparable; its ``record_value`` is
      still given (from the record's first day) as a floor for reference.
    * Scope: events of the claim's phase (or all phases), in its
      ``scope_area`` (state or region) when one is given.
    * ``towns_held``: settlements of rank township or above (or any ranked
      town) held by the resistance on the claim's date, by the control rule of
      :mod:`kachin_analysis.control`, within the scope.

    ``record_is_floor`` is true when any counted event's number is a floor or
    approximation; ``event_ids`` lists the events counted, so a reader can open
    the sources behind the number. ``claimant_kind`` is the claimant's side, or
    ``independent`` for an outlet's or monitor's own tally.

    >>> cv = claims_vs_record(load_record())
    >>> {"value", "record_value", "comparable", "why_not"} <= set(cv.columns)
    True
    """
    record = require_record(record, helper="claims_vs_record", needs="claims and phases",
                            hint="claims are kept in the record's claims.csv; pass the record (ka.load_record())")
    events, claims, places = record.events, record.claims, record.places
    phase_start = dict(zip(record.phases["phase_id"].astype(str), record.phases["start"]))
    side_of = dict(zip(record.actors["actor_id"].astype(str), record.actors["side"].astype(str)))
    state_of = dict(zip(places["place_id"].astype(str), places["state"].astype(str).map(_state_key)))
    status = dict(zip(places["place_id"].astype(str), places["admin_status"].astype(str)))
    kind = dict(zip(places["place_id"].astype(str), places["kind"].astype(str)))
    coverage = pd.Timestamp(COVERAGE_START)
    first = events["date"].min() if len(events) else coverage
    event_state = events["place_id"].astype("string").map(state_of)
    event_phase = events["phase_id"].astype("string")
    timeline = None
    rows = []
    for c in claims.itertuples(index=False):
        scope, metric = str(c.scope), str(c.metric)
        area = _state_key(c.scope_area) if pd.notna(c.scope_area) else None
        rule = CLAIM_METRIC_RULES[metric]
        claimant = c.claimant if pd.notna(c.claimant) else None
        why: list[str] = []
        since = c.since if pd.notna(c.since) else None
        if rule.count == "held":
            timeline = control_timeline(record, level="town") if timeline is None else timeline
            live = timeline[(timeline["start"] <= c.date) & (timeline["end"].isna() | (timeline["end"] > c.date))
                            & (timeline["holder_side"] == "resistance")]
            ids = live["place_id"].astype(str)
            ok = np.array([status.get(p, "none") != "none" and kind.get(p) in SETTLEMENT_KINDS for p in ids], dtype=bool)
            if area is not None:
                ok &= np.array([state_of.get(p) == area for p in ids], dtype=bool)
            if scope != "all":
                in_phase = set(events.loc[(event_phase == scope).fillna(False).to_numpy(dtype=bool), "place_id"].astype(str))
                ok &= ids.isin(in_phase).to_numpy(dtype=bool)
            counted = live[ok]
            tally, floor = len(counted), False
            event_ids = list(counted["start_event_id"].astype(str))
            if claimant is not None and side_of.get(claimant) not in ("resistance", None):
                why.append("the record counts towns held by the resistance; this claimant counts another side's")
        else:
            if since is None:
                why.append("the claim does not say from when it counts")
            elif since < coverage:
                why.append(f"it counts from {since.date()}, before the record's coverage begins ({coverage.date()})")
            lo = since if since is not None and since >= coverage else min(first, coverage)
            sel = ((events["event_type"].astype(str) == rule.event_type) & (events["date"] >= lo)
                   & (events["date"] <= c.date)).to_numpy(dtype=bool).copy()
            if scope != "all":
                sel &= (event_phase == scope).fillna(False).to_numpy(dtype=bool)
            if area is not None:
                sel &= (event_state == area).fillna(False).to_numpy(dtype=bool)
            if rule.target_types is not None:
                sel &= events["target_type"].astype("string").isin(rule.target_types).fillna(False).to_numpy(dtype=bool)
            chosen = events[sel]
            if rule.count == "positions":
                tally = int(chosen["positions"].fillna(0).sum())
                floor = bool((chosen["positions_precision"].astype("string") != "exact").fillna(True).any())
            else:
                tally, floor = len(chosen), False
            event_ids = list(chosen["event_id"].astype(str))
            since = since if since is not None else (phase_start.get(scope) if scope != "all" else None)
        if scope != "all" and scope not in phase_start:
            why.append(f"its scope {scope!r} is not a phase of the record")
        rows.append({
            "claim_id": c.claim_id,
            "date": c.date,
            "claimant": claimant,
            "claimant_kind": CLAIMANT_KINDS.get(side_of.get(claimant, ""), "other") if claimant else "independent",
            "metric": metric,
            "scope": scope,
            "scope_area": c.scope_area if pd.notna(c.scope_area) else None,
            "since": since,
            "value": int(c.value),
            "value_precision": str(c.value_precision),
            "record_value": tally,
            "record_is_floor": floor,
            "difference": int(c.value) - tally,
            "ratio": (int(c.value) / tally) if tally else np.nan,
            "comparable": not why,
            "why_not": "; ".join(why),
            "event_ids": ";".join(event_ids),
        })
    out = pd.DataFrame(rows, columns=_COLUMNS)
    out["since"] = pd.to_datetime(out["since"]).astype("datetime64[ns]")
    out["comparable"] = out["comparable"].astype(bool)
    out["record_is_floor"] = out["record_is_floor"].astype(bool)
    return out
