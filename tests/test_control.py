"""Control on the right unit: towns change hands only through events on the town itself.

The pinned answers on the shipped record can be checked by hand in data/events.csv: no row with
target_type 'town' exists for Bhamo, Katha, Hpakant or Tanai, while positions around them were taken.
"""

from __future__ import annotations

import dataclasses
import warnings

import pandas as pd
import pytest

import kachin_analysis as ka

COLS = [
    "event_id",
    "date",
    "date_precision",
    "event_type",
    "target_type",
    "target",
    "unit",
    "positions",
    "positions_precision",
    "place_id",
    "phase_id",
    "attackers",
    "defenders",
    "other_parties",
]


def event(event_id, date, event_type, target_type, target, place_id, phase_id, attackers, defenders, positions=0):
    """One events row for :func:`synthetic`: dated to the day, no unit, an exact count, no other parties."""
    return (
        event_id,
        date,
        "day",
        event_type,
        target_type,
        target,
        None,
        positions,
        "exact",
        place_id,
        phase_id,
        attackers,
        defenders,
        None,
    )


#: The opening event of the synthetic records: the KIA takes the town of Alpha from the junta.
KIA_TAKES_ALPHA = event("1", "2024-03-07", "capture", "town", "Alpha", "alpha", "phase-one", "KIA", "MAF")


def synthetic(rows, minimal_record, extra_actors=()):
    ev = pd.DataFrame([dict(zip(COLS, r)) for r in rows], columns=COLS)
    ev["date"] = pd.to_datetime(ev["date"])
    ev["positions"] = ev["positions"].astype("Int64")
    actors = minimal_record.actors
    if extra_actors:
        more = pd.DataFrame(
            [{"actor_id": a, "name": a, "side": s, "kind": "other", "description": "test"} for a, s in extra_actors]
        )
        actors = pd.concat([actors.astype(object), more], ignore_index=True)
    return dataclasses.replace(
        minimal_record, actors=actors, events=ev, claims=minimal_record.claims.iloc[0:0], warnings=[]
    )


@pytest.mark.parametrize("place", ["bhamo", "katha", "hpakant", "tanai"])
def test_outposts_near_a_town_never_flip_it(record, place):
    held = ka.holder_on(record, place, "2025-06-01")
    assert held["side"] == "unknown"
    assert held["event_id"] is None
    assert held["reason"].startswith("no change of hands of the town itself is recorded up to 2025-06-01")


def test_the_reason_says_what_was_taken_around_the_town(record):
    reason = ka.holder_on(record, "bhamo", "2025-06-01")["reason"]
    assert "positions captured" in reason and "KO-0202" in reason  # the first hilltop post near Bhamo


def test_a_town_captured_itself_is_held(record):
    held = ka.holder_on(record, "Lweje", "2024-06-01")
    assert (held["side"], held["actor"], held["event_id"]) == ("resistance", "KIA", "KO-0079")


def test_a_withdrawal_with_someone_moving_in_changes_the_holder(record):
    # KO-0303: the TNLA handed Mongmit back to the junta in late November 2025
    assert ka.holder_on(record, "Momeik", "2025-01-01")["side"] == "resistance"
    later = ka.holder_on(record, "mongmit", "2026-01-01")
    assert (later["side"], later["event_id"]) == ("junta", "KO-0303")


def test_towns_held_never_counts_a_town_that_did_not_change_hands(record):
    th = ka.towns_held(record, freq="ME")
    counted = ka.control_timeline(record, level="town")["place_id"]
    assert not {"bhamo", "katha", "hpakant", "tanai"} & set(counted)
    assert th["places"].sum() > 0


def test_control_figure_and_helpers_share_one_rule(record):
    legacy = ka.control_timeline(record, target_types=("town",))
    assert legacy.equals(ka.control_timeline(record, level="town"))
    with pytest.raises(ValueError, match="never change who holds"):
        ka.control_timeline(record, target_types=("position",))


def test_withdrawal_without_anyone_moving_in_leaves_the_holder_unknown(minimal_record):
    rec = synthetic(
        [
            KIA_TAKES_ALPHA,
            event("2", "2024-04-01", "withdrawal", "town", "Alpha", "alpha", "phase-two", None, "KIA"),
        ],
        minimal_record,
    )
    held = ka.holder_on(rec, "alpha", "2024-04-02")
    assert (held["side"], held["event_id"]) == ("unknown", "2")
    assert "without naming who moved in" in held["reason"]


def test_pro_junta_and_other_side_attackers_are_named_never_nan(minimal_record):
    rec = synthetic(
        [
            KIA_TAKES_ALPHA,
            event("2", "2024-04-01", "recapture", "town", "Alpha", "alpha", "phase-two", "SNA", "KIA"),
            event("3", "2024-04-10", "capture", "position", "Beta", "beta-hill", "phase-two", "XX", "MAF", positions=1),
        ],
        minimal_record,
        extra_actors=[("SNA", "pro_junta"), ("XX", "other")],
    )
    ct = ka.control_timeline(rec)
    sides = dict(zip(ct["start_event_id"], ct["holder_side"].astype(str)))
    assert sides == {"1": "resistance", "2": "pro_junta", "3": "other"}
    assert ct["holder_side"].notna().all()


def test_a_position_taken_at_a_town_does_not_flip_it(minimal_record):
    rec = synthetic(
        [
            event("1", "2024-03-07", "capture", "position", "camp", "alpha", "phase-one", "KIA", "MAF", positions=1),
        ],
        minimal_record,
    )
    assert ka.control_timeline(rec).empty
    assert ka.holder_on(rec, "Alfa", "2024-04-01")["side"] == "unknown"  # found by its alias


def test_unknown_places_are_refused_with_a_suggestion(record):
    with pytest.raises(KeyError, match="did you mean 'bhamo'"):
        ka.holder_on(record, "Bahmo", "2025-01-01")


def test_a_date_past_the_record_is_flagged(record):
    with pytest.warns(UserWarning, match="after the record's last event"):
        held = ka.holder_on(record, "lweje", "2030-01-01")
    assert "after the record's last event" in held["reason"]


def test_headquarters_are_held_through_events_on_themselves(minimal_record):
    ct = ka.control_timeline(minimal_record, level="headquarters")
    assert ct[["unit", "holder_side", "start_event_id"]].astype(str).values.tolist() == [
        ["IB 1", "resistance", "KO-0002"]
    ]


def test_as_of_cuts_towns_held(record):
    early = ka.towns_held(record, freq="ME", as_of="2024-06-30")
    assert early["period"].max() == pd.Timestamp("2024-06-01")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ka.towns_held(record, freq="QE")


def test_a_withdrawal_follows_a_same_day_capture(record):
    # Mongmit, 25 January 2024: announced taken and left the same evening (KO-0019); not "contested" for months
    held = ka.holder_on(record, "Mongmit", "2024-03-01")
    assert (held["side"], held["event_id"]) == ("junta", "KO-0019")
