"""ACLED interop: a hand-written ACLED-format fixture flows into the same helpers; our record exports to ACLED's layout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kachin_analysis as ka
from kachin_analysis.interop import ACLED_COLUMNS
from kachin_analysis.interop import SAMPLE_ACLED as SAMPLE


@pytest.fixture(scope="module")
def acled():
    return ka.from_acled(SAMPLE)


def test_every_row_is_mapped_and_none_dropped(acled):
    assert len(acled) == 12
    assert acled["event_id"].tolist()[:2] == ["MMR90001", "MMR90002"]


def test_sub_event_types_map_to_our_event_types(acled):
    got = dict(zip(acled["event_id"], acled["event_type"].astype(str)))
    assert got["MMR90001"] == "capture"
    assert got["MMR90007"] == "withdrawal"  # ACLED's non-violent transfer is our withdrawal, both ways
    assert got["MMR90003"] == "recapture"
    assert got["MMR90002"] == "attack"
    assert got["MMR90004"] == got["MMR90005"] == "strike"
    assert got["MMR90006"] == "ceasefire"
    assert got["MMR90008"] == "other"


def test_both_date_forms(acled):
    d = dict(zip(acled["event_id"], acled["date"].dt.strftime("%Y-%m-%d")))
    assert d["MMR90002"] == "2024-03-08" and d["MMR90001"] == "2024-03-07" and d["MMR90009"] == "2024-04-10"


def test_both_inter_code_forms_give_sides(acled):
    row = acled.set_index("event_id")
    assert (row.loc["MMR90001", "attacker_side"], row.loc["MMR90001", "defender_side"]) == ("resistance", "junta")
    assert (row.loc["MMR90002", "attacker_side"], row.loc["MMR90002", "defender_side"]) == ("junta", "resistance")
    assert row.loc["MMR90009", "attacker_side"] == "resistance"  # a PDF, coded as a political militia
    assert row.loc["MMR90010", "attacker_side"] == "pro_junta"  # Pyu Saw Htee
    assert pd.isna(row.loc["MMR90004", "defender_side"])


def test_associated_actors_join_the_main_actor(acled):
    first = acled.set_index("event_id").loc["MMR90001", "attackers"]
    assert first.split(";") == [
        "KIA: Kachin Independence Army",
        "PDF: People's Defense Force",
        "ABSDF: All Burma Students' Democratic Front",
    ]


def test_an_export_without_associated_actor_columns_keeps_the_main_actors(acled, tmp_path):
    """A trimmed export (no assoc_actor_1/2 columns) still names each row's actors; they were lost before."""
    raw = pd.read_csv(SAMPLE)
    path = tmp_path / "trimmed.csv"
    raw.drop(columns=["assoc_actor_1", "assoc_actor_2"]).to_csv(path, index=False)
    trimmed = ka.from_acled(path)
    assert trimmed["attackers"].tolist() == raw["actor1"].str.strip().tolist()
    assert trimmed["defenders"].fillna("").tolist() == raw["actor2"].fillna("").str.strip().tolist()
    assert len(ka.event_actors(trimmed)) > 0


def test_precision_codes(acled):
    row = acled.set_index("event_id")
    assert row.loc["MMR90003", "date_precision"] == "week" and row.loc["MMR90006", "date_precision"] == "month"
    assert row.loc["MMR90006", "geo_precision"] == "township" and row.loc["MMR90001", "geo_precision"] == "settlement"


def test_filters_by_admin1_and_date():
    kachin = ka.from_acled(SAMPLE, admin1=["Kachin"], start="2024-03-10", end="2024-04-30")
    assert kachin["event_id"].tolist() == ["MMR90003", "MMR90004", "MMR90005", "MMR90007", "MMR90008"]


def test_the_aggregation_helpers_run_unchanged(acled):
    weekly = ka.count_captures(acled, measure="events", freq="W", by="actor")
    kia = weekly[weekly["actor_id"] == "KIA: Kachin Independence Army"]["events"].sum()
    assert kia == 3  # MMR90001, MMR90012, and MMR90009 where the KIA is an associated actor (MMR90007 is a withdrawal)
    sides = ka.count_captures(acled, measure="events", freq="M", by="side")
    assert sides.groupby("side", observed=True)["events"].sum().to_dict()["resistance"] == 3
    assert ka.co_participation(acled).loc["KIA: Kachin Independence Army", "PDF: People's Defense Force"] == 2


def test_unmappable_rows_are_reported_never_dropped_silently(tmp_path):
    bad = SAMPLE.read_text().replace("2024-03-20,2024,1", "20/03/2024,2024,1").replace("24.76,97.56", "north,97.56")
    path = tmp_path / "bad.csv"
    path.write_text(bad)
    with pytest.raises(ka.RecordError) as info:
        ka.from_acled(path)
    cols = {(p.line, p.column) for p in info.value.problems}
    assert cols == {(5, "event_date"), (5, "latitude")}
    with pytest.warns(UserWarning, match="left out"):
        kept = ka.from_acled(path, errors="report")
    assert len(kept) == 11 and len(kept.attrs["unmapped"]) == 2


def test_missing_required_column_is_named(tmp_path):
    path = tmp_path / "cut.csv"
    path.write_text(SAMPLE.read_text().replace("sub_event_type", "subtype", 1))
    with pytest.raises(ka.RecordError, match="sub_event_type"):
        ka.from_acled(path)


