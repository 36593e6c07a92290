"""Every publication figure renders, carries its source line, and matches the committed render byte for byte."""

from __future__ import annotations

import hashlib

import matplotlib

matplotlib.use("Agg")
import pytest

from conftest import ROOT
from kachin_analysis import figures

KEYS = list(figures.REGISTRY)


def test_registry_has_the_promised_figures():
    assert {
        "positions-captured-over-time",
        "captures-by-theatre-monthly",
        "phase-timeline",
        "actor-phase-heatmap",
        "actor-co-participation",
        "control-swimlane",
        "claims-vs-record",
        "map-captures",
        "map-captures-by-half-year",
    } <= set(KEYS)


def test_every_figure_is_listed_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for key in KEYS:
        assert f"`{key}`" in readme


@pytest.mark.slow
@pytest.mark.parametrize("key", KEYS)
def test_figure_builds_with_title_and_source_line(key, built_figure):
    fig = built_figure(key)
    texts = [t.get_text() for t in fig.texts]
    assert any(t.startswith("Source: kachin-analysis, an open record") for t in texts)
    assert any(len(t) > 5 for t in texts[:1])
    assert fig.axes


@pytest.mark.slow
def test_render_is_byte_reproducible(tmp_path, record):
    a = figures.render("actor-co-participation", record, out_dir=tmp_path / "a")
    b = figures.render("actor-co-participation", record, out_dir=tmp_path / "b")
    for pa, pb in zip(a, b):
        assert pa.read_bytes() == pb.read_bytes(), pa.name


@pytest.mark.slow
def test_committed_figures_match_a_fresh_render(tmp_path, record):
    """figures/ must be what `make figures` produces from the shipped record (re-run it after changing data or code)."""
    committed = ROOT / "figures"
    different = []
    for key in KEYS:
        for path in figures.render(key, record, out_dir=tmp_path):
            old = committed / path.name
            if (
                not old.exists()
                or hashlib.sha256(old.read_bytes()).digest() != hashlib.sha256(path.read_bytes()).digest()
            ):
                different.append(path.name)
    assert different == [], "run: make figures"


@pytest.mark.slow
def test_up_to_date_figures_are_skipped_and_tampered_ones_redone(tmp_path, minimal_dir):
    import kachin_analysis as ka

    rec = ka.load_record(minimal_dir)
    args = dict(
        keys=["phase-timeline", "actor-co-participation"],
        out_dir=tmp_path,
        formats=["svg", "png"],
        data_folder=minimal_dir,
    )
    first = figures.render_all(rec, **args)
    assert all(v is not None for v in first.values())
    assert figures.render_all(rec, **args) == {"phase-timeline": None, "actor-co-participation": None}
    (tmp_path / "phase-timeline.png").write_bytes(b"edited by hand")
    again = figures.render_all(rec, **args)
    assert again["phase-timeline"] is not None and again["actor-co-participation"] is None
    with open(minimal_dir / "events.csv", "a") as fh:  # any change to the record re-renders everything
        fh.write("KO-0006,2024-04-20,day,attack,,,,0,exact,alpha,phase-two,KIA,MAF,,S0002,reported,Test event six.\n")
    rec = ka.load_record(minimal_dir)
    assert all(v is not None for v in figures.render_all(rec, **args).values())
    assert all(v is not None for v in figures.render_all(rec, force=True, **args).values())


def test_parallel_render_writes_the_same_bytes(tmp_path, minimal_record):
    keys = ["phase-timeline", "actor-co-participation"]
    serial = figures.render_all(minimal_record, keys=keys, out_dir=tmp_path / "s", formats=["svg"], jobs=1)
    parallel = figures.render_all(minimal_record, keys=keys, out_dir=tmp_path / "p", formats=["svg"], jobs=2)
    for key in keys:
        assert serial[key][0].read_bytes() == parallel[key][0].read_bytes()


