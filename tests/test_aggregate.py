"""Aggregation helpers: exact answers on tiny frames, edge cases included."""

from __future__ import annotations

import pandas as pd
import pytest

import kachin_analysis as ka


def events(rows):
    cols = [
        "event_id",
        "date",
        "date_precision",
        "event_type",
        "target_type",
        "positions",
        "positions_precision",
        "place_id",
        "phase_id",
        "attackers",
        "defenders",
    ]
    df = pd.DataFrame(rows, columns=cols)
    df["date"] = pd.to_datetime(df["date"])
    df["positions"] = df["positions"].astype("Int64")
    return df


EV = events(
    [
        ("a", "2024-03-07", "day", "capture", "position", 2, "exact", "x", "p1", "KIA;KPDF", "MAF"),
        ("b", "2024-03-09", "day", "capture", "battalion_hq", 1, "exact", "x", "p1", "KIA", "MAF"),
        ("c", "2024-03-20", "day", "capture", "town", 0, "exact", "y", "p2", "KIA", "MAF"),
        ("d", "2024-03-01", "month", "capture", "position", 3, "at_least", "y", "p2", "KPDF", "MAF"),
        ("e", "2024-03-21", "day", "recapture", "town", None, None, "y", "p2", "MAF", "KIA"),
        ("f", "2024-03-22", "day", "attack", None, 0, "exact", "y", "p2", "KIA", "MAF"),
    ]
)


def test_weekly_positions_with_zero_weeks_and_precision_flags():
    out = ka.count_captures(EV, measure="positions", freq="W")
    assert out["period"].dt.strftime("%Y-%m-%d").tolist() == ["2024-02-26", "2024-03-04", "2024-03-11", "2024-03-18"]
    assert out["positions"].tolist() == [3, 3, 0, 0]
    assert out["inexact"].tolist() == [1, 0, 0, 0]
    assert out["imprecise"].tolist() == [1, 0, 0, 0]  # the month-precision event, placed at 1 March


def test_monthly_counts_have_no_imprecise_events():
    out = ka.count_captures(EV, measure="events", freq="M")
    assert out[["events", "imprecise"]].values.tolist() == [[4, 0]]


@pytest.mark.parametrize("measure,expected", [("positions", 6), ("events", 4), ("headquarters", 1), ("towns", 1)])
def test_measures(measure, expected):
    assert ka.count_captures(EV, measure=measure, freq="M")[measure].sum() == expected


def test_cumulative_never_decreases_and_ends_at_the_total():
    out = ka.count_captures(EV, freq="D", cumulative=True)
    assert out["positions"].is_monotonic_increasing
    assert out["positions"].iloc[-1] == 6
    assert len(out) == (pd.Timestamp("2024-03-20") - pd.Timestamp("2024-03-01")).days + 1


def test_requested_range_pads_with_zeros():
    out = ka.count_captures(EV, freq="M", start="2024-01-15", end="2024-05-02")
    assert out["period"].dt.month.tolist() == [1, 2, 3, 4, 5]
    assert out["positions"].tolist() == [0, 0, 6, 0, 0]


def test_by_actor_counts_each_attacker_fully():
    out = ka.count_captures(EV, freq="M", by="actor")
    got = dict(zip(out["actor_id"].astype(str), out["positions"]))
    assert got == {"KIA": 3, "KPDF": 5}


def test_by_phase_keeps_every_group_in_every_period():
    out = ka.count_captures(EV, freq="W", by="phase_id")
    assert len(out) == 4 * 2
    assert out.groupby("phase_id")["positions"].sum().to_dict() == {"p1": 3, "p2": 3}


def test_empty_input_gives_an_empty_frame():
    out = ka.count_captures(EV.iloc[0:0], freq="W")
    assert out.empty and list(out.columns) == ["period", "positions", "inexact", "imprecise"]


def test_a_single_day():
    out = ka.count_captures(EV.iloc[[0]], freq="D")
    assert out[["positions"]].values.tolist() == [[2]]


def test_bad_arguments_say_what_is_allowed():
    with pytest.raises(ValueError, match="freq must be a pandas offset"):
        ka.count_captures(EV, freq="fortnightly")
    with pytest.raises(ValueError, match="measure must be one of"):
        ka.count_captures(EV, measure="villages")


def test_by_theatre_needs_the_record():
    with pytest.raises(ValueError, match="theatre"):
        ka.count_captures(EV, by="theatre")


def test_phase_summary_on_the_fixture(minimal_record):
    ps = ka.phase_summary(minimal_record).set_index("phase_id")
    one, two = ps.loc["phase-one"], ps.loc["phase-two"]
    assert (one["events"], one["positions"], one["headquarters"], one["towns"], one["recaptures"]) == (2, 3, 1, 0, 0)
    assert (two["events"], two["positions"], two["towns"], two["recaptures"]) == (2, 0, 1, 1)
    assert one["duration_days"] == (pd.Timestamp("2024-04-30") - pd.Timestamp("2024-03-07")).days + 1
    assert bool(two["ongoing"]) and not bool(one["ongoing"])
    assert one["actors"] == 3 and one["first_capture"] == pd.Timestamp("2024-03-07")


def test_overlapping_phases_count_their_own_events_only(minimal_record):
    ps = ka.phase_summary(minimal_record)
    # phase-one runs to 30 April and overlaps phase-two; the five events split 2 + 2 (+1 without a phase)
    assert ps["events"].sum() == 4


