"""Check a figure's layout as an editor would: overlapping text, text off the canvas, tiny type, raw keys.

:func:`check_layout` draws the figure once, records every text the renderer actually draws (tick labels
outside the view are not drawn and not checked) and returns a list of :class:`LayoutProblem`:

* ``overlap`` — two drawn texts whose glyph boxes intersect. Each text's box is the rectangle of its
  glyphs turned by its rotation, so rotated tick labels are compared as drawn, not by their upright
  bounding boxes.
* ``off-canvas`` — a text that reaches outside the saved canvas (the tight box when figures are saved
  with ``bbox_inches="tight"``, else the figure).
* ``too-small`` — type under :data:`kachin_analysis.style.MIN_FONT_SIZE` points at the figure's own
  (print) size.
* ``raw-id`` — a record identifier shown to the reader: a phase or place id, an actor id standing on
  its own, a metric or vocabulary value with an underscore.

Example
-------
>>> import matplotlib
>>> from matplotlib.figure import Figure
>>> fig = Figure(figsize=(3, 2)); ax = fig.subplots()
>>> _ = ax.text(0.5, 0.5, "Bhamo", fontsize=7); _ = ax.text(0.5, 0.5, "Momauk", fontsize=7)
>>> [p.kind for p in check_layout(fig) if p.kind == "overlap"]
['overlap']
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = ["LayoutProblem", "assert_layout", "check_layout", "drawn_texts", "record_identifiers"]

#: Two glyph boxes overlap when they share more than this area, in square points.
OVERLAP_TOLERANCE_PT2 = 0.5
#: Words of the schema's vocabularies and metrics that contain an underscore are keys, never prose.
_UNDERSCORE_WORD = re.compile(r"\b[a-z]+_[a-z_]+\b")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]*[A-Za-z0-9]|[A-Za-z0-9]")


@dataclass(frozen=True)
class LayoutProblem:
    kind: str
    text: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.text!r} — {self.detail}"


def record_identifiers(record) -> dict[str, set[str]]:
    """Identifiers from the record a reader must never see: ``phase``, ``place`` and ``actor`` ids,
    and metric names.

    >>> from kachin_analysis import load_record
    >>> ids = record_identifiers(load_record())
    >>> "ksr1-chipwi-pangwa" in ids["phase"], "positions_captured" in ids["metric"]
    (True, True)
    """
    ids = {
        "phase": {str(p) for p in record.phases["phase_id"]},
        "place": {str(p) for p in record.places["place_id"]},
        "actor": {str(a) for a in record.actors["actor_id"]},
        "metric": {str(m) for m in record.claims["metric"].astype(str).unique()},
    }
    names = dict(zip(record.actors["actor_id"].astype(str), record.actors["name"].astype(str)))
    ids["actor"] = {a for a in ids["actor"] if names.get(a, a) != a}
    return ids


def drawn_texts(fig, renderer=None):
    """Draw ``fig`` once and return ``(renderer, texts)``: every Text artist the renderer drew, in order."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if renderer is None:
        canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        renderer = canvas.get_renderer()
    from matplotlib.text import Text

    drawn: dict[int, object] = {}
    original = Text.draw

    def recording(self, rend):
        if self.get_visible() and self.get_text().strip():
            drawn.setdefault(id(self), self)
        return original(self, rend)

    Text.draw = recording  # type: ignore[method-assign]
    try:
        fig.draw(renderer)
    finally:
        Text.draw = original  # type: ignore[method-assign]
    return renderer, list(drawn.values())


def _glyph_box(text, renderer):
    """The text's glyph rectangle as drawn (turned by its rotation), as a shapely polygon in points."""
    from shapely.geometry import Polygon, box

    scale = 72.0 / text.figure.dpi
    outer = text.get_window_extent(renderer)
    angle = text.get_rotation() % 180
    if min(angle, 180 - angle) < 0.01 or abs(angle - 90) < 0.01:
        return box(outer.x0 * scale, outer.y0 * scale, outer.x1 * scale, outer.y1 * scale)
    rotation = text.get_rotation()
    text.set_rotation(0)
    try:
        upright = text.get_window_extent(renderer)
    finally:
        text.set_rotation(rotation)
    w, h = upright.width * scale, upright.height * scale
    cx, cy = (outer.x0 + outer.x1) / 2 * scale, (outer.y0 + outer.y1) / 2 * scale
    a = math.radians(rotation)
    ca, sa = math.cos(a), math.sin(a)
    corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    return Polygon([(cx + x * ca - y * sa, cy + x * sa + y * ca) for x, y in corners])


