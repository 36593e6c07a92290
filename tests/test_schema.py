"""One schema drives the data files, the Frictionless descriptor and the README's data dictionary."""

from __future__ import annotations

import csv
import json

import pytest

from conftest import ROOT
from kachin_analysis import schema

DATA = ROOT / "data"


def test_committed_datapackage_matches_the_schema():
    committed = (DATA / "datapackage.json").read_text(encoding="utf-8")
    assert committed == schema.datapackage_json(), "run: kachin-analysis docs --write"


@pytest.mark.parametrize("table", list(schema.TABLES))
def test_every_declared_column_is_used_and_every_used_column_declared(table):
    with open(DATA / f"{table}.csv", newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header == schema.TABLES[table].column_names


def test_frictionless_validates_the_data_package():
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(DATA / "datapackage.json"))
    errors = [] if report.valid else report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.valid, errors[:20]


def test_readme_generated_sections_are_current(record):
    from kachin_analysis import docs

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("data-dictionary", "coverage"):
        assert f"<!-- {name}:begin -->" in readme, name
    assert docs.replace_sections(readme, docs.sections(record)) == readme, "run: kachin-analysis docs --write"


def test_every_foreign_key_points_at_a_primary_key():
    for table in schema.TABLES.values():
        for col in table.columns:
            if col.references:
                ref_table, ref_col = col.references.split(".")
                assert schema.TABLES[ref_table].primary_key == ref_col


def test_descriptor_declares_keys_and_enumerations():
    dp = json.loads(schema.datapackage_json())
    events = next(r for r in dp["resources"] if r["name"] == "events")
    assert events["schema"]["primaryKey"] == ["event_id"]
    fks = {fk["fields"]: fk["reference"]["resource"] for fk in events["schema"]["foreignKeys"]}
    assert fks == {"place_id": "places", "phase_id": "phases"}
    etype = next(f for f in events["schema"]["fields"] if f["name"] == "event_type")
    assert etype["constraints"]["enum"] == list(schema.EVENT_TYPE)
