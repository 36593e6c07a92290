"""The house style: a reversible theme, fixed colour-blind-safe palettes, figure sizes, the source line.

Enter the theme with ``with style.context():`` — it leaves matplotlib's global
state exactly as it found it.

Example
-------
>>> import matplotlib
>>> from kachin_analysis import style
>>> before = matplotlib.rcParams["font.size"]
>>> with style.context("paper"):
...     inside = matplotlib.rcParams["font.size"]
>>> matplotlib.rcParams["font.size"] == before, inside
(True, 7.5)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

import matplotlib as mpl

# Okabe & Ito's colour-blind-safe set; every colour below comes from it or greys.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
GREY = "#8C8C8C"
LIGHT_GREY = "#D9D9D9"

#: Colour of each side, fixed for every figure.
SIDE_COLORS = {
    "resistance": OKABE_ITO["blue"],
    "junta": OKABE_ITO["vermillion"],
    "pro_junta": OKABE_ITO["orange"],
    "other": GREY,
    "contested": OKABE_ITO["purple"],
    "unknown": LIGHT_GREY,
}

#: Colour of each actor that the record names often; others fall back to their side's colour.
ACTOR_COLORS = {
    "KIA": OKABE_ITO["blue"],
    "KPDF": OKABE_ITO["sky"],
    "ABSDF": OKABE_ITO["green"],
    "PDF": OKABE_ITO["purple"],
    "AA": OKABE_ITO["yellow"],
    "TNLA": OKABE_ITO["black"],
    "MAF": OKABE_ITO["vermillion"],
    "MPF": "#A04000",
    "NDA-K": OKABE_ITO["orange"],
    "SNA": "#B07800",
    "PYUSAWHTI": "#7F4F00",
}

#: Widths in inches: one journal column (89 mm) and two columns (183 mm).
SINGLE_COLUMN = 3.5
DOUBLE_COLUMN = 7.2
SIZES = {
    "single": (SINGLE_COLUMN, 2.6),
    "single-tall": (SINGLE_COLUMN, 3.6),
    "double": (DOUBLE_COLUMN, 3.6),
    "double-tall": (DOUBLE_COLUMN, 5.4),
    "double-square": (DOUBLE_COLUMN, 7.0),
}

_BASE = {
    "font.family": "DejaVu Sans",
    "font.size": 7.5,
    "axes.titlesize": 8.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 7.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#333333",
    "axes.facecolor": "white",
    "figure.facecolor": "white",
    "xtick.direction": "out",
    "ytick.direction": "out",
    "xtick.major.size": 3,
    "ytick.major.size": 3,
    "axes.linewidth": 0.6,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#E5E5E5",
    "grid.linewidth": 0.5,
    "xtick.labelsize": 6.5,
    "ytick.labelsize": 6.5,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "legend.fontsize": 6.5,
    "legend.frameon": False,
    "legend.title_fontsize": 7,
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.05,
    # Reproducible vector output: fixed hash salt; text stays editable text in SVG, subset-embedded in PDF.
    "svg.hashsalt": "kachin-analysis",
    "svg.fonttype": "none",
    "pdf.fonttype": 3,
    "image.cmap": "Blues",
}
_CONTEXT_SCALE = {"paper": 1.0, "notebook": 1.35, "talk": 1.8}


def rc(kind: str = "paper") -> dict:
    """The house rcParams for ``paper``, ``notebook`` or ``talk``.

    >>> rc("talk")["font.size"] > rc("paper")["font.size"]
    True
    """
    if kind not in _CONTEXT_SCALE:
        raise ValueError(f"kind must be one of {', '.join(_CONTEXT_SCALE)}; got {kind!r}")
    scale = _CONTEXT_SCALE[kind]
    params = dict(_BASE)
    for key, value in _BASE.items():
        if key.endswith(("size",)) and isinstance(value, (int, float)):
            params[key] = round(value * scale, 2)
    return params


@contextlib.contextmanager
def context(kind: str = "paper") -> Iterator[None]:
    """Apply the house theme inside a ``with`` block; global state is restored afterwards.

    >>> with context("notebook"):
    ...     pass
    """
    with mpl.rc_context(rc(kind)):
        yield


def side_color(side: str) -> str:
    """Colour of a side (``resistance``, ``junta`` …).

    >>> side_color("junta")
    '#D55E00'
    """
    return SIDE_COLORS.get(side, GREY)


def actor_palette(actors: Iterable[str], sides: dict[str, str] | None = None) -> dict[str, str]:
    """Colour per actor: fixed for known actors, else their side's colour, else grey.

    >>> actor_palette(["KIA", "XYZ"], {"XYZ": "junta"})
    {'KIA': '#0072B2', 'XYZ': '#D55E00'}
    """
    sides = sides or {}
    return {a: ACTOR_COLORS.get(a, SIDE_COLORS.get(sides.get(a, ""), GREY)) for a in actors}


def category_palette(keys: Iterable[str]) -> dict[str, str]:
    """A stable colour-blind-safe colour per key (phases, theatres), in the keys' order.

    >>> list(category_palette(["a", "b"]).values())
    ['#0072B2', '#E69F00']
    """
    cycle = [OKABE_ITO[k] for k in ("blue", "orange", "green", "purple", "sky", "vermillion", "yellow", "black")]
    cycle += ["#6F6F6F", "#B5B5B5", "#3D6B8C", "#8C6D3D"]
    return {k: cycle[i % len(cycle)] for i, k in enumerate(keys)}


def figsize(name: str) -> tuple[float, float]:
    """Width and height in inches of a named size (``single``, ``double``, ``double-tall`` …).

    >>> figsize("single")[0]
    3.5
    """
    return SIZES[name]


def add_source_line(fig, text: str, *, fontsize: float = 5.5) -> None:
    """Write the source line along the bottom-left edge of ``fig``.

    >>> import matplotlib.pyplot as plt
    >>> fig = plt.figure(); add_source_line(fig, "Source: x"); plt.close(fig)
    """
    fig.text(0.0, -0.01, text, ha="left", va="top", fontsize=fontsize, color="#555555", transform=fig.transFigure)


def add_title(fig, title: str, subtitle: str | None = None) -> None:
    """Figure title and optional subtitle, left-aligned above the axes, with a fixed gap in inches.

    >>> import matplotlib.pyplot as plt
    >>> fig = plt.figure(); add_title(fig, "T", "s"); plt.close(fig)
    """
    height = fig.get_figheight()
    top_in = 0.12 + (0.42 if subtitle else 0.25)  # room kept above the axes, in inches
    fig.subplots_adjust(top=1 - top_in / height)
    fig.text(0.0, 1 - 0.04 / height, title, ha="left", va="top", fontsize=9, fontweight="bold", transform=fig.transFigure)
    if subtitle:
        fig.text(0.0, 1 - 0.24 / height, subtitle, ha="left", va="top", fontsize=6.8, color="#333333",
                 transform=fig.transFigure)
