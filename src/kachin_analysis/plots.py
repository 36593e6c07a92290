"""Axes-level plot functions in seaborn's shape: ``plot_x(data, *, x, y, hue, ax=None, **kwargs) -> Axes``.

``data`` arrives already aggregated (see :mod:`kachin_analysis.aggregate`).
With no ``ax`` a new figure is made. These functions never save, show, add
titles or source lines, or touch global rcParams: that is the job of the
figure builders in :mod:`kachin_analysis.figures`.

Example
-------
>>> import pandas as pd
>>> from kachin_analysis.plots import plot_cumulative
>>> df = pd.DataFrame({"period": pd.to_datetime(["2024-03-04", "2024-03-11"]), "positions": [2, 5]})
>>> ax = plot_cumulative(df, x="period", y="positions")
>>> len(ax.lines)
1
"""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .style import GREY, SIDE_COLORS, SIDE_LABELS, category_palette

__all__ = [
    "plot_bars_over_time",
    "plot_basemap",
    "plot_claims",
    "plot_control_swimlane",
    "plot_cumulative",
    "plot_heatmap",
    "plot_map",
    "plot_markers",
    "plot_phase_bands",
    "plot_phase_timeline",
    "plot_scale_bar",
]


def _axes(ax: Axes | None, figsize=(7.2, 3.6)) -> Axes:
    if ax is None:
        import matplotlib.pyplot as plt  # only for a new figure; the figure builders never need pyplot

        _, ax = plt.subplots(figsize=figsize)
    return ax


def _date_axis(ax: Axes) -> None:
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def plot_cumulative(
    data: pd.DataFrame,
    *,
    x: str = "period",
    y: str = "positions",
    hue: str | None = None,
    ax: Axes | None = None,
    palette: dict | None = None,
    **kwargs,
) -> Axes:
    """Step line of a cumulative count (one line per ``hue`` level).

    >>> import pandas as pd
    >>> df = pd.DataFrame({"period": pd.to_datetime(["2024-03-04", "2024-03-11"]), "positions": [2, 5]})
    >>> plot_cumulative(df).lines[0].get_ydata().tolist()
    [2, 5]
    """
    ax = _axes(ax)
    kwargs.setdefault("linewidth", 1.6)
    if hue is None:
        kwargs.setdefault("color", SIDE_COLORS["resistance"])
        ax.step(data[x], data[y], where="post", **kwargs)
    else:
        for level, g in data.groupby(hue, observed=True, sort=False):
            color = (palette or {}).get(level)
            ax.step(g[x], g[y], where="post", label=str(level), color=color, **kwargs)
        ax.legend(title=hue)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("")
    ax.set_ylabel(y.replace("_", " "))
    _date_axis(ax)
    return ax


def plot_bars_over_time(
    data: pd.DataFrame,
    *,
    x: str = "period",
    y: str = "positions",
    hue: str | None = None,
    ax: Axes | None = None,
    width: float = 6.0,
    palette: dict | None = None,
    **kwargs,
) -> Axes:
    """Bars per period (stacked by ``hue``); ``width`` is in days.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"period": pd.to_datetime(["2024-03-04", "2024-03-11"]), "positions": [2, 0]})
    >>> len(plot_bars_over_time(df).patches)
    2
    """
    ax = _axes(ax)
    if hue is None:
        kwargs.setdefault("color", GREY)
        ax.bar(data[x], data[y], width=width, align="edge", linewidth=0, **kwargs)
    else:
        wide = data.pivot_table(index=x, columns=hue, values=y, aggfunc="sum", observed=True, fill_value=0)
        levels = list(wide.columns)
        colors = palette or category_palette([str(c) for c in levels])
        bottom = np.zeros(len(wide))
        for level in levels:
            ax.bar(
                wide.index,
                wide[level].to_numpy(),
                width=width,
                bottom=bottom,
                align="edge",
                color=colors.get(str(level), colors.get(level, GREY)),
                label=str(level),
                linewidth=0,
                **kwargs,
            )
            bottom += wide[level].to_numpy()
        ax.legend(title=None, ncols=min(3, len(levels)))
    ax.set_xlabel("")
    ax.set_ylabel(y.replace("_", " "))
    _date_axis(ax)
    return ax


