"""Record.filter: every filter cuts to what it says, the result is a Record every helper accepts, and a typo
is refused with the values there are."""

from __future__ import annotations

import pandas as pd
import pytest

import kachin_analysis as ka


def test_window_is_inclusive(record):
    cut = record.filter(start="2024-03-07", end="2024-03-31")
    assert cut.events["date"].min() >= pd.Timestamp("2024-03-07")
    assert cut.events["date"].max() <= pd.Timestamp("2024-03-31")
    assert len(cut.events) == record.events["date"].between("2024-03-07", "2024-03-31").sum()


def test_actors_match_attackers_or_defenders(record):
    cut = record.filter(actors=["SNA"])
    both = cut.events["attackers"].fillna("") + ";" + cut.events["defenders"].fillna("")
    assert both.str.split(";").map(lambda xs: "SNA" in xs).all()
    assert len(cut.events) > 0


def test_sides_use_the_actors_table(record):
    cut = record.filter(sides="pro_junta")
    side = record.actors.set_index("actor_id")["side"].astype(str)
    both = (cut.events["attackers"].fillna("") + ";" + cut.events["defenders"].fillna("")).str.split(";")
    assert both.map(lambda xs: any(side.get(x) == "pro_junta" for x in xs)).all()


def test_phases_theatres_types_confidence_and_places(record):
    assert set(record.filter(phases="bhamo").events["phase_id"].astype(str)) == {"bhamo"}
    theatre = record.filter(theatres="Northern Kachin").events
    assert set(theatre["phase_id"].astype(str)) == {"putao-north"}
    assert set(record.filter(event_types=["recapture"]).events["event_type"].astype(str)) == {"recapture"}
    assert set(record.filter(confidence="claimed").events["confidence"].astype(str)) == {"claimed"}
    lweje = record.filter(places="Loije").events  # an alias of Lweje
    assert set(lweje["place_id"].astype(str)) == {"lweje"}


def test_a_filtered_record_is_consistent_and_every_helper_takes_it(record):
    cut = record.filter(phases="operation-0307", start="2024-03-07", end="2024-06-30")
    assert len(cut.places) == len(record.places) and len(cut.sources) == len(record.sources)
    assert set(cut.claims["scope"]) <= {"operation-0307", "all"}
    assert (cut.claims["date"] <= pd.Timestamp("2024-06-30")).all()
    assert ka.count_captures(cut, freq="ME")["positions"].sum() > 0
    assert len(ka.phase_summary(cut)) == len(record.phases)
    assert len(ka.claims_vs_record(cut)) == len(cut.claims)
    assert not ka.control_timeline(cut).empty


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"phases": "operation-307"}, "unknown phase"),
        ({"sides": "rebels"}, "unknown side"),
        ({"event_types": "captures"}, "unknown event type"),
        ({"actors": "KIAA"}, "did you mean 'KIA'"),
        ({"places": "Bahmo"}, "did you mean 'bhamo'"),
        ({"start": "2025-01-01", "end": "2024-01-01"}, "is after end"),
    ],
)
def test_typos_are_refused_with_what_there_is(record, kwargs, message):
    with pytest.raises((ValueError, KeyError), match=message):
        record.filter(**kwargs)


def test_by_township_district_and_state(record):
    for level in ("township", "district", "state"):
        out = ka.count_captures(record, measure="events", freq="YE", by=level)
        assert (
            out["events"].sum()
            == (record.events["event_type"] == "capture").sum()
            - record.events.loc[record.events["event_type"] == "capture", "place_id"]
            .map(record.places.set_index("place_id")[level])
            .isna()
            .sum()
        )


@pytest.mark.parametrize("freq, n", [("W", None), ("2W", None), ("ME", 12), ("QE", 4), ("YE", 1)])
def test_freq_accepts_pandas_offsets(record, freq, n):
    out = ka.count_captures(
        record.filter(start="2024-01-01", end="2024-12-31"), freq=freq, start="2024-01-01", end="2024-12-31"
    )
    if n is not None:
        assert len(out) == n
    assert (
        out["positions"].sum()
        == record.filter(start="2024-01-01", end="2024-12-31", event_types="capture")
        .events["positions"]
        .fillna(0)
        .sum()
    )