def _canvas_box(fig, renderer):
    import matplotlib as mpl
    from shapely.geometry import box

    if mpl.rcParams["savefig.bbox"] == "tight":
        bb = fig.get_tightbbox(renderer)
        pad = mpl.rcParams["savefig.pad_inches"]
        return box((bb.x0 - pad) * 72, (bb.y0 - pad) * 72, (bb.x1 + pad) * 72, (bb.y1 + pad) * 72)
    w, h = fig.get_size_inches()
    return box(0, 0, w * 72, h * 72)


def _raw_ids(s: str, identifiers: dict[str, set[str]]) -> list[str]:
    found = [m.group(0) for m in _UNDERSCORE_WORD.finditer(s)]
    slugs = identifiers.get("phase", set()) | identifiers.get("place", set()) | identifiers.get("metric", set())
    for token in _TOKEN.findall(s):
        if token in slugs and (("-" in token) or ("_" in token) or token.islower()):
            found.append(token)
    if s.strip() in identifiers.get("actor", set()):
        found.append(s.strip())
    return sorted(set(found))


def check_layout(
    fig,
    *,
    identifiers: dict[str, set[str]] | None = None,
    min_size: float | None = None,
    tolerance: float = OVERLAP_TOLERANCE_PT2,
) -> list[LayoutProblem]:
    """Every layout problem of ``fig`` (see the module docstring); an empty list when it is clean.

    ``identifiers`` comes from :func:`record_identifiers`; without it only underscore keys are caught.
    The figure is drawn once; call it inside the style it is saved with.

    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(3, 2)); _ = fig.text(0.1, 0.5, "battalion_hqs_captured", fontsize=5)
    >>> sorted(p.kind for p in check_layout(fig))
    ['raw-id', 'too-small']
    """
    from .style import MIN_FONT_SIZE

    min_size = MIN_FONT_SIZE if min_size is None else min_size
    identifiers = identifiers or {}
    renderer, texts = drawn_texts(fig)
    problems: list[LayoutProblem] = []
    canvas = _canvas_box(fig, renderer)
    boxes = []
    for t in texts:
        s = t.get_text()
        if t.get_fontsize() < min_size - 1e-9:
            problems.append(LayoutProblem("too-small", s, f"{t.get_fontsize():.1f} pt < {min_size} pt"))
        for key in _raw_ids(s, identifiers):
            problems.append(LayoutProblem("raw-id", s, f"shows the identifier {key!r}"))
        poly = _glyph_box(t, renderer)
        if not canvas.buffer(0.5).contains(poly):
            problems.append(LayoutProblem("off-canvas", s, "reaches outside the saved canvas"))
        boxes.append((t, poly))
    boxes.sort(key=lambda tp: tp[1].bounds[0])
    for i, (a, pa) in enumerate(boxes):
        _ax0, ay0, ax1, ay1 = pa.bounds
        for b, pb in boxes[i + 1 :]:
            bx0, by0, _bx1, by1 = pb.bounds
            if bx0 >= ax1:
                break
            if by0 >= ay1 or ay0 >= by1:
                continue
            area = pa.intersection(pb).area
            if area > tolerance:
                problems.append(LayoutProblem("overlap", a.get_text(), f"overlaps {b.get_text()!r} by {area:.1f} pt²"))
    return problems


def assert_layout(fig, **kwargs) -> None:
    """Raise ``AssertionError`` listing every problem :func:`check_layout` finds.

    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(3, 2)); _ = fig.text(0.1, 0.5, "Bhamo", fontsize=7)
    >>> assert_layout(fig)
    """
    problems = check_layout(fig, **kwargs)
    if problems:
        raise AssertionError(f"{len(problems)} layout problem(s):\n" + "\n".join(f"  {p}" for p in problems))
