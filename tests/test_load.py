"""Loaders return tidy, typed frames from a checkout, a given folder, the environment, or an installed wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import kachin_analysis as ka
from conftest import MINIMAL, ROOT


def test_types_follow_the_schema(minimal_record):
    ev = minimal_record.events
    assert ev["date"].dtype.kind == "M"
    assert isinstance(ev["event_type"].dtype, pd.CategoricalDtype) and ev["event_type"].dtype.ordered
    assert list(ev["date_precision"].cat.categories) == ["day", "week", "month"]
    assert str(ev["positions"].dtype) == "Int64"
    assert str(minimal_record.sources["independent"].dtype) == "boolean"
    assert minimal_record.places["latitude"].dtype == "float64"


def test_blank_optional_cells_are_missing_not_empty_strings(minimal_record):
    ev = minimal_record.events.set_index("event_id")
    assert pd.isna(ev.loc["KO-0004", "positions"])
    assert pd.isna(ev.loc["KO-0005", "place_id"])
    assert pd.isna(minimal_record.places.set_index("place_id").loc["nowhere", "latitude"])


def test_phases_come_back_in_chronological_order(minimal_record):
    assert list(minimal_record.phases["phase_id"]) == ["phase-one", "phase-two"]
    assert list(minimal_record.events["phase_id"].cat.categories) == ["phase-one", "phase-two"]


def test_actors_are_ordered_by_side(minimal_record):
    assert list(minimal_record.actors["side"].astype(str)) == ["resistance", "resistance", "junta"]


def test_event_actors_is_one_row_per_event_actor_role(minimal_record):
    ea = ka.event_actors(minimal_record)
    assert list(ea.columns) == ["event_id", "actor_id", "role", "side"]
    first = ea[ea["event_id"] == "KO-0001"]
    assert sorted(zip(first["actor_id"].astype(str), first["role"].astype(str))) == [
        ("KIA", "attacker"), ("KPDF", "attacker"), ("MAF", "defender")]
    assert set(ea.loc[ea["actor_id"] == "MAF", "side"].astype(str)) == {"junta"}
    # KO-0005 has no defenders: no empty actor rows are made up
    assert (ea["actor_id"].astype(str) != "").all()
    assert len(ea) == 3 + 2 + 2 + 2 + 1  # per event: attackers + defenders


def test_single_table_loaders_accept_a_file_or_a_folder():
    by_folder = ka.load_events(MINIMAL)
    by_file = ka.load_events(MINIMAL / "events.csv")
    pd.testing.assert_frame_equal(by_folder, by_file)


def test_environment_variable_points_at_another_record(monkeypatch):
    monkeypatch.setenv("KACHIN_DATA_DIR", str(MINIMAL))
    assert len(ka.load_record().events) == 5


def test_the_shipped_record_loads(record):
    assert len(record.events) > 300
    assert record.summary()["events"] == len(record.events)


@pytest.mark.slow  # builds and installs a wheel
def test_record_loads_from_an_installed_wheel(tmp_path):
    """Build the wheel, unpack it away from the checkout, and load the record that ships inside it."""
    from hatchling.builders.wheel import WheelBuilder

    wheel = next(iter(WheelBuilder(str(ROOT)).build(directory=str(tmp_path / "dist"), versions=["standard"])))
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        zf.extractall(site)
    assert "kachin_analysis/data/events.csv" in names
    env = {k: v for k, v in os.environ.items() if k != "KACHIN_DATA_DIR"}
    env["PYTHONPATH"] = str(site)
    code = "import kachin_analysis as ka, sys; r = ka.load_record(); print(len(r.events), ka.paths.data_dir())"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    count, where = out.stdout.split()
    assert int(count) == len(ka.load_events())
    assert Path(where).is_relative_to(site)


def test_a_cached_record_equals_a_validated_one(minimal_dir):
    first = ka.load_record(minimal_dir)
    again = ka.load_record(minimal_dir)  # from the cache
    fresh = ka.load_record(minimal_dir, cache=False)
    for name in first.tables:
        pd.testing.assert_frame_equal(again.tables[name], fresh.tables[name])


def test_an_edit_after_caching_is_still_validated(minimal_dir):
    import pytest

    from conftest import edit_cell

    ka.load_record(minimal_dir)  # cached while valid
    edit_cell(minimal_dir, "events", 2, "event_type", "won")
    with pytest.raises(ka.RecordError, match="won"):
        ka.load_record(minimal_dir)
