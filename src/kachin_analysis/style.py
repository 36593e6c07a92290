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
import numpy as np
from matplotlib.ticker import Locator

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

#: Colour of each side, fixed for every figure. These hues are reserved for sides: no phase, theatre
#: or marker colour borrows them.
SIDE_COLORS = {
    "resistance": OKABE_ITO["blue"],
    "junta": OKABE_ITO["vermillion"],
    "pro_junta": OKABE_ITO["orange"],
    "other": GREY,
    "contested": OKABE_ITO["purple"],
    "unknown": LIGHT_GREY,
}
#: Readable name of each side, for legends.
SIDE_LABELS = {
    "resistance": "KIA and allies",
    "junta": "junta",
    "pro_junta": "pro-junta militias",
    "other": "other",
    "contested": "contested",
    "unknown": "unknown",
}
#: Who made a claim, in the words the claims figure uses, and its colour (a claimant is a side, or neutral).
CLAIMANT_COLORS = {
    "KIA": SIDE_COLORS["resistance"],
    "junta": SIDE_COLORS["junta"],
    "independent tally": "#222222",
}

#: Categorical palette for phases and theatres: Paul Tol's colour-blind-safe "muted" scheme (nine hues),
#: then his "light" scheme, none of them a side colour. Phases keep the same colour in every figure.
CATEGORICAL = [
    "#332288",  # indigo
    "#117733",  # green
    "#44AA99",  # teal
    "#88CCEE",  # cyan
    "#DDCC77",  # sand
    "#CC6677",  # rose
    "#AA4499",  # purple
    "#882255",  # wine
    "#999933",  # olive
    "#77AADD",
    "#EE8866",
    "#EEDD88",
    "#FFAABB",
    "#99DDFF",
    "#44BB99",
    "#BBCC33",
    "#AAAA00",
]
#: Neutral inks: text, the record's own tally, HQ markers, map furniture.
INK = "#222222"
MUTED_INK = "#555555"
RECORD_COLOR = "#222222"
HQ_MARKER_COLOR = "#222222"
WATER = "#6BAED6"
LAND = "#FFFFFF"
NEIGHBOUR = "#EFEFEF"
EMPHASIS_FILL = "#FBF7EC"

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

#: Smallest type on any figure, in points at print size.
MIN_FONT_SIZE = 6.0

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
    "axes.titlepad": 4,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "legend.fontsize": 6.5,
    "legend.frameon": False,
    "legend.title_fontsize": 7,
    "figure.dpi": 100,
    # PNG is the screen format: 200 dpi gives 1440 px across a 7.2 in figure (2x density at 720 CSS px).
    # Print uses the PDF or SVG, which are resolution-free.
    "savefig.dpi": 200,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.05,
    # Reproducible vector output: fixed hash salt; text stays editable text in SVG; PDF embeds TrueType
    # (Type 42) fonts that layout software can edit.
    "svg.hashsalt": "kachin-analysis",
    # Text measured and drawn unhinted on the raster canvas too, as the PDF and SVG writers always do: labels are
    # placed with the metrics the vector files use, and glyphs load ~8% faster (measured on a full render).
    "text.hinting": "no_hinting",
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
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
    """A stable colour-blind-safe colour per key (phases, theatres), in the keys' order; never a side colour.

    >>> list(category_palette(["a", "b"]).values())
    ['#332288', '#117733']
    >>> set(category_palette(range(17)).values()) & set(SIDE_COLORS.values())
    set()
    """
    keys = list(keys)
    if len(keys) > len(CATEGORICAL):
        raise ValueError(f"at most {len(CATEGORICAL)} categories have distinct colours; got {len(keys)}")
    return {k: CATEGORICAL[i] for i, k in enumerate(keys)}


def integer_axis(ax, axis: str = "y", *, headroom: float = 0.08, top: float | None = None) -> None:
    """Counts look like counts: integer ticks from a zero baseline, with headroom above ``top``
    (default: the axis's current upper limit).

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(); _ = ax.bar([0, 1], [2, 3]); integer_axis(ax)
    >>> float(ax.get_ylim()[0]), bool(ax.get_ylim()[1] > 3)
    (0.0, True)
    >>> plt.close(fig)
    """
    from matplotlib.ticker import MaxNLocator

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(integer=True, nbins="auto", min_n_ticks=3))
    lim = ax.get_ylim if axis == "y" else ax.get_xlim
    setter = ax.set_ylim if axis == "y" else ax.set_xlim
    hi = float(top) if top is not None else float(lim()[1])
    setter(0, max(hi * (1 + headroom), hi + 0.5, 1))


class _TicksInView(Locator):
    """Fixed tick positions, of which only those in the axis's view are returned (matplotlib makes a tick
    object for every position a locator returns, drawn or not)."""

    def __init__(self, positions):
        self.positions = np.asarray(positions, dtype=float)

    def __call__(self):
        assert self.axis is not None, "matplotlib sets the axis when the locator is attached"
        lo, hi = sorted(self.axis.get_view_interval())
        return self.positions[(self.positions >= lo) & (self.positions <= hi)]