@pytest.mark.slow
def test_notebooks_show_a_sharp_png_at_screen_width(built_figure):
    fig = built_figure("phase-timeline")
    data, meta = fig._repr_png_()
    width = int.from_bytes(data[16:20], "big")
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and meta == {"width": width // 2} and width > 1200


@pytest.mark.slow
def test_pdfs_embed_editable_truetype_fonts_and_no_dates(tmp_path, record):
    (pdf,) = [
        p for p in figures.render("phase-timeline", record, out_dir=tmp_path, formats=["pdf"]) if p.suffix == ".pdf"
    ]
    data = pdf.read_bytes()
    assert b"/FontFile2" in data and b"/Type3" not in data and b"/CreationDate" not in data


@pytest.mark.slow
def test_render_writes_chart_data_and_alt_text_beside_the_images(tmp_path, record):
    paths = figures.render("map-captures", record, out_dir=tmp_path, formats=["svg"])
    assert [p.name for p in paths] == ["map-captures.svg", "map-captures.csv", "map-captures.txt"]
    csv = (tmp_path / "map-captures.csv").read_text()
    assert "event_ids" in csv.splitlines()[0] and "KO-0" in csv
    assert "Kachin State" in (tmp_path / "map-captures.txt").read_text()


def test_every_figure_builds_from_a_record_with_no_captures(record):
    # a legal record (a window or filter with nothing taken) draws empty charts rather than crashing
    quiet = record.filter(event_types=["attack", "strike", "other"])
    for key in figures.REGISTRY:
        fig = figures.build(key, quiet)
        assert fig.texts, key


def test_an_explorer_reuses_the_picture_only_of_an_unchanged_figure_of_the_same_record(minimal_record):
    key = "phase-timeline"
    fig = figures.build(key, minimal_record)
    _ = fig.axes[0].set_title("Changed by hand")  # changed after it was built: its picture is not the figure's
    fig._repr_png_()
    assert isinstance(figures.shown(key, minimal_record), figures.PublicationFigure)
    untouched, _ = figures.build(key, minimal_record)._repr_png_()
    assert figures.shown(key, minimal_record)._repr_png_()[0] == untouched


def test_a_figure_that_fails_in_a_worker_stops_the_render_with_its_error(tmp_path, minimal_record, monkeypatch):
    def broken(record):
        raise ValueError("cannot draw this")

    spec = figures.REGISTRY["phase-timeline"]
    monkeypatch.setitem(figures.REGISTRY, "phase-timeline", figures.FigureSpec(spec.key, spec.title, broken))
    with pytest.raises(ValueError, match="cannot draw this"):
        figures.render_all(minimal_record, keys=["phase-timeline", "actor-co-participation"], out_dir=tmp_path, jobs=2)


def test_a_figure_on_another_canvas_still_shows_as_png(minimal_record):
    from matplotlib.backend_bases import FigureCanvasBase

    fig = figures.build("phase-timeline", minimal_record)
    FigureCanvasBase(fig)  # e.g. moved to another backend: matplotlib writes the PNG itself
    data, meta = fig._repr_png_()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and meta["width"] > 0


def test_a_record_pandas_cannot_hash_still_builds_and_is_not_remembered(minimal_record):
    import dataclasses

    odd = dataclasses.replace(
        minimal_record, events=minimal_record.events.assign(extra=[[1]] * len(minimal_record.events))
    )
    fig = figures.build("phase-timeline", odd)
    assert fig._shown_as is None and isinstance(figures.shown("phase-timeline", odd), figures.PublicationFigure)


def test_map_leader_lines_end_at_their_labels_exactly_where_matplotlib_would_end_them(record):
    import numpy as np
    from matplotlib.patches import FancyArrowPatch

    fig = figures.build("map-captures", record)
    fig.canvas.draw()
    leaders = [p for ax in fig.axes for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(leaders) >= 5, "the map's town labels have leader lines"
    clipped = 0
    for leader in leaders:
        ours = leader.get_path().vertices
        leader.set_connectionstyle(leader.get_connectionstyle().connect)  # matplotlib's own clipping
        np.testing.assert_array_equal(ours, leader.get_path().vertices)
        label = leader.patchA
        leader.set_patchA(None)
        clipped += not np.array_equal(ours, leader.get_path().vertices)
        leader.set_patchA(label)
    assert clipped >= 5, "most leaders are cut short at their label"
