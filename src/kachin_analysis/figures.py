"""The registry of publication figures: key → builder(record) → Figure, and reproducible rendering.

Each builder makes a complete figure — title, chart, source line — from the
record, inside the house style. :func:`render` writes it to SVG, PDF and PNG
atomically and byte-for-byte reproducibly. The CLI and the notebooks use the
same builders, so a notebook figure never drifts from the published one.

Example
-------
>>> from kachin_analysis import figures, load_record
>>> fig = figures.build("phase-timeline", load_record())
>>> fig.texts[0].get_text()
"The offensive's phases"
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import aggregate, geo, plots, style
from .files import atomic_write_bytes
from .load import Record
from .paths import figures_dir

__all__ = ["REGISTRY", "FigureSpec", "build", "inputs_digest", "is_current", "output_dir", "render", "render_all",
           "source_line"]


@dataclass(frozen=True)
class FigureSpec:
    key: str
    title: str
    builder: Callable[[Record], Figure]


REGISTRY: dict[str, FigureSpec] = {}


class PublicationFigure(Figure):
    """A figure that shows itself in Jupyter as the PNG the CLI would write (no pyplot needed)."""

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        with style.context("paper"):
            self.savefig(buf, format="png", dpi=100, metadata=_SAVE_METADATA["png"])
        return buf.getvalue()


def _figure(figsize, nrows: int = 1, ncols: int = 1, **kwargs):
    """A figure outside pyplot (nothing global to close, no double display in notebooks) with its axes."""
    fig = PublicationFigure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def _register(key: str, title: str):
    def deco(fn: Callable[[Record], Figure]) -> Callable[[Record], Figure]:
        REGISTRY[key] = FigureSpec(key, title, fn)
        return fn

    return deco


def source_line(record: Record, extra: str = "") -> str:
    """The line printed under every figure: what it is drawn from, to which date.

    >>> from kachin_analysis import load_record
    >>> source_line(load_record()).startswith("Source: kachin-analysis record")
    True
    """
    s = record.summary()
    text = (
        f"Source: kachin-analysis record ({s['events']} events from {s['sources']} cited pages, "
        f"{s.get('first_event', '')} to {s.get('last_event', '')})."
    )
    if extra:
        text += " " + extra
    return text


def _last_day(record: Record) -> pd.Timestamp:
    return record.events["date"].max()


def _phase_palette(record: Record) -> dict[str, str]:
    return style.category_palette([str(p) for p in record.phases["phase_id"]])


def _theatre_palette(record: Record) -> dict[str, str]:
    return style.category_palette(list(dict.fromkeys(record.phases["theatre"].astype(str))))


@_register("positions-captured-over-time", "Positions captured over time")
def fig_positions_over_time(record: Record) -> Figure:
    """Cumulative positions captured, weekly bars beneath, a strip of phase bands above, headquarters marked."""
    start, end = record.events["date"].min(), _last_day(record)
    weekly = aggregate.count_captures(record, measure="positions", freq="W", start=start, end=end)
    cum = weekly.assign(positions=weekly["positions"].cumsum())
    fig, (strip, top, bottom) = _figure(
        style.figsize("double-tall"), 3, 1, sharex=True,
        gridspec_kw={"height_ratios": [1.3, 3, 1.1], "hspace": 0.12},
    )
    plots.plot_phase_timeline(record.phases, y="name", hue="theatre", ax=strip, until=end, palette=_theatre_palette(record))
    strip.tick_params(axis="y", labelsize=5)
    for text in strip.texts:
        text.set_fontsize(4.5)
    plots.plot_cumulative(cum, x="period", y="positions", ax=top)
    ev = record.events
    hq = ev[(ev["event_type"] == "capture") & ev["target_type"].astype("string").isin(["battalion_hq", "command_hq"]).fillna(False)]
    hq_y = cum.set_index("period")["positions"].reindex(hq["date"].dt.to_period("W-SUN").dt.start_time).to_numpy()
    plots.plot_markers(hq.assign(y=hq_y), x="date", y="y", ax=top, marker="D", color=style.OKABE_ITO["vermillion"], s=10)
    top.set_ylabel("positions captured (cumulative)")
    inexact = int(weekly["inexact"].sum())
    top.text(0.01, 0.97, f"◆ week in which a battalion or command HQ was captured\n"
             f"{inexact} capture events give a floor, an estimate or no count: the line is a lower bound",
             transform=top.transAxes, va="top", fontsize=5.8, color="#333333")
    plots.plot_bars_over_time(weekly, x="period", y="positions", ax=bottom, width=6)
    bottom.set_ylabel("per week")
    style.add_title(fig, "Positions captured by the KIA and allies",
                    "Military positions that changed hands in itemised capture events; phases above, weekly counts below")
    style.add_source_line(fig, source_line(record, "Weeks run Monday–Sunday; events known only to the week or month sit at its first day."))
    return fig


@_register("captures-by-theatre-monthly", "Captures per month by theatre")
def fig_captures_by_theatre(record: Record) -> Figure:
    """Positions captured per month, stacked by the theatre of each event's phase."""
    monthly = aggregate.count_captures(record, measure="positions", freq="M", by="theatre",
                                       start=record.events["date"].min(), end=_last_day(record))
    fig, ax = _figure(style.figsize("double"))
    plots.plot_bars_over_time(monthly, x="period", y="positions", hue="theatre", ax=ax, width=26, palette=_theatre_palette(record))
    ax.set_ylabel("positions captured per month")
    ax.legend(loc="upper right", ncols=2, fontsize=5.5)
    style.add_title(fig, "Where the captures happened, month by month", "Positions captured per month, by theatre")
    style.add_source_line(fig, source_line(record))
    return fig