def time_axis(ax, start, end, *, pad_days: float = 0) -> None:
    """A date axis that ends with the data: ``start`` to ``end`` (the record's last day), readable ticks.

    >>> import matplotlib.pyplot as plt, pandas as pd
    >>> fig, ax = plt.subplots(); time_axis(ax, pd.Timestamp("2024-01-01"), pd.Timestamp("2026-03-14"))
    >>> plt.close(fig)
    """
    import matplotlib.dates as mdates
    import pandas as pd

    lo = pd.Timestamp(start).normalize().replace(day=1) - pd.Timedelta(days=pad_days)  # ticks from the month's start
    hi = pd.Timestamp(end) + pd.Timedelta(days=pad_days)
    ax.set_xlim(lo, hi)
    span = (hi - lo).days
    # Ticks on the first of chosen months, listed once here: a MonthLocator would work them out again at every
    # draw and every save (~5% of a full render, measured). Two years either side keep them right if the
    # builder widens the axis later.
    firsts = pd.date_range(lo - pd.DateOffset(years=2), hi + pd.DateOffset(years=2), freq="MS")

    def months(which):
        return _TicksInView(mdates.date2num(firsts[firsts.month.isin(which)].to_pydatetime()))

    every = range(1, 13)
    if span > 500:
        ax.xaxis.set_major_locator(months((1, 4, 7, 10)))
        ax.xaxis.set_minor_locator(months(every))
    elif span > 120:
        ax.xaxis.set_major_locator(months(range(1, 13, 2)))
        ax.xaxis.set_minor_locator(months(every))
    else:
        ax.xaxis.set_major_locator(months(every))
    ax.xaxis.set_major_formatter(
        mdates.ConciseDateFormatter(
            ax.xaxis.get_major_locator(),
            show_offset=False,
            formats=["%Y", "%b", "%d", "%H:%M", "%H:%M", "%S.%f"],
            zero_formats=["", "%Y", "%b", "%d", "%H:%M", "%H:%M"],
        )
    )


def figsize(name: str) -> tuple[float, float]:
    """Width and height in inches of a named size (``single``, ``double``, ``double-tall`` …).

    >>> figsize("single")[0]
    3.5
    """
    return SIZES[name]


def add_source_line(fig, text: str, *, fontsize: float = 6.0, width_chars: int | None = None) -> None:
    """Write the source line under everything else drawn on ``fig`` (below tick labels, legends and notes),
    wrapped to the figure's width.

    The line is placed at draw time, so it never sits on the x tick labels whatever the layout.

    >>> import matplotlib.pyplot as plt
    >>> fig = plt.figure(); add_source_line(fig, "Source: x"); plt.close(fig)
    """
    import textwrap

    width = width_chars or int(fig.get_figwidth() * 72 / (fontsize * 0.52))
    wrapped = "\n".join(textwrap.wrap(text, width))
    t = fig.text(
        0.0,
        0.0,
        wrapped,
        ha="left",
        va="top",
        fontsize=fontsize,
        color=MUTED_INK,
        transform=fig.transFigure,
        linespacing=1.3,
    )
    t.set_gid("source-line")
    fig._kachin_source_line = t  # read by place_source_line


def place_source_line(fig, renderer=None, *, gap_pt: float = 6.0):
    """Move the source line just below the lowest other artist drawn (tick labels, legends, notes).

    Called by the figure builders once the figure is complete. Returns the figure's tight bounding box in
    inches, source line included (what ``fig.get_tightbbox`` would now measure again), or ``None`` when the
    figure has no source line.

    >>> import matplotlib.pyplot as plt
    >>> fig = plt.figure(); add_source_line(fig, "Source: x")
    >>> box = place_source_line(fig); bool(box.y0 < 0 < box.y1)
    True
    >>> plt.close(fig)
    """
    from matplotlib.transforms import Bbox

    t = getattr(fig, "_kachin_source_line", None)
    if t is None:
        return None
    renderer = renderer or fig.canvas.get_renderer()
    t.set_visible(False)
    rest = fig.get_tightbbox(renderer)  # inches from the figure's bottom-left corner
    t.set_visible(True)
    t.set_position((0.0, (rest.y0 - gap_pt / 72) / fig.get_figheight()))
    line = t.get_window_extent(renderer).transformed(fig.dpi_scale_trans.inverted())
    return Bbox.union([rest, line])


def add_title(fig, title: str, subtitle: str | None = None) -> None:
    """Figure title and optional subtitle, left-aligned above the axes, with a fixed gap in inches.

    >>> import matplotlib.pyplot as plt
    >>> fig = plt.figure(); add_title(fig, "T", "s"); plt.close(fig)
    """
    height = fig.get_figheight()
    top_in = 0.12 + (0.42 if subtitle else 0.25)  # room kept above the axes, in inches
    fig.subplots_adjust(top=1 - top_in / height)
    fig.text(
        0.0, 1 - 0.04 / height, title, ha="left", va="top", fontsize=9, fontweight="bold", transform=fig.transFigure
    )
    if subtitle:
        fig.text(
            0.0,
            1 - 0.24 / height,
            subtitle,
            ha="left",
            va="top",
            fontsize=7,
            color="#333333",
            transform=fig.transFigure,
        )
