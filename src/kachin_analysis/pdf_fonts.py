"""Fast, reproducible font embedding for editable (TrueType, Type 42) PDFs.

matplotlib subsets every font again for every PDF it writes, keeping the OpenType layout tables
(GSUB, GPOS, GDEF, kern) that a PDF never reads; that subsetting is most of the cost of writing a PDF.
While :func:`lean_subsets` is active, each font is instead subset once per process, without those
tables, to a fixed common character set (ASCII, Latin-1 signs, dashes and quotes, arrows, the few
math signs the figures use, and the f-ligatures that text shaping draws) plus any glyph a figure
uses beyond it; the subset is reused for every PDF that needs no more than that. Fonts stay
TrueType, embedded, editable and subset, and output is byte-identical from run to run.

Example
-------
>>> import io
>>> import matplotlib
>>> import matplotlib.figure
>>> fig = matplotlib.figure.Figure(); _ = fig.text(0.5, 0.5, "Bhamo")
>>> with lean_subsets(), matplotlib.rc_context({"pdf.fonttype": 42}):  # TrueType, as the house style sets
...     fig.savefig(io.BytesIO(), format="pdf", metadata={"CreationDate": None})
"""

from __future__ import annotations

import contextlib
import functools
import io

__all__ = ["COMMON_CHARACTERS", "lean_subsets"]

#: Code points every embedded font carries, whether or not a figure draws them.
COMMON_CHARACTERS = (
    *range(0x20, 0x7F),  # ASCII
    *range(0xA0, 0xC0),  # Latin-1 signs and punctuation (no accented letters: a figure that draws one gets its own)
    0xD7,  # multiplication sign
    *range(0x2010, 0x2027),  # dashes, quotes, bullets, ellipsis
    *range(0x2190, 0x2194),  # arrows
    0x2212,  # minus
    0x2248,  # almost equal to
    0x2260,  # not equal to
    0x2264,  # less than or equal
    0x2265,  # greater than or equal
    *range(0xFB00, 0xFB07),  # the ligatures text shaping substitutes (ff, fi, fl, ffi, ffl)
)
#: Tables dropped from the subset: FontForge and X11 leftovers, and the layout tables a PDF never reads.
_DROP = ["FFTM", "PfEd", "BDF", "meta", "GSUB", "GPOS", "GDEF", "kern", "JSTF", "BASE", "MATH"]


class _SavedFont:
    """Stands in for fontTools' TTFont where matplotlib only saves it to a file."""

    def __init__(self, data: bytes):
        self.data = data

    def save(self, file, reorderTables=True):
        file.write(self.data)


@functools.lru_cache(maxsize=16)
def _common_glyphs(path: str, face_index: int) -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    charmap = FT2Font(path, face_index=face_index).get_charmap()
    return frozenset(charmap[c] for c in COMMON_CHARACTERS if c in charmap)


@functools.lru_cache(maxsize=64)
def _subset(path: str, face_index: int, glyphs: frozenset[int]) -> tuple[bytes, dict[int, int]]:
    from fontTools import subset

    options = subset.Options(glyph_names=True, recommended_glyphs=True, layout_features=[])
    options.drop_tables += _DROP
    options.font_number = face_index
    font = subset.load_font(path, options)
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(gids=glyphs)
    subsetter.subset(font)
    buf = io.BytesIO()
    font.save(buf, reorderTables=False)
    font.close()
    return buf.getvalue(), dict(subsetter.glyph_index_map)


@contextlib.contextmanager
def lean_subsets():
    """While active, PDFs embed each font as a cached lean subset (see the module docstring).

    If matplotlib's private helper has changed shape, its own subsetting is used unchanged.
    """
    try:
        from matplotlib.backends import _backend_pdf_ps as pdf_ps

        original, results = pdf_ps.get_glyphs_subset, pdf_ps.SubsetResults
    except (ImportError, AttributeError):
        yield
        return

    def cached(fontfile, glyphs):
        path, face = str(fontfile), getattr(fontfile, "face_index", 0)
        data, index_map = _subset(path, face, _common_glyphs(path, face) | frozenset(glyphs))
        return contextlib.nullcontext(results(_SavedFont(data), index_map))

    pdf_ps.get_glyphs_subset = cached
    try:
        yield
    finally:
        pdf_ps.get_glyphs_subset = original