@_register("phase-timeline", "Offensive phases")
def fig_phase_timeline(record: Record) -> Figure:
    """Phases as bars from start to end (overlaps visible), town and command-HQ captures marked and named."""
    phases = record.phases
    fig, ax = _figure(style.figsize("double"))
    plots.plot_phase_timeline(phases, y="name", hue="theatre", ax=ax, until=_last_day(record), palette=_theatre_palette(record))
    ev = record.events
    key = ev[(ev["event_type"] == "capture") & ev["target_type"].astype("string").isin(["town", "command_hq"]).fillna(False)]
    names = dict(zip(record.places["place_id"].astype(str), record.places["name"].astype(str)))
    row_of = {p: i for i, p in enumerate(phases["phase_id"].astype(str))}
    key = key.assign(row=key["phase_id"].astype(str).map(row_of), label=key["place_id"].astype(str).map(names))
    key = key.drop_duplicates(["phase_id", "label"]).sort_values(["phase_id", "date"])
    ax.scatter(key["date"], key["row"], marker="|", s=40, color="#222222", zorder=4, linewidths=1)
    for phase_id, g in key.groupby(key["phase_id"].astype(str), sort=False):
        for i, r in enumerate(g.itertuples(index=False)):
            ax.annotate(r.label, (r.date, r.row), xytext=(1, 5 + 5 * (i % 3)), textcoords="offset points",
                        fontsize=4.4, ha="left", va="bottom", color="#222222", rotation=0)
    style.add_title(fig, "The offensive's phases",
                    "Each bar runs from a phase's sourced start to its end; ticks mark captured towns and command HQs")
    style.add_source_line(fig, source_line(record))
    return fig


@_register("actor-phase-heatmap", "Actor involvement by phase")
def fig_actor_heatmap(record: Record) -> Figure:
    """Events each actor took part in, per phase (attackers and defenders)."""
    ai = aggregate.actor_involvement(record)
    wide = ai.pivot_table(index="actor_id", columns="phase_id", values="events", aggfunc="sum", observed=True, fill_value=0)
    wide = wide.loc[wide.sum(axis=1) > 0]
    fig, ax = _figure(style.figsize("double"))
    plots.plot_heatmap(wide, ax=ax)
    ax.set_xlabel("phase")
    ax.set_ylabel("actor")
    ax.tick_params(axis="x", rotation=30, labelsize=5.5)
    style.add_title(fig, "Who fought where", "Events in which each actor took part (as attacker or defender), by phase")
    style.add_source_line(fig, source_line(record))
    return fig


@_register("actor-co-participation", "Co-participation of actors")
def fig_co_participation(record: Record) -> Figure:
    """Events in which two actors attacked together (diagonal: each actor's own attacking events)."""
    m = aggregate.co_participation(record, role="attacker")
    fig, ax = _figure(style.figsize("single-tall"))
    plots.plot_heatmap(m, ax=ax, cmap="Purples")
    ax.set_xlabel("")
    ax.set_ylabel("")
    style.add_title(fig, "Who fought alongside whom", "Events with both actors on the attacking side")
    style.add_source_line(fig, source_line(record), fontsize=4.5)
    return fig


