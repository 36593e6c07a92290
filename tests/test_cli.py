"""The command line: help, validate, figures, export, docs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import MINIMAL, edit_cell
from kachin_analysis.cli import main


def test_help_explains_the_commands(capsys):
    try:
        main(["--help"])
    except SystemExit as exc:
        assert exc.code == 0
    out = capsys.readouterr().out
    for word in ("validate", "figures", "export", "notebooks", "docs", "KACHIN_DATA_DIR"):
        assert word in out


def test_validate_prints_a_summary(capsys):
    assert main(["validate", str(MINIMAL)]) == 0
    out = capsys.readouterr().out
    assert "5 events, 3 sources, 3 places, 3 actors, 2 phases, 2 claims" in out
    assert "2024-03-07 to 2024-04-16" in out


def test_validate_lists_errors_and_exits_1(minimal_dir, capsys):
    edit_cell(minimal_dir, "events", 2, "event_type", "won")
    assert main(["validate", str(minimal_dir)]) == 1
    err = capsys.readouterr().err
    assert "events.csv, line 2, column 'event_type': found 'won'" in err


@pytest.mark.slow  # a fresh interpreter per call
def test_console_script_exit_code(minimal_dir):
    edit_cell(minimal_dir, "places", 2, "latitude", "x")
    done = subprocess.run([sys.executable, "-m", "kachin_analysis.cli", "validate", str(minimal_dir)], capture_output=True, text=True)
    assert done.returncode == 1 and "latitude" in done.stderr


def test_figures_list_and_unknown_key(capsys):
    assert main(["figures", "--list"]) == 0
    assert "positions-captured-over-time" in capsys.readouterr().out
    assert main(["figures", "--only", "no-such-figure"]) == 2


@pytest.mark.parametrize("command", [["figures"], ["notebooks", "--run"]])
@pytest.mark.parametrize("jobs", ["0", "-2", "two"])
def test_jobs_must_be_a_number_of_processes(command, jobs, capsys):
    with pytest.raises(SystemExit) as stop:
        main([*command, "--jobs", jobs])
    assert stop.value.code == 2
    assert f"argument --jobs: '{jobs}' is not a number of processes (1 or more)" in capsys.readouterr().err


def test_figures_render_with_a_progress_line(tmp_path, capsys):
    assert main(["figures", "--only", "phase-timeline", "--format", "svg", "--out", str(tmp_path), "--data", str(MINIMAL)]) == 0
    out = capsys.readouterr().out
    assert "[1/1] phase-timeline: phase-timeline.svg" in out
    assert (tmp_path / "phase-timeline.svg").stat().st_size > 1000


def test_export_geojson_and_csv(tmp_path, capsys):
    assert main(["export", "--format", "geojson", "--out", str(tmp_path / "e.geojson"), "--data", str(MINIMAL)]) == 0
    gj = json.loads((tmp_path / "e.geojson").read_text())
    # five events, one without a place: four points
    assert len(gj["features"]) == 4
    assert gj["features"][0]["geometry"]["coordinates"] == [97.25, 24.5]
    assert main(["export", "--format", "csv", "--out", str(tmp_path / "e.csv"), "--data", str(MINIMAL)]) == 0
    header = (tmp_path / "e.csv").read_text().splitlines()[0]
    assert "place_name" in header and "theatre" in header


def test_docs_prints_the_descriptor(capsys):
    assert main(["docs"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "kachin-offensive-record"
