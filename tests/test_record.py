"""Checks on the real record that read like sentences."""

from __future__ import annotations

import re

import pandas as pd

# Sources, keys, phases, places and attackers of every row are the loader's own checks (schema rules and
# foreign keys, each with a case in tests/test_load_errors.py); these tests pin what the loader cannot know.


def test_the_headline_numbers_a_reader_can_recount(record):
    """Recount by hand from data/events.csv: rows, capture rows, positions in capture rows, first and last day."""
    ev = record.events
    caps = ev[ev["event_type"] == "capture"]
    assert len(ev) == 352
    assert len(caps) == 180
    assert int(caps["positions"].fillna(0).sum()) == 179
    assert (ev["date"].min().date().isoformat(), ev["date"].max().date().isoformat()) == ("2024-01-06", "2026-04-01")
    assert int((ev["event_type"] == "recapture").sum()) == 19


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