def plot_phase_bands(
    data: pd.DataFrame,
    *,
    start: str = "start",
    end: str = "end",
    label: str | None = "phase_id",
    ax: Axes | None = None,
    until: pd.Timestamp | None = None,
    palette: dict | None = None,
    alpha: float = 0.12,
    **kwargs,
) -> Axes:
    """Shaded vertical bands, one per phase (ongoing phases run to ``until``).

    >>> import pandas as pd
    >>> ph = pd.DataFrame({"phase_id": ["a"], "start": pd.to_datetime(["2024-03-07"]), "end": pd.to_datetime(["2024-04-01"])})
    >>> len(plot_phase_bands(ph).patches)
    1
    """
    ax = _axes(ax)
    until = until if until is not None else pd.Timestamp.today().normalize()
    keys = [str(v) for v in data[label]] if label else [str(i) for i in range(len(data))]
    colors = palette or category_palette(keys)
    for key, row in zip(keys, data.itertuples(index=False)):
        s = getattr(row, start)
        e = getattr(row, end)
        e = until if pd.isna(e) else e
        ax.axvspan(s, e, color=colors[key], alpha=alpha, linewidth=0, **kwargs)
    return ax


def plot_markers(
    data: pd.DataFrame,
    *,
    x: str = "date",
    y: str | float = 0.0,
    label: str | None = None,
    ax: Axes | None = None,
    marker: str = "v",
    color: str = "#333333",
    **kwargs,
) -> Axes:
    """Markers at event dates (``y`` a column or a constant), optionally labelled.

    >>> import pandas as pd
    >>> ev = pd.DataFrame({"date": pd.to_datetime(["2024-04-23"]), "target": ["LIB 116"]})
    >>> len(plot_markers(ev, label="target").texts)
    1
    """
    ax = _axes(ax)
    ys = data[y] if isinstance(y, str) else np.full(len(data), y, dtype=float)
    ax.scatter(data[x], ys, marker=marker, color=color, s=kwargs.pop("s", 14), zorder=3, linewidths=0, **kwargs)
    if label:
        for xi, yi, text in zip(data[x], ys, data[label]):
            ax.annotate(
                str(text),
                (xi, yi),
                xytext=(0, 4),
                textcoords="offset points",
                rotation=90,
                fontsize=5,
                ha="center",
                va="bottom",
                color="#333333",
            )
    return ax


