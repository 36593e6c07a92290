"""Bad input: every defect is reported with file, line, column, value and expectation — and nothing loads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import kachin_analysis as ka
from conftest import edit_cell


def problems(folder: Path) -> list[ka.Problem]:
    with pytest.raises(ka.RecordError) as info:
        ka.load_record(folder)
    return info.value.problems


def only(folder: Path) -> ka.Problem:
    found = problems(folder)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def test_the_fixture_itself_is_valid(minimal_dir):
    assert len(ka.load_record(minimal_dir).events) == 5


def test_missing_column_is_named(minimal_dir):
    path = minimal_dir / "actors.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(",".join(l.split(",")[:-1]) for l in lines) + "\n")
    p = only(minimal_dir)
    assert (p.file, p.line, p.column) == ("actors.csv", 1, "description")


def test_extra_column_is_named(minimal_dir):
    path = minimal_dir / "sources.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(l + (",notes" if i == 0 else ",x") for i, l in enumerate(lines)) + "\n")
    p = only(minimal_dir)
    assert (p.file, p.line, p.column, p.value) == ("sources.csv", 1, "notes", "notes")


def test_unparseable_date(minimal_dir):
    edit_cell(minimal_dir, "events", 3, "date", "20 March 2024")
    p = only(minimal_dir)
    assert (p.file, p.line, p.column, p.value) == ("events.csv", 3, "date", "20 March 2024")
    assert "YYYY-MM-DD" in p.expected


def test_impossible_date(minimal_dir):
    edit_cell(minimal_dir, "events", 2, "date", "2024-02-30")
    assert only(minimal_dir).column == "date"


def test_future_date(minimal_dir):
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    edit_cell(minimal_dir, "events", 4, "date", future)
    p = only(minimal_dir)
    assert (p.line, p.column, p.value) == (4, "date", future)


def test_date_before_the_offensive(minimal_dir):
    edit_cell(minimal_dir, "events", 2, "date", "2023-06-01")
    p = only(minimal_dir)
    assert (p.file, p.column, p.value) == ("events.csv", "date", "2023-06-01")
    assert "between 2023-12-01 and today" in p.expected


def test_phase_start_before_the_coup(minimal_dir):
    edit_cell(minimal_dir, "phases", 2, "start", "2020-06-01")
    p = only(minimal_dir)
    assert (p.file, p.column) == ("phases.csv", "start") and "2021-02-01" in p.expected


def test_value_outside_vocabulary(minimal_dir):
    edit_cell(minimal_dir, "events", 2, "event_type", "captured")
    p = only(minimal_dir)
    assert (p.line, p.column, p.value) == (2, "event_type", "captured")
    assert "capture" in p.expected


def test_duplicate_id(minimal_dir):
    edit_cell(minimal_dir, "events", 3, "event_id", "KO-0001")
    p = only(minimal_dir)
    assert (p.line, p.column, p.value) == (3, "event_id", "KO-0001")
    assert "unique" in p.expected


def test_malformed_id(minimal_dir):
    edit_cell(minimal_dir, "events", 3, "event_id", "KO-2")
    assert only(minimal_dir).column == "event_id"


def test_unknown_place(minimal_dir):
    edit_cell(minimal_dir, "events", 2, "place_id", "gamma")
    p = only(minimal_dir)
    assert (p.file, p.line, p.column, p.value) == ("events.csv", 2, "place_id", "gamma")
    assert "places.csv" in p.expected


def test_unknown_actor_inside_a_list(minimal_dir):
    edit_cell(minimal_dir, "events", 2, "attackers", "KIA;XYZ")
    p = only(minimal_dir)
    assert (p.line, p.column, p.value) == (2, "attackers", "XYZ")


def test_unknown_source_inside_a_list(minimal_dir):
    edit_cell(minimal_dir, "events", 3, "source_ids", "S0001;S0099")
    p = only(minimal_dir)
    assert (p.line, p.column, p.value) == (3, "source_ids", "S0099")


def test_unknown_phase(minimal_dir):
    edit_cell(minimal_dir, "events", 2, "phase_id", "phase-nine")
    assert only(minimal_dir).value == "phase-nine"


def test_unknown_claim_scope(minimal_dir):
    edit_cell(minimal_dir, "claims", 3, "scope", "phase-three")
    p = only(minimal_dir)
    assert (p.file, p.line, p.column) == ("claims.csv", 3, "scope")


def test_coordinates_out_of_range(minimal_dir):
    edit_cell(minimal_dir, "places", 2, "latitude", "34.5")
    p = only(minimal_dir)
    assert (p.file, p.line, p.column, p.value) == ("places.csv", 2, "latitude", "34.5")


def test_negative_count(minimal_dir):
    edit_cell(minimal_dir, "events", 2, "positions", "-2")
    p = only(minimal_dir)
    assert (p.column, p.value) == ("positions", "-2")
    assert "whole number" in p.expected


def test_fractional_count(minimal_dir):
    edit_cell(minimal_dir, "events", 2, "positions", "2.5")
    assert only(minimal_dir).column == "positions"


def test_blank_required_cell(minimal_dir):
    edit_cell(minimal_dir, "events", 2, "summary", "")
    p = only(minimal_dir)
    assert (p.line, p.column) == (2, "summary")
    assert "required" in p.expected


def test_count_without_precision(minimal_dir):
    edit_cell(minimal_dir, "events", 2, "positions_precision", "")
    p = only(minimal_dir)
    assert (p.line, p.column) == (2, "positions_precision")


def test_capture_without_target_type(minimal_dir):
    edit_cell(minimal_dir, "events", 2, "target_type", "")
    p = only(minimal_dir)
    assert (p.line, p.column) == (2, "target_type")


def test_capture_without_place(minimal_dir):
    edit_cell(minimal_dir, "events", 3, "place_id", "")
    assert only(minimal_dir).column == "place_id"


def test_half_given_coordinates(minimal_dir):
    edit_cell(minimal_dir, "places", 2, "longitude", "")
    p = only(minimal_dir)
    assert (p.file, p.line, p.column) == ("places.csv", 2, "longitude")


def test_phase_ending_before_it_starts(minimal_dir):
    edit_cell(minimal_dir, "phases", 3, "end", "2024-03-01")
    p = only(minimal_dir)
    assert (p.file, p.column, p.value) == ("phases.csv", "end", "2024-03-01")


def test_bad_boolean(minimal_dir):
    edit_cell(minimal_dir, "sources", 2, "independent", "yes")
    assert only(minimal_dir).value == "yes"


def test_spaces_around_a_value(minimal_dir):
    edit_cell(minimal_dir, "events", 2, "confidence", " reported")
    assert only(minimal_dir).column == "confidence"


def test_non_utf8_file(minimal_dir):
    path = minimal_dir / "actors.csv"
    path.write_bytes(path.read_bytes().replace(b"Defence", "Défence".encode("latin-1")))
    p = only(minimal_dir)
    assert p.file == "actors.csv" and "UTF-8" in p.expected and p.line == 3


def test_empty_file(minimal_dir):
    (minimal_dir / "claims.csv").write_text("")
    p = only(minimal_dir)
    assert p.file == "claims.csv" and "empty" in p.expected


def test_header_only(minimal_dir):
    path = minimal_dir / "claims.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    p = only(minimal_dir)
    assert p.file == "claims.csv" and "data row" in p.expected


def test_short_row(minimal_dir):
    path = minimal_dir / "actors.csv"
    lines = path.read_text().splitlines()
    lines[2] = "KPDF,Kachin Region People's Defence Force,resistance"
    path.write_text("\n".join(lines) + "\n")
    p = only(minimal_dir)
    assert (p.file, p.line) == ("actors.csv", 3) and "7 fields, found 3" in p.expected


def test_missing_file(minimal_dir):
    (minimal_dir / "phases.csv").unlink()
    found = problems(minimal_dir)
    assert any(p.file == "phases.csv" and "exist" in p.expected for p in found)


def test_every_problem_is_listed_at_once(minimal_dir):
    edit_cell(minimal_dir, "events", 2, "event_type", "won")
    edit_cell(minimal_dir, "events", 4, "date", "yesterday")
    edit_cell(minimal_dir, "places", 3, "latitude", "99")
    found = problems(minimal_dir)
    assert {(p.file, p.line, p.column) for p in found} == {
        ("events.csv", 2, "event_type"), ("events.csv", 4, "date"), ("places.csv", 3, "latitude")}


def test_message_names_file_line_column_value_and_expectation(minimal_dir):
    edit_cell(minimal_dir, "events", 2, "date_precision", "year")
    with pytest.raises(ka.RecordError) as info:
        ka.load_record(minimal_dir)
    message = str(info.value)
    assert "events.csv, line 2, column 'date_precision': found 'year', expected one of day, week, month" in message


def test_line_numbers_count_multiline_cells(minimal_dir):
    path = minimal_dir / "events.csv"
    text = path.read_text().replace("Test event one.", '"Test event\none."')
    text = text.replace("KO-0003,2024-04-01,month", "KO-0003,2024-04-01,fortnight")
    path.write_text(text)
    p = only(minimal_dir)
    assert (p.line, p.value) == (5, "fortnight")  # the quoted cell spans lines 2 and 3
