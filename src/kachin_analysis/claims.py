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
    "claim_id",
    "date",
    "claimant",
    "claimant_kind",
    "metric",
    "scope",
    "scope_area",
    "since",
    "value",
    "value_precision",
    "record_value",
    "record_is_floor",
    "difference",
    "ratio",
    "comparable",
    "why_not",
    "event_ids",
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
    record = require_record(
        record,
        helper="claims_vs_record",
        needs="claims and phases",
        hint="claims are kept in the record's claims.csv; pass the record (ka.load_record())",
    )
    tally = _Tally(record)
    rows = [tally.row(c) for c in record.claims.itertuples(index=False)]
    out = pd.DataFrame(rows, columns=_COLUMNS)
    out["since"] = pd.to_datetime(out["since"]).astype("datetime64[ns]")
    out["comparable"] = out["comparable"].astype(bool)
    out["record_is_floor"] = out["record_is_floor"].astype(bool)
    return out


class _Tally:
    """The record's side of each claim: lookups built once, one method per kind of count."""

    def __init__(self, record: Record):
        self.record = record
        events, places = record.events, record.places
        self.events = events
        self.phase_start = dict(zip(record.phases["phase_id"].astype(str), record.phases["start"]))
        self.side_of = dict(zip(record.actors["actor_id"].astype(str), record.actors["side"].astype(str)))
        self.state_of = dict(zip(places["place_id"].astype(str), places["state"].astype(str).map(_state_key)))
        ids = places["place_id"].astype(str)
        ranked = (places["admin_status"].astype(str) != "none") & places["kind"].astype(str).isin(SETTLEMENT_KINDS)
        self.ranked_towns = set(ids[ranked.to_numpy()])
        self.coverage = pd.Timestamp(COVERAGE_START)
        self.first = events["date"].min() if len(events) else self.coverage
        self.event_state = events["place_id"].astype("string").map(self.state_of)
        self.event_phase = events["phase_id"].astype("string")
        # Columns every count reads, converted once (not once per claim).
        self.event_type = events["event_type"].astype(str).to_numpy()
        self.event_date = events["date"].to_numpy()
        self.target_type = events["target_type"].astype("string")
        self.exact_positions = (events["positions_precision"].astype("string") == "exact").fillna(False).to_numpy()
        self.positions = events["positions"].fillna(0).to_numpy()
        self.event_id = events["event_id"].astype(str).to_numpy()
        self._timeline: pd.DataFrame | None = None

    def in_scope(self, scope: str, area: str | None) -> np.ndarray:
        """Events of the claim's phase (or all) and area (or all)."""
        keep = np.ones(len(self.events), dtype=bool)
        if scope != "all":
            keep &= (self.event_phase == scope).fillna(False).to_numpy(dtype=bool)
        if area is not None:
            keep &= (self.event_state == area).fillna(False).to_numpy(dtype=bool)
        return keep

    def held(self, c, scope: str, area: str | None) -> tuple[int, bool, list[str], list[str]]:
        """Ranked towns held by the resistance on the claim's date, within its scope."""
        if self._timeline is None:
            self._timeline = control_timeline(self.record, level="town")
        t = self._timeline
        live = t[(t["start"] <= c.date) & (t["end"].isna() | (t["end"] > c.date)) & (t["holder_side"] == "resistance")]
        places = set(self.events.loc[self.in_scope(scope, area), "place_id"].astype(str)) if scope != "all" else None
        ok = [
            p in self.ranked_towns
            and (area is None or self.state_of.get(p) == area)
            and (places is None or p in places)
            for p in live["place_id"].astype(str)
        ]
        counted = live[np.array(ok, dtype=bool)]
        why = []
        if pd.notna(c.claimant) and self.side_of.get(str(c.claimant)) not in ("resistance", None):
            why.append("the record counts towns held by the resistance; this claimant counts another side's")
        return len(counted), False, list(counted["start_event_id"].astype(str)), why

    def counted(self, c, rule, scope: str, area: str | None, since) -> tuple[int, bool, list[str], list[str]]:
        """Events of the claim's metric inside its scope and window."""
        why = []
        if since is None:
            why.append("the claim does not say from when it counts")
        elif since < self.coverage:
            why.append(f"it counts from {since.date()}, before the record's coverage begins ({self.coverage.date()})")
        lo = since if since is not None and since >= self.coverage else min(self.first, self.coverage)
        sel = (
            (self.event_type == rule.event_type)
            & (self.event_date >= np.datetime64(lo))
            & (self.event_date <= np.datetime64(c.date))
            & self.in_scope(scope, area)
        )
        if rule.target_types is not None:
            sel &= self.target_type.isin(rule.target_types).fillna(False).to_numpy(dtype=bool)
        ids = list(self.event_id[sel])
        if rule.count != "positions":
            return int(sel.sum()), False, ids, why
        floor = bool((~self.exact_positions[sel]).any())
        return int(self.positions[sel].sum()), floor, ids, why

    def row(self, c) -> dict:
        """One output row: the claim, the record's tally, and whether they compare."""
        scope, metric = str(c.scope), str(c.metric)
        area = _state_key(c.scope_area) if pd.notna(c.scope_area) else None
        rule = CLAIM_METRIC_RULES[metric]
        since = c.since if pd.notna(c.since) else None
        if rule.count == "held":
            value, floor, ids, why = self.held(c, scope, area)
        else:
            value, floor, ids, why = self.counted(c, rule, scope, area, since)
            since = since if since is not None else self.phase_start.get(scope)
        if scope != "all" and scope not in self.phase_start:
            why.append(f"its scope {scope!r} is not a phase of the record")
        claimant = str(c.claimant) if pd.notna(c.claimant) else None
        return {
            "claim_id": c.claim_id,
            "date": c.date,
            "claimant": claimant,
            "claimant_kind": CLAIMANT_KINDS.get(self.side_of.get(claimant, ""), "other") if claimant else "independent",
            "metric": metric,
            "scope": scope,
            "scope_area": c.scope_area if pd.notna(c.scope_area) else None,
            "since": since,
            "value": int(c.value),
            "value_precision": str(c.value_precision),
            "record_value": value,
            "record_is_floor": floor,
            "difference": int(c.value) - value,
            "ratio": (int(c.value) / value) if value else np.nan,
            "comparable": not why,
            "why_not": "; ".join(why),
            "event_ids": ";".join(ids),
        }