def plot_phase_timeline(
    data: pd.DataFrame,
    *,
    start: str = "start",
    end: str = "end",
    y: str = "name",
    hue: str | None = "phase_id",
    ax: Axes | None = None,
    until: pd.Timestamp | None = None,
    palette: dict | None = None,
    last: str = "last_event",
    first: str = "first_event",
    activity: pd.DataFrame | None = None,
    height: float = 0.5,
    **kwargs,
) -> Axes:
    """One row per phase: a band from its sourced start to its sourced end, or — with no sourced end — to
    its last recorded event (``last``), fading out over its final stretch so the open end shows.

    Events recorded before a phase's sourced start get a dotted lead-in from ``first``. ``activity``
    (``phase_id``/``hue``, ``period``, ``events``) draws the phase's weekly events as bars inside its band.
    Without a ``last`` column an open phase runs to ``until`` (default: today), faded.

    >>> import pandas as pd
    >>> ph = pd.DataFrame({"name": ["A", "B"], "phase_id": ["a", "b"], "start": pd.to_datetime(["2024-01-01", "2024-03-07"]),
    ...                    "end": pd.to_datetime(["2024-02-01", None])})
    >>> [t.get_text() for t in plot_phase_timeline(ph).get_yticklabels()]
    ['A', 'B']
    """
    import matplotlib.dates as mdates

    ax = _axes(ax)
    until = until if until is not None else pd.Timestamp.today().normalize()
    hue = hue if hue in data.columns else None
    levels = [str(v) for v in (data[hue] if hue else data[y])]
    colors = palette or category_palette(list(dict.fromkeys(levels)))
    half = height / 2
    peak = 1
    if activity is not None and len(activity):
        peak = max(int(activity["events"].max()), 1)
    for i, (level, row) in enumerate(zip(levels, data.itertuples(index=False))):
        s = pd.Timestamp(getattr(row, start))
        e = getattr(row, end)
        has_end = pd.notna(e)
        stop = pd.Timestamp(e) if has_end else pd.Timestamp(getattr(row, last, None) if last in data.columns else until)
        if pd.isna(stop):
            stop = s
        color = colors[level]
        x0, x1 = mdates.date2num(s), mdates.date2num(stop) + 1
        if has_end:
            ax.barh(i, x1 - x0, left=x0, height=height, color=color, alpha=0.28, linewidth=0, **kwargs)
            ax.plot([x1, x1], [i - half, i + half], color=color, linewidth=1.4, solid_capstyle="butt")
        else:
            fade_from = x0 + 0.8 * (x1 - x0)
            ax.barh(i, fade_from - x0, left=x0, height=height, color=color, alpha=0.28, linewidth=0, **kwargs)
            steps = 8
            width = (x1 - fade_from) / steps
            ax.broken_barh(
                [(fade_from + k * width, width) for k in range(steps)],
                (i - half, height),
                facecolors=[to_rgba(color, 0.28 * (1 - (k + 0.5) / steps)) for k in range(steps)],
                linewidth=0,
            )
        ax.plot([x0, x0], [i - half, i + half], color=color, linewidth=1.4, solid_capstyle="butt")
        f = getattr(row, first, None) if first in data.columns else None
        if f is not None and pd.notna(f) and pd.Timestamp(f) < s:
            ax.plot([mdates.date2num(pd.Timestamp(f)), x0], [i, i], color=color, linewidth=0.9, linestyle=(0, (1, 1.5)))
        if activity is not None and len(activity):
            key = activity.columns[0] if hue is None else hue
            a = activity[activity[key].astype(str) == level]
            if len(a):
                # every week with an event stays visible: a quarter of the band, plus the rest in proportion
                h = (0.25 + 0.75 * a["events"].to_numpy(dtype=float) / peak) * (height * 0.9)
                left = mdates.date2num(pd.to_datetime(a["period"]))
                # one collection of bars, not a patch per week (a patch each costs a limits update and a draw call)
                ax.add_collection(
                    PolyCollection(
                        [
                            ((x, i + half - v), (x + 6, i + half - v), (x + 6, i + half), (x, i + half))
                            for x, v in zip(left, h)
                        ],
                        facecolors=color,
                        linewidths=0,
                    )
                )
    ax.set_yticks(range(len(data)), [str(v) for v in data[y]])
    ax.set_ylim(len(data) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel("")
    ax.xaxis_date()
    _date_axis(ax)
    return ax


def plot_heatmap(
    data: pd.DataFrame,
    *,
    x: str | None = None,
    y: str | None = None,
    hue: str | None = None,
    ax: Axes | None = None,
    annot: bool = True,
    cmap: str = "Blues",
    **kwargs,
) -> Axes:
    """Heatmap of a wide matrix, or of a long frame pivoted as ``y`` × ``x`` with values ``hue``.

    Nullable integer frames are cast to float first (seaborn cannot draw them).

    >>> import pandas as pd
    >>> m = pd.DataFrame([[1, 0], [2, 3]], index=["KIA", "KPDF"], columns=["p1", "p2"], dtype="Int64")
    >>> len(plot_heatmap(m).texts)  # zero cells are left blank
    3
    """
    import seaborn as sns  # imported on use: only the heatmaps need it

    ax = _axes(ax)
    matrix = data
    if x is not None and y is not None and hue is not None:
        matrix = data.pivot_table(index=y, columns=x, values=hue, aggfunc="sum", observed=True, fill_value=0)
    matrix = matrix.astype("float64")
    annot_kws = kwargs.pop("annot_kws", {"fontsize": 6.2})
    sns.heatmap(
        matrix,
        ax=ax,
        annot=annot,
        fmt=".0f",
        cmap=cmap,
        linewidths=0.4,
        linecolor="white",
        cbar=kwargs.pop("cbar", False),
        annot_kws=annot_kws,
        mask=matrix == 0,
        **kwargs,
    )
    ax.set_xlabel(x or matrix.columns.name or "")
    ax.set_ylabel(y or matrix.index.name or "")
    ax.tick_params(length=0)
    ax.grid(False)
    return ax


def plot_control_swimlane(
    data: pd.DataFrame,
    *,
    y: str = "label",
    start: str = "start",
    end: str = "end",
    hue: str = "holder_side",
    ax: Axes | None = None,
    until: pd.Timestamp | None = None,
    palette: dict | None = None,
    order: list | None = None,
    **kwargs,
) -> Axes:
    """One lane per place, coloured by who held it from ``start`` to ``end`` (open intervals run to ``until``).

    >>> import pandas as pd
    >>> ct = pd.DataFrame({"label": ["Lweje", "Lweje"], "holder_side": ["resistance", "junta"],
    ...     "start": pd.to_datetime(["2024-04-01", "2024-06-01"]), "end": pd.to_datetime(["2024-06-01", None])})
    >>> len(plot_control_swimlane(ct, until=pd.Timestamp("2024-07-01")).patches)
    2
    """
    ax = _axes(ax)
    until = until if until is not None else pd.Timestamp.today().normalize()
    colors = palette or SIDE_COLORS
    lanes = order or list(dict.fromkeys(data[y].astype(str)))
    pos = {lane: i for i, lane in enumerate(lanes)}
    for row in data.itertuples(index=False):
        lane = str(getattr(row, y))
        if lane not in pos:
            continue
        s = getattr(row, start)
        e = getattr(row, end)
        e = until if pd.isna(e) else e
        ax.barh(
            pos[lane],
            max((e - s).days, 1),
            left=s,
            height=0.7,
            color=colors.get(str(getattr(row, hue)), GREY),
            linewidth=0,
            **kwargs,
        )
    ax.set_yticks(range(len(lanes)), lanes)
    ax.set_ylim(max(len(lanes), 1) - 0.5, -0.5)  # an empty chart still has one blank lane
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    levels = [lvl for lvl in colors if lvl in set(data[hue].astype(str))]
    ax.legend(
        handles=[Patch(color=colors[lvl], label=SIDE_LABELS.get(lvl, lvl.replace("_", " "))) for lvl in levels],
        loc="upper left",
        bbox_to_anchor=(0, -0.06),
        ncols=len(levels) or 1,
    )
    _date_axis(ax)
    return ax


def plot_claims(
    data: pd.DataFrame,
    *,
    x: str = "date",
    y: str = "value",
    hue: str | None = "claimant",
    ax: Axes | None = None,
    palette: dict | None = None,
    **kwargs,
) -> Axes:
    """Claims as points (hollow when the claim is a floor, ``value_precision`` ``at_least``).

    >>> import pandas as pd
    >>> cl = pd.DataFrame({"date": pd.to_datetime(["2024-04-24"]), "value": [80], "claimant": ["KIA"],
    ...                    "value_precision": ["at_least"]})
    >>> len(plot_claims(cl).collections)
    1
    """
    ax = _axes(ax)
    levels = list(dict.fromkeys(data[hue].fillna("independent tally").astype(str))) if hue else ["claim"]
    colors = palette or category_palette(levels)
    for level in levels:
        g = data if not hue else data[data[hue].fillna("independent tally").astype(str) == level]
        floor = (g.get("value_precision", pd.Series("exact", index=g.index)).astype(str) == "at_least").to_numpy()
        face = np.where(floor, "white", colors.get(level, GREY))
        ax.scatter(
            g[x],
            g[y],
            s=kwargs.get("s", 22),
            facecolors=face,
            edgecolors=colors.get(level, GREY),
            linewidths=1.0,
            zorder=4,
            label=f"{level} claim",
        )
    _date_axis(ax)
    return ax


def plot_map(
    data: pd.DataFrame,
    *,
    x: str = "longitude",
    y: str = "latitude",
    hue: str | None = "phase_id",
    size: str | None = "positions",
    style: str | None = "geo_precision",
    ax: Axes | None = None,
    borders=None,
    labels: pd.DataFrame | None = None,
    extent: tuple[float, float, float, float] | None = None,
    palette: dict | None = None,
    sizes: tuple[float, float] = (8, 90),
    legend: bool = True,
    **kwargs,
) -> Axes:
    """Events as points on a plain longitude/latitude map.

    ``style`` draws exact and settlement locations as filled circles,
    township-seat fallbacks as hollow squares and district-seat fallbacks as
    hollow diamonds, so precision stays visible.
    ``borders`` is a list of ``(name, [rings])`` from
    :func:`kachin_analysis.geo.country_borders`; ``labels`` a frame of towns
    (``name``, ``longitude``, ``latitude``) placed without overlapping.

    >>> import pandas as pd
    >>> ev = pd.DataFrame({"longitude": [97.2], "latitude": [24.3], "phase_id": ["bhamo"], "positions": [3],
    ...                    "geo_precision": ["settlement"]})
    >>> len(plot_map(ev, legend=False).collections)
    1
    """
    ax = _axes(ax, figsize=(5, 6))
    if borders:
        for name, rings in borders:
            for ring in rings:
                xs, ys = zip(*ring)
                ax.fill(
                    xs,
                    ys,
                    facecolor="white" if name == "Myanmar" else "#EBEBEB",
                    edgecolor="#8A8A8A",
                    linewidth=0.8 if name == "Myanmar" else 0.5,
                    zorder=0,
                )
    levels = list(dict.fromkeys(data[hue].astype(str))) if hue else ["events"]
    colors = palette or category_palette(levels)
    values = data[size].astype("float64").fillna(0) if size else pd.Series(1.0, index=data.index)
    vmax = max(float(values.max()) if len(values) else 1.0, 1.0)
    area = sizes[0] + (sizes[1] - sizes[0]) * np.sqrt(values / vmax)
    precision = data[style].astype(str).to_numpy() if style else np.full(len(data), "exact")
    township = precision == "township"
    district = precision == "district"
    for level in levels:
        m = (data[hue].astype(str) == level).to_numpy() if hue else np.ones(len(data), bool)
        c = colors.get(level, GREY)
        for mask, marker, face in (
            (m & ~township & ~district, "o", c),
            (m & township, "s", "none"),
            (m & district, "D", "none"),
        ):
            if mask.any():
                ax.scatter(
                    data.loc[mask, x],
                    data.loc[mask, y],
                    s=area[mask],
                    marker=marker,
                    facecolors=face,
                    edgecolors=c,
                    linewidths=0.7,
                    alpha=0.85,
                    zorder=3,
                )
    if labels is not None and len(labels):
        _label_without_collisions(ax, labels)
    if extent:
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
    ax.set_aspect(1 / np.cos(np.deg2rad(float(np.mean(ax.get_ylim())))))
    ax.grid(False)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(labelsize=5)
    if legend:
        handles = [
            Line2D([], [], marker="o", linestyle="", color=colors[lvl], label=lvl, markersize=4) for lvl in levels
        ]
        handles += [
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor=GREY,
                markeredgecolor=GREY,
                label="exact or settlement",
                markersize=4,
            ),
            Line2D(
                [],
                [],
                marker="s",
                linestyle="",
                markerfacecolor="none",
                markeredgecolor=GREY,
                label="at the township seat",
                markersize=4,
            ),
            Line2D(
                [],
                [],
                marker="D",
                linestyle="",
                markerfacecolor="none",
                markeredgecolor=GREY,
                label="at the district seat",
                markersize=3.5,
            ),
        ]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=5.5)
    return ax


