"""Claims like for like: the same metric, scope (phase and area) and window as the claim."""

from __future__ import annotations

import pandas as pd
import pytest

import kachin_analysis as ka


@pytest.fixture(scope="module")
def cv(record):
    return ka.claims_vs_record(record).set_index("claim_id")


def test_every_counted_event_is_inside_the_claims_scope_and_window(record, cv):
    events = record.events.set_index("event_id")
    for cid, row in cv[cv["comparable"] & (cv["metric"] != "towns_held")].iterrows():
        ids = [i for i in row["event_ids"].split(";") if i]
        picked = events.loc[ids]
        assert (picked["date"] <= row["date"]).all(), cid
        assert (picked["date"] >= row["since"]).all(), cid
        if row["scope"] != "all":
            assert set(picked["phase_id"].astype(str)) <= {row["scope"]}, cid


def test_a_sagaing_claim_is_compared_with_sagaing_towns_only(record, cv):
    c037 = cv.loc["C037"]  # CNI, December 2025: 5 towns held in Sagaing
    assert (c037["metric"], c037["scope_area"], c037["value"]) == ("towns_held", "Sagaing", 5)
    states = record.places.set_index("place_id")["state"]
    events = record.events.set_index("event_id")
    places = {str(events.loc[i, "place_id"]) for i in c037["event_ids"].split(";") if i}
    assert places and {states[p] for p in places} == {"Sagaing"}
    assert c037["record_value"] == len(places)


def test_phase_scoped_claims_count_only_their_phase(record, cv):
    c032 = cv.loc["C032"]  # 15 positions in the first days of the Bhamo battle
    assert c032["scope"] == "bhamo"
    bhamo = record.events[
        (record.events["phase_id"] == "bhamo")
        & (record.events["event_type"] == "capture")
        & record.events["date"].between(c032["since"], c032["date"])
    ]
    assert c032["record_value"] == int(bhamo["positions"].fillna(0).sum())


def test_claims_that_cannot_be_compared_say_why(cv):
    assert not cv.loc["C033", "comparable"]
    assert "does not say from when" in cv.loc["C033", "why_not"]
    assert not cv.loc["C030", "comparable"]  # counts from the 2021 coup
    assert "before the record's coverage" in cv.loc["C030", "why_not"]
    assert (cv["comparable"] == (cv["why_not"] == "")).all()


def test_claimants_are_named_by_kind(cv):
    assert cv.loc["C002", "claimant_kind"] == "resistance"  # the KIA's own total
    assert cv.loc["C001", "claimant_kind"] == "independent"  # an outlet's tally
    assert set(cv["claimant_kind"]) <= {"resistance", "junta", "other", "independent"}


def test_fixture_claims(minimal_record):
    cv = ka.claims_vs_record(minimal_record).set_index("claim_id")
    assert (cv.loc["C001", "value"], cv.loc["C001", "record_value"]) == (5, 3)
    assert cv["comparable"].dtype == bool and pd.api.types.is_datetime64_any_dtype(cv["since"])