def _control_lanes(record: Record) -> tuple[pd.DataFrame, list[str]]:
    """Lanes for towns (labelled by name) and for battalion or command headquarters (labelled by unit)."""
    names = dict(zip(record.places["place_id"].astype(str), record.places["name"].astype(str)))
    towns = aggregate.control_timeline(record, target_types=("town",))
    towns = towns.assign(label=towns["place_id"].map(names), group=0)
    hqs = aggregate.control_timeline(record, target_types=("battalion_hq", "command_hq"), by="unit")
    hqs = hqs.assign(label=hqs["unit"].astype(str) + " HQ", group=1)
    lanes = pd.concat([towns, hqs], ignore_index=True)
    order = list(lanes.sort_values(["group", "start"]).drop_duplicates("label")["label"])
    return lanes, order


@_register("control-swimlane", "Control of towns and headquarters over time")
def fig_control(record: Record) -> Figure:
    """One lane per town (above) and per junta battalion or command headquarters (below), coloured by holder."""
    lanes, order = _control_lanes(record)
    height = max(3.0, 0.11 * len(order) + 1.4)
    fig, ax = _figure((style.DOUBLE_COLUMN, height))
    plots.plot_control_swimlane(lanes, y="label", ax=ax, until=_last_day(record), order=order)
    ax.tick_params(axis="y", labelsize=4.8)
    n_towns = int((lanes.drop_duplicates("label")["group"] == 0).sum())
    if 0 < n_towns < len(order):
        ax.axhline(n_towns - 0.5, color="#333333", linewidth=0.5)
    style.add_title(fig, "Who held which towns and headquarters, and when",
                    "Towns above the line, junta battalion and command headquarters below; blank until the record reports a change of hands")
    style.add_source_line(fig, source_line(record, "Holder after each capture, recapture or withdrawal of the town or headquarters itself."))
    return fig


@_register("claims-vs-record", "Claims against the record")
def fig_claims(record: Record) -> Figure:
    """Claimed running totals as points against the record's cumulative itemised tallies."""
    cv = aggregate.claims_vs_record(record)
    metrics = [m for m in ("positions_captured", "battalion_hqs_captured", "towns_captured") if m in set(cv["metric"])]
    metrics = metrics or ["positions_captured"]
    fig, axes = _figure(style.figsize("double"), 1, len(metrics), squeeze=False)
    measure = {"positions_captured": "positions", "battalion_hqs_captured": "headquarters", "towns_captured": "towns"}
    end = _last_day(record)
    claimants = list(dict.fromkeys(cv["claimant"].fillna("independent tally").astype(str)))
    palette = style.actor_palette(claimants, dict(zip(record.actors["actor_id"].astype(str), record.actors["side"].astype(str))))
    palette["independent tally"] = style.GREY
    for ax, metric in zip(axes[0], metrics):
        series = aggregate.count_captures(record, measure=measure[metric], freq="D", cumulative=True,
                                          start=record.events["date"].min(), end=end)
        if metric == "battalion_hqs_captured":
            ev = record.events[record.events["target_type"].astype("string") == "battalion_hq"]
            series = aggregate.count_captures(ev, measure="events", freq="D", cumulative=True,
                                              start=record.events["date"].min(), end=end).rename(columns={"events": "headquarters"})
        plots.plot_cumulative(series, x="period", y=measure[metric], ax=ax, color=style.GREY, label="record (all phases)")
        plots.plot_claims(cv[cv["metric"] == metric], ax=ax, palette=palette)
        ax.set_title(metric.replace("_", " "), fontsize=7)
        ax.set_ylabel("")
    axes[0][0].legend(fontsize=5, loc="upper left")
    style.add_title(fig, "What the belligerents claim, against what the record itemises",
                    "Points: claimed running totals (hollow = 'more than'); line: the record's cumulative tally")
    style.add_source_line(fig, source_line(record, "Claims cover their own period and scope; see claims_vs_record() for like-for-like differences."))
    return fig