def _label_without_collisions(ax: Axes, labels: pd.DataFrame) -> None:
    """Place town labels at the first of eight offsets whose box overlaps no label already placed."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # every canvas here is an Agg canvas
    placed: list = []
    offsets = [(4, 3), (4, -8), (-4, 3), (-4, -8), (0, 6), (0, -10), (8, 0), (-8, 0)]
    for row in labels.itertuples(index=False):
        ax.plot(row.longitude, row.latitude, marker=".", color="#333333", markersize=2.5, zorder=4)
        for dx, dy in offsets:
            t = ax.annotate(
                row.name,
                (row.longitude, row.latitude),
                xytext=(dx, dy),
                textcoords="offset points",
                fontsize=5.5,
                ha="left" if dx >= 0 else "right",
                color="#222222",
                zorder=5,
            )
            bb = t.get_window_extent(renderer).expanded(1.05, 1.1)
            if not any(bb.overlaps(p) for p in placed):
                placed.append(bb)
                break
            t.remove()


def plot_basemap(
    ax: Axes,
    extent: tuple[float, float, float, float],
    *,
    emphasis: str | None = "Kachin",
    rivers: bool = True,
    state_labels: dict | None = None,
    linewidth_scale: float = 1.0,
) -> Axes:
    """Neighbouring countries in grey, Myanmar's states and regions (``emphasis`` tinted), rivers in blue.

    Drawn beneath everything else (zorder < 1). ``state_labels`` maps a label to (lon, lat).

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(); _ = plot_basemap(ax, (95.2, 98.9, 22.6, 28.6)); plt.close(fig)
    """
    from matplotlib.collections import LineCollection

    from . import geo, style

    west, east, south, north = extent
    countries = geo.country_borders(extent) if (east - west) < 6 else geo.country_borders(extent, tolerance=0.03)
    others = [ring for name, rings in countries if name != "Myanmar" for ring in rings]
    ax.add_collection(PolyCollection(others, facecolors=style.NEIGHBOUR, edgecolors="none", zorder=0.1))
    states = geo.states()
    faces = [style.EMPHASIS_FILL if name == emphasis else style.LAND for name, rings in states for _ in rings]
    rings = [ring for _, rs in states for ring in rs]
    ax.add_collection(
        PolyCollection(
            rings,
            facecolors=faces,
            edgecolors="#9A9A9A",
            linewidths=0.45 * linewidth_scale,
            linestyles=(0, (3, 1.5)),
            zorder=0.2,
        )
    )
    if emphasis:
        focus = [ring for name, rs in states if name == emphasis for ring in rs]
        ax.add_collection(
            PolyCollection(
                focus, facecolors="none", edgecolors="#6E6E6E", linewidths=0.9 * linewidth_scale, zorder=0.35
            )
        )
    border = [ring for name, rings in countries if name == "Myanmar" for ring in rings]
    ax.add_collection(
        PolyCollection(border, facecolors="none", edgecolors="#4D4D4D", linewidths=0.9 * linewidth_scale, zorder=0.4)
    )
    if rivers:
        ax.add_collection(
            LineCollection(geo.rivers(), colors=style.WATER, linewidths=0.7 * linewidth_scale, zorder=0.3)
        )
    for label, (x, y) in (state_labels or {}).items():
        ax.text(x, y, label, ha="center", va="center", fontsize=6.5, color="#8A8A8A", fontstyle="italic", zorder=0.5)
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / np.cos(np.deg2rad((south + north) / 2)))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_linewidth(0.6)
        spine.set_color("#666666")
    return ax


def plot_scale_bar(ax: Axes, km: float = 50, *, loc: tuple[float, float] = (0.05, 0.04), fontsize: float = 6.5) -> Axes:
    """A scale bar of ``km`` kilometres at axes position ``loc`` (lower-left corner), true at its latitude.

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(); _ = ax.set_xlim(95, 99), ax.set_ylim(23, 28)
    >>> len(plot_scale_bar(ax).texts)
    1
    >>> plt.close(fig)
    """
    from . import geo

    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    lon = x0 + loc[0] * (x1 - x0)
    lat = y0 + loc[1] * (y1 - y0)
    length = km / geo.km_per_degree_lon(lat)
    tick = 0.006 * (y1 - y0)
    ax.plot([lon, lon + length], [lat, lat], color="#222222", linewidth=1.6, solid_capstyle="butt", zorder=6)
    for xx in (lon, lon + length / 2, lon + length):
        ax.plot([xx, xx], [lat - tick, lat + tick], color="#222222", linewidth=0.8, zorder=6)
    ax.text(
        lon + length / 2,
        lat + 2.2 * tick,
        f"{km:g} km",
        ha="center",
        va="bottom",
        fontsize=fontsize,
        color="#222222",
        zorder=6,
    )
    return ax