def test_a_frame_works_as_well_as_a_path():
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    assert (
        ka.from_acled(frame)["event_type"].astype(str).tolist()
        == ka.from_acled(SAMPLE)["event_type"].astype(str).tolist()
    )


def test_to_acled_layout_and_safety(record):
    out = ka.to_acled(record)
    assert tuple(out.columns) == ACLED_COLUMNS
    assert len(out) == len(record.events)
    first = out.iloc[0]
    ev = record.events.iloc[0]
    assert first["event_id_cnty"] == ev["event_id"] and first["notes"] == ev["summary"]
    assert not out.map(lambda v: isinstance(v, str) and v[:1] in ("=", "+", "-", "@")).any().any()


def test_to_acled_then_from_acled_round_trips_types_and_dates(record):
    back = ka.from_acled(ka.to_acled(record))
    # one table maps both ways: a withdrawal goes out as a non-violent transfer and comes back a withdrawal
    assert back["event_type"].astype(str).tolist() == record.events["event_type"].astype(str).tolist()
    assert back["date_precision"].astype(str).tolist() == record.events["date_precision"].astype(str).tolist()
    assert (back["date"] == record.events["date"]).all()


# ----------------------------------------------------------------------- what a researcher's export may look like


def test_admin1_matches_case_insensitively_and_by_prefix():
    shan = ka.from_acled(SAMPLE, admin1="shan")
    assert set(shan["admin1"].astype(str)) == {"Shan-North"}
    assert len(ka.from_acled(SAMPLE, admin1=["KACHIN"])) == 8


def test_admin1_that_matches_nothing_warns_with_the_values_present():
    with pytest.warns(UserWarning, match="matches no row.*Kachin, Mandalay, Sagaing, Shan-North"):
        out = ka.from_acled(SAMPLE, admin1="Kachn")
    assert out.empty


@pytest.mark.parametrize(
    "mangle, message",
    [
        (lambda t: t.replace(",", ";"), "separated by semicolons"),
        (lambda t: t.replace(",", "\t"), "separated by tabs"),
        (lambda t: "", "the file is empty"),
        (lambda t: '[{"event_id_cnty": "MMR1"}]', "looks like JSON"),
    ],
)
def test_a_file_that_is_not_a_comma_separated_export_says_what_it_is(tmp_path, mangle, message):
    path = tmp_path / "export.csv"
    path.write_text(mangle(SAMPLE.read_text()), encoding="utf-8")
    with pytest.raises(ka.RecordError, match=message):
        ka.from_acled(path)


def test_a_workbook_is_named_as_one(tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 64)
    with pytest.raises(ka.RecordError, match="Excel workbook"):
        ka.from_acled(path)


def test_unknown_time_precision_is_reported_not_mapped_to_day(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        SAMPLE.read_text().replace("MMR90002,08 March 2024,2024,1", "MMR90002,08 March 2024,2024,7"), encoding="utf-8"
    )
    with pytest.raises(ka.RecordError, match=r"line 3, column 'time_precision'.*'7'"):
        ka.from_acled(path)


# ----------------------------------------------------------------------- from_acled's stages, one at a time

from kachin_analysis import interop  # noqa: E402


def test_sniff_reads_the_header_and_refuses_a_missing_column():
    assert interop.sniff_export(SAMPLE).header[:2] == ["event_id_cnty", "event_date"]
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False).drop(columns="actor1")
    with pytest.raises(ka.RecordError, match="actor1"):
        interop.sniff_export(frame)


def test_read_lets_arrow_type_a_clean_file_and_falls_back_to_text_for_a_bad_one(tmp_path):
    assert interop.read_export(interop.sniff_export(SAMPLE)).is_type("latitude", "floating")
    bad = tmp_path / "bad.csv"
    bad.write_text(SAMPLE.read_text().replace("24.76,97.56", "north,97.56"))
    export = interop.read_export(interop.sniff_export(bad))
    assert not export.is_type("latitude", "floating") and export.latitude[1].to_pylist().count(True) == 1


def test_filter_keeps_the_rows_asked_for():
    export = interop.read_export(interop.sniff_export(SAMPLE))
    assert interop.filter_rows(export).all()
    assert interop.filter_rows(export, admin1="Kachin").sum() == 8
    assert interop.filter_rows(export, admin1="Kachin", start="2024-03-10", end="2024-04-30").sum() == 5


def test_map_gives_our_columns_for_every_row():
    export = interop.read_export(interop.sniff_export(SAMPLE))
    events = interop.map_events(export)
    assert events.num_rows == 12 and events["event_type"].to_pylist()[0] == "capture"


def test_unmappable_rows_lists_one_problem_per_bad_cell_among_the_kept_rows(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(SAMPLE.read_text().replace("2024-03-20,2024,1", "20/03/2024,2024,1"))
    export = interop.read_export(interop.sniff_export(bad))
    problems, unmapped = interop.unmappable_rows(export, np.ones(export.n, dtype=bool))
    assert [(p.line, p.column) for p in problems] == [(5, "event_date")] and unmapped.sum() == 1
    assert interop.unmappable_rows(export, ~unmapped)[0] == []  # a row filtered out is not reported


def test_to_events_frame_types_the_selected_rows():
    export = interop.read_export(interop.sniff_export(SAMPLE))
    keep = np.zeros(export.n, dtype=bool)
    keep[:3] = True
    frame = interop.to_events_frame(interop.map_events(export), keep)
    assert len(frame) == 3 and isinstance(frame["event_type"].dtype, pd.CategoricalDtype)
    assert str(frame["fatalities"].dtype) == "Int64"
