"""Checks on the real record that read like sentences."""

from __future__ import annotations

import re

import pandas as pd

from kachin_analysis.schema import UNPLACED_EVENT_TYPES

SPAN = {"day": pd.Timedelta(0), "week": pd.Timedelta(days=6)}


def _span_end(row) -> pd.Timestamp:
    if row.date_precision == "month":
        return row.date + pd.offsets.MonthEnd(0)
    return row.date + SPAN[str(row.date_precision)]


def test_every_event_has_a_source(record):
    assert record.events["source_ids"].notna().all()
    assert (record.events["source_ids"].str.len() > 0).all()


def test_every_id_an_event_references_exists(record):
    known = {
        "source_ids": set(record.sources["source_id"]),
        "attackers": set(record.actors["actor_id"]),
        "defenders": set(record.actors["actor_id"]),
    }
    for col, ids in known.items():
        used = set(record.events[col].dropna().str.split(";").explode())
        assert used <= ids, used - ids
    assert set(record.events["place_id"].dropna()) <= set(record.places["place_id"])
    assert set(record.events["phase_id"].dropna().astype(str)) <= set(record.phases["phase_id"])


def test_every_event_falls_inside_its_phase(record):
    phases = record.phases.set_index("phase_id")
    outside = []
    for row in record.events.dropna(subset=["phase_id"]).itertuples(index=False):
        ph = phases.loc[str(row.phase_id)]
        if _span_end(row) < ph["start"] or (pd.notna(ph["end"]) and row.date > ph["end"]):
            outside.append((row.event_id, row.date.date(), row.phase_id))
    assert outside == []


def test_no_recapture_precedes_the_capture_it_reverses(record):
    """A recapture at a place the record saw captured comes after that capture; one at a place the record
    never saw captured must be of ground the resistance already held (its target or summary says so)."""
    ev = record.events
    caps = ev[ev["event_type"] == "capture"]
    bad = []
    for r in ev[ev["event_type"] == "recapture"].itertuples(index=False):
        earlier = caps[(caps["place_id"] == r.place_id) & (caps["date"] <= r.date)]
        if earlier.empty:
            text = f"{r.target} {r.summary}"
            if not re.search(r"\b(KIA|PDF|resistance)\b", text):
                bad.append(r.event_id)
    assert bad == []


def test_only_truces_and_talks_lack_a_place_or_phase(record):
    ev = record.events
    unplaced = ev[ev["place_id"].isna() | ev["phase_id"].isna()]
    assert set(unplaced["event_type"].astype(str)) <= set(UNPLACED_EVENT_TYPES)


def test_every_capture_is_attributed(record):
    caps = record.events[record.events["event_type"].isin(["capture", "recapture"])]
    assert caps["attackers"].notna().all()


def test_every_actor_named_in_the_events_is_described(record):
    roles = [record.events[c] for c in ("attackers", "defenders", "other_parties")]
    used = set(pd.concat(roles).dropna().str.split(";").explode())
    assert used == set(record.actors["actor_id"])


def test_summaries_are_single_own_sentences_not_headlines(record):
    titles = set(record.sources["title"].dropna().str.lower())
    assert not (set(record.events["summary"].str.lower()) & titles)
    assert record.events["summary"].str.len().between(20, 500).all()


def test_every_source_is_cited_somewhere(record):
    cited = set()
    for frame in (record.events, record.places, record.phases, record.claims):
        cited |= set(frame["source_ids"].dropna().str.split(";").explode())
    assert set(record.sources["source_id"]) == cited


def test_each_period_has_at_least_six_publishers(record):
    pub = dict(zip(record.sources["source_id"], record.sources["publisher"].str.replace(r"\s*\(.*\)$", "", regex=True)))
    for lo, hi in (("2024-01-01", "2024-08-31"), ("2024-09-01", "2100-01-01")):
        ev = record.events[record.events["date"].between(lo, hi)]
        outlets = {pub[s] for ids in ev["source_ids"] for s in ids.split(";")}
        assert len(outlets) >= 6, (lo, outlets)


def test_coordinates_fall_inside_kachin_shan_or_sagaing(record):
    placed = record.places.dropna(subset=["latitude"])
    assert placed["latitude"].between(22.0, 28.6).all() and placed["longitude"].between(94.5, 98.8).all()


def test_claims_are_never_events(record):
    assert (
        not record.events["summary"].str.contains(r"\bsince (?:the start|March|January)\b.*\bclaim", case=False).any()
    )


def test_police_stations_and_border_gates_count_no_military_positions(record):
    ev = record.events[record.events["target_type"].isin(["police_station", "border_gate"])]
    assert (ev["positions"].fillna(0) == 0).all()