def _map_axes(ax, record: Record, events: pd.DataFrame, *, labels: bool = True, legend: bool = True):
    pts = events.merge(record.places[["place_id", "name", "longitude", "latitude", "geo_precision", "admin_status"]],
                       on="place_id", how="left", validate="many_to_one")
    pts = pts.assign(phase_id=pts["phase_id"].astype(str))
    extent = geo.THEATRE_EXTENT
    towns = record.places[record.places["admin_status"].astype(str).isin(["state_capital", "district_seat"])]
    towns = towns[towns["longitude"].between(extent[0], extent[1]) & towns["latitude"].between(extent[2], extent[3])]
    plots.plot_map(pts, hue="phase_id", size="positions", style="geo_precision", ax=ax, borders=geo.country_borders(extent),
                   labels=towns[["name", "longitude", "latitude"]] if labels else None, extent=extent,
                   palette=_phase_palette(record), legend=legend)
    for name, (x, y) in geo.country_label_points(extent).items():
        if name != "Myanmar":
            ax.text(x, y, name.upper(), ha="center", va="center", fontsize=6, color="#777777", zorder=1)
    return ax


@_register("map-captures", "Map of captures")
def fig_map(record: Record) -> Figure:
    """Captures placed on the map, coloured by phase, sized by positions; township-level places hollow."""
    ev = record.events[record.events["event_type"] == "capture"]
    fig, ax = _figure((style.DOUBLE_COLUMN * 0.8, 6.4))
    _map_axes(ax, record, ev)
    style.add_title(fig, "Where positions and towns were captured", "Filled: the site or its village; hollow squares and diamonds: placed at the township or district seat")
    style.add_source_line(fig, source_line(record, "Borders: Natural Earth 1:10m admin-0 (public domain)."))
    return fig


