"""Safe outputs: atomic writes, and CSV cells that a spreadsheet cannot run."""

from __future__ import annotations

import csv
import io
import os

import pytest

import kachin_analysis as ka
from kachin_analysis import export, figures
from kachin_analysis.files import atomic_write_bytes, neutralise_cell, restore_cell


def test_a_failed_write_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    target = tmp_path / "x.txt"
    target.write_bytes(b"previous")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]  # no temporary file left behind


def test_a_failure_mid_render_keeps_the_published_figure(tmp_path, minimal_record, monkeypatch):
    figures.render("phase-timeline", minimal_record, out_dir=tmp_path, formats=["svg", "png"])
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    from matplotlib.figure import Figure

    real = Figure.savefig

    def fail_on_png(self, fname, *a, format=None, **k):
        if format in ("png", "rgba"):  # the PNG is rasterised as raw RGBA, then compressed
            raise RuntimeError("renderer crashed")
        return real(self, fname, *a, format=format, **k)

    monkeypatch.setattr(Figure, "savefig", fail_on_png)
    with pytest.raises(RuntimeError):
        figures.render("phase-timeline", minimal_record, out_dir=tmp_path, formats=["svg", "png"])
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after["phase-timeline.png"] == before["phase-timeline.png"]
    assert set(after) == set(before)


@pytest.mark.parametrize("cell", ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tx", "'=x", "''+y"])
def test_formula_cells_are_neutralised_and_restored(cell):
    safe = neutralise_cell(cell)
    assert safe.startswith("'")
    assert restore_cell(safe) == cell


def test_exported_csvs_are_safe_in_a_spreadsheet(tmp_path, record):
    hostile = record.events.copy()
    hostile.loc[0, "summary"] = "=cmd|' /C calc'!A0"
    rec = ka.Record(**{**record.tables, "events": hostile})
    for fmt in ("csv", "acled"):
        out = tmp_path / f"out-{fmt}.csv"
        export.write(rec, out, fmt)
        cells = [c for row in csv.reader(io.StringIO(out.read_text(encoding="utf-8"))) for c in row]
        assert not any(c[:1] in ("=", "+", "-", "@") for c in cells), fmt


def test_write_table_round_trips_text_verbatim_and_refuses_what_the_loader_would(tmp_path, minimal_record):
    ev = minimal_record.events.copy()
    ev.loc[0, "summary"] = "'-30 positions, per a later tally"  # a leading ' is text like any other
    ka.write_table(ev, tmp_path / "events.csv", "events")
    assert ka.load_events(tmp_path / "events.csv").loc[0, "summary"] == "'-30 positions, per a later tally"
    ev.loc[0, "summary"] = "-30 positions"  # a spreadsheet would run it: the loader refuses it, so write_table does
    before = (tmp_path / "events.csv").read_bytes()
    with pytest.raises(ka.RecordError, match="formula"):
        ka.write_table(ev, tmp_path / "events.csv", "events")
    assert (tmp_path / "events.csv").read_bytes() == before