def test_actor_involvement_by_role(minimal_record):
    ai = ka.actor_involvement(minimal_record)
    kia = ai[(ai["actor_id"] == "KIA") & (ai["phase_id"] == "phase-one")]
    assert kia[["role", "events", "positions"]].astype(str).values.tolist() == [["attacker", "2", "3"]]
    maf_two = ai[(ai["actor_id"] == "MAF") & (ai["phase_id"] == "phase-two")].set_index(ai.columns[3])
    assert maf_two.loc["attacker", "events"] == 1 and maf_two.loc["defender", "events"] == 1


def test_co_participation_is_symmetric_with_own_counts_on_the_diagonal():
    m = ka.co_participation(EV)
    assert m.loc["KIA", "KPDF"] == m.loc["KPDF", "KIA"] == 1
    assert m.loc["KIA", "KIA"] == 4 and m.loc["KPDF", "KPDF"] == 2
    assert (m.values == m.values.T).all()


def test_effective_actors_is_the_inverse_simpson_index():
    out = ka.effective_actors(EV).set_index("phase_id")["effective_actors"]
    # p1 attackers: KIA 2, KPDF 1 → 1 / (4/9 + 1/9) = 1.8
    # p2 attackers: KIA 2, KPDF 1, MAF 1 (its recapture) → 1 / (1/4 + 1/16 + 1/16) = 8/3
    assert out.to_dict() == pytest.approx({"p1": 1.8, "p2": 8 / 3})


def test_actor_appearances(minimal_record):
    aa = ka.aggregate.actor_appearances(minimal_record).set_index("actor_id")
    assert aa.loc["KPDF", "first"] == aa.loc["KPDF", "last"] == pd.Timestamp("2024-03-07")
    assert aa.loc["MAF", "events"] == 5


# ----------------------------------------------------------------------- control


def record_with(ev_rows, minimal_record):
    ev = events(ev_rows)
    return ka.Record(
        sources=minimal_record.sources,
        actors=minimal_record.actors,
        places=minimal_record.places,
        phases=minimal_record.phases,
        events=ev,
        claims=minimal_record.claims.iloc[0:0],
    )


def test_a_place_that_changes_hands_more_than_once(minimal_record):
    rec = record_with(
        [
            ("1", "2024-03-07", "day", "capture", "town", 0, "exact", "alpha", "phase-one", "KIA", "MAF"),
            ("2", "2024-03-20", "day", "capture", "position", 1, "exact", "alpha", "phase-one", "KPDF", "MAF"),
            ("3", "2024-04-15", "day", "recapture", "town", 0, "exact", "alpha", "phase-two", "MAF", "KIA"),
            ("4", "2024-05-02", "day", "capture", "town", 0, "exact", "alpha", "phase-two", "KIA", "MAF"),
            ("5", "2024-04-01", "day", "capture", "position", 1, "exact", "beta-hill", "phase-two", "KIA", "MAF"),
        ],
        minimal_record,
    )
    ct = ka.control_timeline(rec)
    alpha = ct[ct["place_id"] == "alpha"]
    assert alpha["holder_side"].astype(str).tolist() == ["resistance", "junta", "resistance"]
    assert alpha["start"].dt.strftime("%m-%d").tolist() == ["03-07", "04-15", "05-02"]
    assert alpha["end"].dt.strftime("%m-%d").fillna("open").tolist() == ["04-15", "05-02", "open"]
    assert alpha["start_event_id"].tolist() == ["1", "3", "4"]
    assert ka.holder_on(rec, "alpha", "2024-04-20")["side"] == "junta"
    assert ka.holder_on(rec, "alpha", "2024-03-01")["side"] == "unknown"
    assert ka.holder_on(rec, "alpha", "2025-01-01")["event_id"] == "4"


def test_same_day_conflict_is_contested(minimal_record):
    rec = record_with(
        [
            ("1", "2024-03-07", "day", "capture", "town", 0, "exact", "alpha", "phase-one", "KIA", "MAF"),
            ("2", "2024-03-07", "day", "recapture", "town", 0, "exact", "alpha", "phase-one", "MAF", "KIA"),
        ],
        minimal_record,
    )
    assert ka.control_timeline(rec)["holder_side"].astype(str).tolist() == ["contested"]


def test_control_intervals_never_overlap(record):
    ct = ka.control_timeline(record)
    for _, g in ct.groupby("place_id"):
        ends = g["end"].fillna(pd.Timestamp.max).to_numpy()
        starts = g["start"].to_numpy()
        assert (starts[1:] >= ends[:-1]).all()


def test_control_by_target_type_and_unit(minimal_record):
    ct = ka.control_timeline(minimal_record, level="headquarters")
    assert ct[["unit", "holder_side"]].astype(str).values.tolist() == [["IB 1", "resistance"]]


def test_towns_held_counts_places_by_rank(minimal_record):
    th = ka.towns_held(minimal_record, freq="M")
    april = th[th["period"] == pd.Timestamp("2024-04-01")]
    assert april[["admin_status", "holder_side", "places"]].astype(str).values.tolist() == [
        ["township_seat", "junta", "1"]
    ]


def test_claims_vs_record(minimal_record):
    cv = ka.claims_vs_record(minimal_record).set_index("claim_id")
    c1, c2 = cv.loc["C001"], cv.loc["C002"]
    assert (c1["value"], c1["record_value"], c1["difference"]) == (5, 3, 2)
    assert c1["ratio"] == pytest.approx(5 / 3)
    assert not bool(c1["record_is_floor"])
    assert (c2["record_value"], c2["difference"]) == (1, 0)
    assert c2["since"] == pd.Timestamp("2024-03-07")  # no 'since': the phase start is used


def test_helpers_on_an_empty_record(minimal_record):
    rec = record_with([], minimal_record)
    assert ka.control_timeline(rec).empty
    assert ka.count_captures(rec).empty
    assert ka.effective_actors(rec).empty