@_register("map-captures-by-half-year", "Map of captures by half-year")
def fig_map_small_multiples(record: Record) -> Figure:
    """The capture map in small multiples, one panel per half-year."""
    ev = record.events[record.events["event_type"] == "capture"]
    half = ev["date"].dt.year.astype(str) + " H" + ((ev["date"].dt.month > 6).astype(int) + 1).astype(str)
    panels = sorted(half.unique())
    ncols = min(3, max(1, len(panels)))
    nrows = -(-len(panels) // ncols)
    fig, axes = _figure((style.DOUBLE_COLUMN, 3.3 * nrows), nrows, ncols, squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for ax, panel in zip(axes.flat, panels):
        _map_axes(ax, record, ev[half == panel], labels=True, legend=False)
        ax.set_title(panel, fontsize=7)
    style.add_title(fig, "Captures by half-year", "Same encoding as the main map")
    style.add_source_line(fig, source_line(record, "Borders: Natural Earth 1:10m admin-0 (public domain)."))
    return fig


def build(key: str, record: Record) -> Figure:
    """Build the figure registered under ``key`` inside the house style.

    >>> from kachin_analysis import load_record
    >>> build("actor-co-participation", load_record()).get_size_inches()[0]
    np.float64(3.5)
    """
    if key not in REGISTRY:
        raise KeyError(f"no figure {key!r}; known: {', '.join(REGISTRY)}")
    with style.context("paper"):
        return REGISTRY[key].builder(record)


def output_dir(path: str | os.PathLike | None = None) -> Path:
    """Where figures are written (``figures/`` by default).

    >>> output_dir("x").name
    'x'
    """
    return figures_dir(path)


_SAVE_METADATA = {"svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None}, "png": {"Software": None}}


def render(key: str, record: Record, *, out_dir: str | os.PathLike | None = None,
           formats: tuple[str, ...] | list[str] = ("svg", "pdf", "png")) -> list[Path]:
    """Build one figure and write it atomically in each format; returns the paths written.

    Output is byte-identical across runs: fixed SVG hash salt, no dates in SVG
    or PDF metadata, no software tag in PNG.

    >>> import tempfile
    >>> from kachin_analysis import load_record
    >>> [p.suffix for p in render("phase-timeline", load_record(), out_dir=tempfile.mkdtemp(), formats=["svg"])]
    ['.svg']
    """
    out = output_dir(out_dir)
    fig = build(key, record)
    written = []
    with style.context("paper"):
        for fmt in formats:
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, metadata=_SAVE_METADATA[fmt])
            path = out / f"{key}.{fmt}"
            atomic_write_bytes(path, buf.getvalue())
            written.append(path)
    return written


# --------------------------------------------------------------------------- rendering many figures

MANIFEST = ".manifest.json"


def inputs_digest(data_folder: str | os.PathLike, formats) -> str:
    """Fingerprint of everything a render depends on: the record's files, this package's code, the plotting
    libraries' versions and the formats asked for. Same digest, same bytes.

    >>> from kachin_analysis.paths import data_dir
    >>> len(inputs_digest(data_dir(), ["svg"]))
    64
    """
    import hashlib
    from importlib.metadata import version

    h = hashlib.sha256()
    for path in sorted(Path(data_folder).glob("*.csv")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    for lib in ("matplotlib", "seaborn", "pandas", "numpy", "shapely", "pyshp"):
        h.update(f"{lib}={version(lib)};".encode())
    h.update(",".join(sorted(formats)).encode())
    return h.hexdigest()


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_manifest(out: Path) -> dict:
    from .files import read_json_object  # harden: a manifest that is not a JSON object is ignored, with a warning

    return read_json_object(out / MANIFEST)


def is_current(key: str, out: Path, digest: str, formats, manifest: dict | None = None) -> bool:
    """True when ``out`` holds this figure in every format, rendered from inputs with this digest, untouched since.

    ``manifest`` is the parsed ``.manifest.json`` when the caller already has it (read once for many keys).
    """
    entry = (_read_manifest(out) if manifest is None else manifest).get(key, {})
    if entry.get("inputs") != digest:
        return False
    files = entry.get("files", {})
    for fmt in formats:
        path = out / f"{key}.{fmt}"
        if not path.exists() or files.get(path.name) != _sha(path):
            return False
    return True


def _render_one(args):
    key, record, out, formats = args
    return key, [str(p) for p in render(key, record, out_dir=out, formats=formats)]


def render_all(record: Record, *, keys=None, out_dir=None, formats=("svg", "pdf", "png"), data_folder=None,
               force: bool = False, jobs: int = 1, progress=None) -> dict[str, list[Path] | None]:
    """Render many figures, skipping those already current (see :func:`is_current`) unless ``force``.

    ``jobs`` > 1 renders in that many worker processes (Linux; elsewhere one). ``progress`` is called as
    ``progress(i, n, key, paths_or_None, seconds)``. Returns key → paths written (``None`` when skipped).

    >>> import tempfile
    >>> from kachin_analysis import load_record
    >>> from kachin_analysis.paths import data_dir
    >>> out, rec = tempfile.mkdtemp(), load_record()
    >>> first = render_all(rec, keys=["phase-timeline"], out_dir=out, formats=["svg"], data_folder=data_dir())
    >>> render_all(rec, keys=["phase-timeline"], out_dir=out, formats=["svg"], data_folder=data_dir())
    {'phase-timeline': None}
    """
    import time

    out = output_dir(out_dir)
    keys = list(keys or REGISTRY)
    digest = inputs_digest(data_folder, formats) if data_folder is not None else None
    manifest = _read_manifest(out)
    todo = [k for k in keys if force or digest is None or not is_current(k, out, digest, formats, manifest)]
    result: dict[str, list[Path] | None] = {k: None for k in keys if k not in todo}
    done = 0
    for k in keys:
        if k not in todo and progress:
            done += 1
            progress(done, len(keys), k, None, 0.0)
    started = time.perf_counter()
    if jobs > 1 and len(todo) > 1 and sys.platform.startswith("linux"):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            for key, paths in pool.map(_render_one, [(k, record, out, tuple(formats)) for k in todo]):
                result[key] = [Path(p) for p in paths]
                done += 1
                if progress:
                    progress(done, len(keys), key, result[key], time.perf_counter() - started)
    else:
        for key in todo:
            t = time.perf_counter()
            result[key] = render(key, record, out_dir=out, formats=formats)
            done += 1
            if progress:
                progress(done, len(keys), key, result[key], time.perf_counter() - t)
    if digest is not None and todo:
        from .files import update_json_object  # harden: merged under a lock, so concurrent runs keep each other's entries

        update_json_object(out / MANIFEST, {key: {"inputs": digest, "files": {p.name: _sha(p) for p in result[key]}}
                                            for key in todo})
    return {k: result[k] for k in keys}
