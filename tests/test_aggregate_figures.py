"""The figure-data helpers at the end of aggregate.py, pinned to answers a reader can check in the record."""

from __future__ import annotations

import pandas as pd

from kachin_analysis import aggregate


def test_capture_series_ends_on_the_record_last_day_and_accumulates(record):
    s = aggregate.capture_series(record, freq="W")
    last = record.events["date"].max()
    assert s["period"].iloc[-1] <= last < s["period"].iloc[-1] + pd.Timedelta(days=7)
    assert s["cumulative"].is_monotonic_increasing
    assert int(s["cumulative"].iloc[-1]) == int(
        record.events.loc[record.events["event_type"] == "capture", "positions"].fillna(0).sum()
    )


def test_capture_series_on_a_filtered_events_frame(record):
    ev = record.events[record.events["phase_id"].astype(str) == "ksr1-chipwi-pangwa"]
    s = aggregate.capture_series(ev, freq="M")
    assert str(s["period"].min().date()) == "2024-09-01" and str(s["period"].max().date()) == "2024-11-01"
    assert int(s["cumulative"].iloc[-1]) == 12  # README coverage table: 12 positions in this phase


def test_hq_captures_lists_battalion_and_command_hqs_with_their_week(record):
    hq = aggregate.hq_captures(record)
    assert set(hq["target_type"]) <= {"battalion_hq", "command_hq"}
    assert (hq["period"].dt.day_of_week == 0).all()  # weeks start on Monday
    assert ((hq["date"] - hq["period"]).dt.days.between(0, 6)).all()
    assert "LIB 437" in set(hq["unit"].dropna())  # Momauk, 19 August 2024


def test_phase_spans_end_at_the_sourced_end_or_the_last_event_never_today(record):
    sp = aggregate.phase_spans(record).set_index("phase_id")
    ksr = sp.loc["ksr1-chipwi-pangwa"]
    assert bool(ksr["has_end"]) and str(ksr["drawn_end"].date()) == "2024-11-20"
    op = sp.loc["operation-0307"]
    assert not bool(op["has_end"]) and op["drawn_end"] == op["last_event"]
    assert (sp["drawn_end"] <= record.events["date"].max()).all()
    assert int(sp.loc["operation-0307", "events"]) == 83  # README coverage table


def test_phase_activity_counts_every_phased_event_once(record):
    pa = aggregate.phase_activity(record)
    assert int(pa.loc[pa["phase_id"] == "bhamo", "events"].sum()) == 46  # README coverage table
    assert (pa["events"] > 0).all() and (pa["captures"] <= pa["events"]).all()


def test_key_captures_name_the_first_capture_of_each_town(record):
    kc = aggregate.key_captures(record).set_index("label")
    assert str(kc.loc["Chipwi", "date"].date()) == "2024-09-29"
    assert kc.loc["Sadung", "target_type"] == "command_hq"
    assert "Bhamo" not in kc.index  # Bhamo town has not changed hands


def test_control_lanes_put_towns_before_headquarters(record):
    lanes, order = aggregate.control_lanes(record)
    groups = lanes.drop_duplicates("label").set_index("label").loc[order, "group"].tolist()
    assert groups == sorted(groups)
    assert "Lweje" in order and any(o.endswith(" HQ") for o in order)


def test_half_year_buckets_are_ordered_labels():
    hy = aggregate.half_year(pd.Series(pd.to_datetime(["2025-01-01", "2024-12-31", "2024-01-01"])))
    assert hy.tolist() == ["2025 Jan–Jun", "2024 Jul–Dec", "2024 Jan–Jun"]
    assert list(hy.cat.categories) == ["2024 Jan–Jun", "2024 Jul–Dec", "2025 Jan–Jun"]


def test_capture_points_never_put_township_level_captures_on_the_seat_town(record):
    cp = aggregate.capture_points(record)
    assert int(cp["captures"].sum()) == 180  # every capture once (the capture column of the README coverage table)
    located = cp[cp["located"]]
    assert set(located["geo_precision"].astype(str)) <= {"exact", "settlement"}
    waingmaw = cp[cp["area_label"] == "Waingmaw Township"]
    assert int(waingmaw["captures"].sum()) == 19 and not waingmaw["located"].any()
    assert (cp.loc[~cp["located"], "area_label"] != "").all()
    ids = ";".join(cp["event_ids"]).split(";")
    assert len(ids) == len(set(ids)) == 180


def test_capture_points_on_a_subset(record):
    ev = record.events[record.events["date"] < "2024-02-01"]
    cp = aggregate.capture_points(record, ev)
    assert int(cp["captures"].sum()) == int((ev["event_type"] == "capture").sum())


def test_claims_for_figure_names_claimants_and_scopes(record):
    cf = aggregate.claims_for_figure(record).set_index("claim_id")
    assert cf.loc["C002", "claimant_type"] == "KIA" and cf.loc["C002", "scope_label"] == "Operation 0307"
    assert cf.loc["C001", "claimant_type"] == "independent tally" and cf.loc["C001", "scope_label"] == "all phases"
    assert cf.loc["C008", "metric_label"] == "battalion HQs captured"
    # like for like: the record's tally for a phase-scoped claim counts that phase only
    assert cf.loc["C029", "record_value"] == 5
