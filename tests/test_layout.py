"""Every publication figure passes the layout check an editor would make (see kachin_analysis.layout):
no overlapping text (glyph boxes, rotated labels as drawn), nothing off the saved canvas, no type under
6 pt at print size, no record identifier shown to the reader."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import pytest
from matplotlib.figure import Figure

from kachin_analysis import figures, layout, style

KEYS = list(figures.REGISTRY)


@pytest.fixture(scope="module")
def identifiers(record):
    return layout.record_identifiers(record)


@pytest.mark.slow
@pytest.mark.parametrize("key", KEYS)
def test_figure_layout_is_clean(key, built_figure, identifiers):
    fig = built_figure(key)
    with style.context("paper"):
        problems = layout.check_layout(fig, identifiers=identifiers)
    assert problems == [], "\n".join(map(str, problems))


@pytest.mark.slow
@pytest.mark.parametrize("key", KEYS)
def test_figure_has_alt_text_and_chart_data(key, built_figure):
    fig = built_figure(key)
    assert len(fig.alt_text) > 80 and "{" not in fig.alt_text
    assert fig.chart_data is not None and len(fig.chart_data) > 0
    assert figures.chart_data_csv(fig).count(b"\n") == len(fig.chart_data) + 1


# --------------------------------------------------------------------------- the checker itself


def _fig():
    fig = Figure(figsize=(5, 4))
    ax = fig.subplots()
    ax.tick_params(labelsize=7)
    return fig, ax


def test_overlapping_texts_are_found():
    fig, ax = _fig()
    ax.text(0.5, 0.5, "Bhamo", fontsize=7)
    ax.text(0.52, 0.5, "Momauk", fontsize=7)
    assert [p.kind for p in layout.check_layout(fig)] == ["overlap"]


def test_rotated_labels_are_compared_as_drawn_not_by_their_bounding_boxes():
    fig, ax = _fig()
    # Two 45° labels side by side: their upright bounding boxes overlap, their glyph boxes do not.
    ax.text(0.30, 0.5, "Kachin Special Region", fontsize=7, rotation=45, ha="center", va="center")
    ax.text(0.45, 0.5, "Kachin Special Region", fontsize=7, rotation=45, ha="center", va="center")
    assert layout.check_layout(fig) == []
    # ... and a 45° label laid across a horizontal one is caught.
    ax.text(0.375, 0.5, "Operation 0307 and beyond", fontsize=7, ha="center", va="center")
    assert any(p.kind == "overlap" for p in layout.check_layout(fig))


def test_tick_labels_outside_the_view_are_not_checked_but_drawn_ones_are():
    fig, ax = _fig()
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 0.02, 5], ["first label", "second label", "never drawn"])
    kinds = [p.kind for p in layout.check_layout(fig)]
    assert kinds == ["overlap"]


def test_small_type_and_text_off_the_canvas_are_found(monkeypatch):
    fig, ax = _fig()
    ax.text(0.5, 0.5, "tiny", fontsize=5.5)
    with matplotlib.rc_context({"savefig.bbox": "standard"}):
        fig.text(0.95, 0.5, "runs off the right edge", fontsize=7)
        kinds = sorted(p.kind for p in layout.check_layout(fig))
    assert kinds == ["off-canvas", "too-small"]


def test_raw_identifiers_are_found(record, identifiers):
    fig, ax = _fig()
    ax.set_title("ksr1-chipwi-pangwa")
    ax.text(0.1, 0.8, "positions_captured", fontsize=7)
    ax.text(0.1, 0.5, "KPDF", fontsize=7)
    ax.text(0.1, 0.2, "Kachin Special Region 1 (KPDF)", fontsize=7)
    found = sorted(p.detail for p in layout.check_layout(fig, identifiers=identifiers) if p.kind == "raw-id")
    assert found == [
        "shows the identifier 'KPDF'",
        "shows the identifier 'ksr1-chipwi-pangwa'",
        "shows the identifier 'positions_captured'",
    ]
