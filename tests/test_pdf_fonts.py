"""Editable PDF fonts, subset once: the cached subset holds every glyph asked for, and none of the layout tables."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from matplotlib.backends import _backend_pdf_ps as pdf_ps
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font

from kachin_analysis import pdf_fonts

FONT = font_manager.findfont("DejaVu Sans")


def _subset(characters: str):
    charmap = FT2Font(FONT).get_charmap()
    glyphs = {charmap[ord(c)] for c in characters}
    with pdf_fonts.lean_subsets(), pdf_ps.get_glyphs_subset(font_manager.FontPath(FONT, 0), glyphs) as result:
        font = TTFont(pdf_ps.font_as_file(result.font))
    return glyphs, result.glyph_index_map, font


def test_a_glyph_beyond_the_common_set_is_still_embedded():
    glyphs, index_map, font = _subset("Café ≈ Bhamo")
    assert glyphs <= set(index_map)  # é is not in the common set, and is there
    assert len(font.getGlyphOrder()) == len(set(index_map.values()))


def test_subsets_carry_no_layout_tables_and_are_reused():
    _, _, font = _subset("Bhamo")
    assert not {"GSUB", "GPOS", "GDEF", "kern"} & set(font.keys())
    assert {"glyf", "cmap", "hmtx"} <= set(font.keys())
    before = pdf_fonts._subset.cache_info().hits
    _subset("Laiza")  # inside the common set: the same subset, not a new one
    assert pdf_fonts._subset.cache_info().hits == before + 1


def test_the_original_subsetter_is_restored():
    original = pdf_ps.get_glyphs_subset
    with pdf_fonts.lean_subsets():
        assert pdf_ps.get_glyphs_subset is not original
    assert pdf_ps.get_glyphs_subset is original


def test_a_pdf_written_with_lean_subsets_keeps_its_text():
    fig = Figure()
    fig.text(0.5, 0.5, "Café in Waingmaw")
    buf = io.BytesIO()
    with pdf_fonts.lean_subsets(), matplotlib.rc_context({"pdf.fonttype": 42}):
        fig.savefig(buf, format="pdf", metadata={"CreationDate": None})
    assert b"/FontFile2" in buf.getvalue() and b"/Type3" not in buf.getvalue()
