"""The registry of publication figures: key → builder(record) → Figure, and reproducible rendering.

Each builder makes a complete figure — title, chart, source line — from the
record, inside the house style, and attaches the numbers it plots
(``fig.chart_data``) and its alt text (``fig.alt_text``, from the registry's
template). :func:`render` writes SVG, PDF and PNG atomically and byte-for-byte
reproducibly, plus ``KEY.csv`` (chart data) and ``KEY.txt`` (alt text). The CLI
and the notebooks use the same builders, so a notebook figure never drifts from
the published one.

Example
-------
>>> from kachin_analysis import figures, load_record
>>> fig = figures.build("phase-timeline", load_record())
>>> fig.texts[0].get_text()
'When each phase of the offensive was active'
"""

from __future__ import annotations

import io
import os
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.dates as mdates
import matplotlib.patches
import matplotlib.patheffects
import matplotlib.text
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from . import aggregate, geo, pdf_fonts, plots, style, workers
from .files import atomic_write_bytes, neutralise_cell
from .load import Record
from .paths import figures_dir

__all__ = [
    "REGISTRY",
    "FigureSpec",
    "build",
    "chart_data_csv",
    "inputs_digest",
    "is_current",
    "output_dir",
    "render",
    "render_all",
    "shown",
    "source_line",
]


@dataclass(frozen=True)
class FigureSpec:
    key: str
    title: str
    builder: Callable[[Record], Figure]
    #: Alt text for the figure; ``{name}`` fields are filled from the numbers the builder reports.
    alt: str = ""


REGISTRY: dict[str, FigureSpec] = {}
#: CSS pixels per inch of print size when a figure is shown in a notebook.
_SCREEN_PPI = 130


#: PNGs of publication figures shown in this process (a notebook's kernel), by figure key and record content
#: (:func:`_fingerprint`): :func:`shown` hands an explorer the picture just shown for the same figure of the same
#: record instead of drawing it again. Keyed by content, so a changed record is another key, and a figure changed
#: after it was built is never kept.
_SHOWN: dict[tuple[str, str], bytes] = {}
_SHOWN_KEEP = 16


class _ShownPNG:
    """A PNG rendered at 2x density, shown in Jupyter at screen size (see :class:`PublicationFigure`)."""

    def __init__(self, data: bytes):
        self.data = data

    def _repr_png_(self):
        width = int.from_bytes(self.data[16:20], "big")  # IHDR width
        return self.data, {"width": width // 2}


class PublicationFigure(Figure):
    """A figure that shows itself in Jupyter as a sharp PNG at screen size, without pyplot: rendered at 2×
    pixel density and shown at 130 CSS pixels per inch (6 pt print type reads as 11 px on screen)."""

    chart_data: pd.DataFrame | None = None
    alt_values: dict | None = None

    def _repr_png_(self):
        box = _built_box(self)
        data = _save(self, "png", bbox=box, dpi=2 * _SCREEN_PPI)
        shown_as = getattr(self, "_shown_as", None)
        if box is not None and shown_as is not None:  # drawn exactly as built: the picture of that key and record
            _SHOWN[shown_as] = data
            while len(_SHOWN) > _SHOWN_KEEP:
                _SHOWN.pop(next(iter(_SHOWN)))
        return _ShownPNG(data)._repr_png_()

    @property
    def alt_text(self) -> str:
        spec = REGISTRY.get(getattr(self, "key", ""), None)
        if spec is None or not spec.alt:
            return ""
        return spec.alt.format(**(self.alt_values or {}))


def _figure(figsize, nrows: int = 1, ncols: int = 1, **kwargs):
    """A figure outside pyplot (nothing global to close, no double display in notebooks) with its axes."""
    fig = PublicationFigure(figsize=figsize)
    FigureCanvasAgg(fig)
    if nrows == 0:
        return fig, None
    return fig, fig.subplots(nrows, ncols, **kwargs)


def _register(key: str, title: str, alt: str = ""):
    def deco(fn: Callable[[Record], Figure]) -> Callable[[Record], Figure]:
        REGISTRY[key] = FigureSpec(key, title, fn, alt)
        return fn

    return deco


def _date(d) -> str:
    d = pd.Timestamp(d)
    return f"{d.day} {d:%b %Y}"


def source_line(record: Record, extra: str = "") -> str:
    """The line printed under every figure: what it is drawn from, to which date, in a reader's words.

    >>> from kachin_analysis import load_record
    >>> source_line(load_record()).startswith("Source: kachin-analysis, an open record")
    True
    """
    s = record.summary()
    text = (
        f"Source: kachin-analysis, an open record of {s['events']} reported events cited to {s['sources']} news "
        f"pages and statements, {_date(s.get('first_event'))} to {_date(s.get('last_event'))}."
    )
    if extra:
        text += " " + extra
    return text


def _finish(
    fig: Figure,
    record: Record,
    *,
    title: str,
    subtitle: str | None,
    source_extra: str = "",
    data: pd.DataFrame | None = None,
    alt: dict | None = None,
) -> Figure:
    """Title, subtitle, the source line below everything else, chart data and alt-text numbers."""
    style.add_title(fig, title, subtitle)
    style.add_source_line(fig, source_line(record, source_extra))
    fig._box_when_built = style.place_source_line(fig)  # type: ignore[attr-defined]  # read by render()
    fig.chart_data = data  # type: ignore[attr-defined]  # every builder's figure is a PublicationFigure
    fig.alt_values = alt or {}  # type: ignore[attr-defined]
    return fig


def _last_day(record: Record) -> pd.Timestamp:
    return record.events["date"].max()


def _first_day(record: Record) -> pd.Timestamp:
    return record.events["date"].min()


def _phase_palette(record: Record) -> dict[str, str]:
    return style.category_palette([str(p) for p in record.phases["phase_id"]])


def _phase_names(record: Record) -> dict[str, str]:
    return dict(zip(record.phases["phase_id"].astype(str), record.phases["name"].astype(str)))


def _theatre_palette(record: Record) -> dict[str, str]:
    """A theatre takes the colour of its first phase, so phases and theatres agree across figures."""
    phases = _phase_palette(record)
    out: dict[str, str] = {}
    for pid, theatre in zip(record.phases["phase_id"].astype(str), record.phases["theatre"].astype(str)):
        out.setdefault(theatre, phases[pid])
    return out


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _actor_label(record: Record, actor_id: str, *, short: bool = False) -> str:
    names = dict(zip(record.actors["actor_id"].astype(str), record.actors["name"].astype(str)))
    name = names.get(actor_id, actor_id)
    return name if short or name == actor_id else f"{name} ({actor_id})"


# --------------------------------------------------------------------------- time series


def _phase_rows(record: Record) -> pd.DataFrame:
    spans = aggregate.phase_spans(record)
    return spans.sort_values(["start", "phase_id"], kind="stable").reset_index(drop=True)


@_register(
    "positions-captured-over-time",
    "Positions captured over time",
    alt=(
        "Step chart of military positions captured by the KIA and its allies from {first} to {last}, rising to "
        "{total} positions in itemised capture events, fastest in March–May 2024 during Operation 0307. Diamonds mark "
        "the {hqs} weeks in which a battalion or command headquarters fell. Weekly bars below peak at {peak} positions "
        "in one week. A strip above shows when each of the {phases} phases was active."
    ),
)
def fig_positions_over_time(record: Record) -> Figure:
    """Cumulative positions captured, weekly bars beneath, a strip of phases above, headquarters marked."""
    start, end = _first_day(record), _last_day(record)
    series = aggregate.capture_series(record, measure="positions", freq="W")
    hq = aggregate.hq_captures(record)
    spans = _phase_rows(record)
    activity = aggregate.phase_activity(record)
    fig, (strip, top, bottom) = _figure(
        (style.DOUBLE_COLUMN, 7.0),
        3,
        1,
        sharex=True,
        gridspec_kw={"height_ratios": [2.7, 3, 1.2], "hspace": 0.14},
    )
    fig.subplots_adjust(left=0.19, right=0.985)
    x_lo = min(spans["start"].min(), start)
    plots.plot_phase_timeline(
        spans, y="name", hue="phase_id", ax=strip, palette=_phase_palette(record), activity=activity, height=0.7
    )
    strip.set_yticks(range(len(spans)), [_wrap(n, 26) for n in spans["name"]])
    strip.tick_params(axis="y", labelsize=6.2)
    strip.set_title(
        "Phases (bars: sourced start to sourced end, or faded to the last recorded event; "
        "dark ticks: weeks with events, taller = more)",
        fontsize=6.5,
        fontweight="normal",
        loc="left",
    )
    plots.plot_cumulative(series, x="period", y="cumulative", ax=top, color=style.SIDE_COLORS["resistance"])
    cum_at = series.set_index("period")["cumulative"]
    hq_weeks = hq.drop_duplicates("period")
    top.scatter(
        hq_weeks["period"],
        cum_at.reindex(hq_weeks["period"]).to_numpy(),
        marker="D",
        s=12,
        color=style.HQ_MARKER_COLOR,
        zorder=4,
        linewidths=0,
    )
    top.set_ylabel("positions captured, cumulative")
    style.integer_axis(top, top=float(series["cumulative"].max()), headroom=0.12)
    inexact = int(series["inexact"].sum())
    top.legend(
        handles=[
            Line2D(
                [],
                [],
                color=style.SIDE_COLORS["resistance"],
                linewidth=1.6,
                label="positions captured by the KIA and allies",
            ),
            Line2D(
                [],
                [],
                marker="D",
                linestyle="",
                color=style.HQ_MARKER_COLOR,
                markersize=3.5,
                label="week in which a battalion or command HQ was captured",
            ),
        ],
        loc="upper left",
        fontsize=6.5,
    )
    top.text(
        0.99,
        0.04,
        f"{inexact} capture events give a floor, an estimate or no count:\nthe line is a lower bound",
        transform=top.transAxes,
        ha="right",
        va="bottom",
        fontsize=6.2,
        color=style.MUTED_INK,
    )
    plots.plot_bars_over_time(series, x="period", y="positions", ax=bottom, width=6, color="#7A7A7A")
    bottom.set_ylabel("per week")
    style.integer_axis(bottom, top=float(series["positions"].max()), headroom=0.15)
    for ax in (strip, top, bottom):
        style.time_axis(ax, x_lo, end)
    strip.tick_params(axis="x", labelbottom=False)
    top.tick_params(axis="x", labelbottom=False)
    hq_ids = hq.groupby("period")["event_id"].agg(";".join).to_dict()
    data = series.assign(hq_event_ids=[hq_ids.get(p, "") for p in series["period"]])
    peak = int(series["positions"].max())
    return _finish(
        fig,
        record,
        title="Positions captured by the KIA and allies",
        subtitle="Military positions that changed hands in itemised capture events, cumulative and per week",
        source_extra="Weeks run Monday to Sunday; events known only to the week or month sit at its first day.",
        data=data,
        alt={
            "first": _date(start),
            "last": _date(end),
            "total": int(series["cumulative"].iloc[-1]),
            "hqs": len(hq_weeks),
            "peak": peak,
            "phases": len(spans),
        },
    )


@_register(
    "captures-by-theatre-monthly",
    "Captures per month by theatre",
    alt=(
        "Stacked monthly bars of military positions captured from {first} to {last}, coloured by theatre "
        "({theatres}). The busiest month was {peak_month} with {peak} positions."
    ),
)
def fig_captures_by_theatre(record: Record) -> Figure:
    """Positions captured per month, stacked by the theatre of each event's phase."""
    end = _last_day(record)
    monthly = aggregate.count_captures(
        record, measure="positions", freq="M", by="theatre", start=_first_day(record), end=end
    )
    fig, ax = _figure(style.figsize("double"))
    palette = _theatre_palette(record)
    plots.plot_bars_over_time(monthly, x="period", y="positions", hue="theatre", ax=ax, width=26, palette=palette)
    ax.set_ylabel("positions captured per month")
    totals = monthly.groupby("period")["positions"].sum()
    style.integer_axis(ax, top=float(totals.max()), headroom=0.1)
    style.time_axis(ax, monthly["period"].min(), end + pd.Timedelta(days=1))
    present = [t for t in palette if t in set(monthly.loc[monthly["positions"] > 0, "theatre"].astype(str))]
    ax.legend(
        handles=[Patch(color=palette[t], label=t) for t in present],
        loc="upper right",
        ncols=2,
        fontsize=6.5,
        title="Theatre",
        title_fontsize=6.8,
        alignment="left",
    )
    peak_month = totals.idxmax()
    return _finish(
        fig,
        record,
        title="Where the captures happened, month by month",
        subtitle="Positions captured per month, by the theatre of each event's phase",
        data=monthly[monthly["positions"] > 0].reset_index(drop=True),
        alt={
            "first": _date(_first_day(record)),
            "last": _date(end),
            "theatres": ", ".join(present),
            "peak_month": f"{peak_month:%B %Y}",
            "peak": int(totals.max()),
        },
    )


def _place_row_labels(ax, renderer, items, *, row_offsets=(-0.42, 0.42), fontsize=6.0):
    """Label captures along each phase row: above the band, else below, else further right with a leader."""
    placed: dict[tuple[int, float], list[tuple[float, float]]] = {}
    inv = ax.transData.inverted()
    for it in items:
        x = mdates.date2num(it["date"])
        px = ax.transData.transform((x, it["row"]))[0]
        t = ax.text(x, it["row"], it["label"], fontsize=fontsize, ha="left", va="center", color=style.INK, zorder=5)
        w = t.get_window_extent(renderer).width
        done = False
        shift = 0.0
        while not done:
            for off in row_offsets:
                spans = placed.setdefault((it["row"], off), [])
                lo, hi = px + shift - 1.5, px + shift + w + 1.5
                if all(hi <= a or lo >= b for a, b in spans):
                    spans.append((lo, hi))
                    t.set_position((inv.transform((px + shift, 0))[0], it["row"] + off))
                    if shift:
                        ax.plot(
                            [x, inv.transform((px + shift, 0))[0]],
                            [it["row"] + off * 0.55, it["row"] + off],
                            color="#777777",
                            linewidth=0.4,
                            zorder=4,
                        )
                    done = True
                    break
            shift += 6.0


@_register(
    "phase-timeline",
    "Offensive phases",
    alt=(
        "Timeline of the {n} phases of the offensive. Each phase is a band from its sourced start; {ended} has a "
        "sourced end ({ended_dates}); the others fade out at their last recorded event, the latest on {last}. Dark "
        "bars inside each band count events per week. Small triangles mark the first capture of each town or "
        "command headquarters, named beside them: {towns}."
    ),
)
def fig_phase_timeline(record: Record) -> Figure:
    """Phases from sourced start to sourced end (or their last event, faded), weekly activity, key captures named."""
    spans = _phase_rows(record)
    activity = aggregate.phase_activity(record)
    keys = aggregate.key_captures(record)
    fig, ax = _figure((style.DOUBLE_COLUMN, 5.6))
    fig.subplots_adjust(left=0.27, right=0.985, bottom=0.1)
    plots.plot_phase_timeline(
        spans, y="name", hue="phase_id", ax=ax, palette=_phase_palette(record), activity=activity, height=0.4
    )
    ax.set_yticks(range(len(spans)), [_wrap(n, 30) for n in spans["name"]])
    ax.tick_params(axis="y", labelsize=6.5)
    start = min(spans["start"].min(), _first_day(record))
    style.time_axis(ax, start - pd.Timedelta(days=10), _last_day(record))
    row_of = {str(p): i for i, p in enumerate(spans["phase_id"].astype(str))}
    keys = keys.assign(row=keys["phase_id"].map(row_of))
    ax.scatter(keys["date"], keys["row"] - 0.2, marker="v", s=14, color=style.INK, zorder=6, linewidths=0)
    renderer = fig.canvas.get_renderer()
    items = [{"date": r.date, "row": r.row, "label": r.label} for r in keys.itertuples(index=False)]
    _place_row_labels(ax, renderer, items, row_offsets=(-0.36, 0.36))
    ax.legend(
        handles=[
            Line2D([], [], color="#777777", linewidth=1.4, label="sourced start / sourced end"),
            Patch(facecolor="#BBBBBB", label="no sourced end: faded to the last recorded event"),
            Line2D(
                [],
                [],
                color="#777777",
                linewidth=0.9,
                linestyle=(0, (1, 1.5)),
                label="events recorded before the sourced start",
            ),
            Patch(facecolor="#555555", label="weeks with events (taller = more)"),
            Line2D(
                [],
                [],
                marker="v",
                linestyle="",
                color=style.INK,
                markersize=4,
                label="first capture of a town or command HQ",
            ),
        ],
        loc="upper left",
        bbox_to_anchor=(-0.36, -0.06),
        ncols=3,
        fontsize=6.2,
    )
    ended = spans[spans["has_end"]]
    data = spans.merge(
        activity.groupby("phase_id", observed=True)["events"].sum().rename("events_recorded"),
        left_on="phase_id",
        right_index=True,
        how="left",
    )
    return _finish(
        fig,
        record,
        title="When each phase of the offensive was active",
        subtitle="From each phase's sourced start to its sourced end, or to its last recorded event; "
        "captured towns and command HQs named",
        data=pd.concat([data.assign(row_type="phase"), keys.assign(row_type="key capture")], ignore_index=True),
        alt={
            "n": len(spans),
            "ended": ", ".join(ended["name"]) or "none",
            "ended_dates": "; ".join(f"{_date(r.start)} to {_date(r.end)}" for r in ended.itertuples()),
            "last": _date(spans["drawn_end"].max()),
            "towns": ", ".join(keys["label"]),
        },
    )


# --------------------------------------------------------------------------- actors


@_register(
    "actor-phase-heatmap",
    "Actor involvement by phase",
    alt=(
        "Table-like heat map of how many recorded events each armed group took part in, as attacker or defender, in "
        "each of the {phases} phases. The Kachin Independence Army appears in every phase ({kia} events in all); the "
        "junta's Myanmar Armed Forces in {maf} events. Darker cells mean more events; empty cells mean none."
    ),
)
def fig_actor_heatmap(record: Record) -> Figure:
    """Events each actor took part in, per phase (attackers and defenders), actors and phases by name."""
    ai = aggregate.actor_involvement(record)
    wide = ai.pivot_table(
        index="actor_id", columns="phase_id", values="events", aggfunc="sum", observed=True, fill_value=0
    )
    wide = wide.loc[wide.sum(axis=1) > 0]
    phases = _phase_rows(record)
    cols = [p for p in phases["phase_id"].astype(str) if p in set(wide.columns.astype(str))]
    wide.columns = wide.columns.astype(str)
    wide = wide[cols]
    wide.index = wide.index.astype(str)
    names = _phase_names(record)
    labelled = wide.copy()
    labelled.index = [_actor_label(record, a) for a in wide.index]
    labelled.columns = [_wrap(names[c], 22) for c in cols]
    fig, ax = _figure((style.DOUBLE_COLUMN, 5.6))
    fig.subplots_adjust(left=0.43, right=0.99, bottom=0.2)
    plots.plot_heatmap(
        labelled, ax=ax, cmap="Blues", annot_kws={"fontsize": 6.2}, norm=matplotlib.colors.LogNorm(1, 100)
    )
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="x", labelsize=6.2, rotation=90, pad=2)
    ax.tick_params(axis="y", labelsize=6.5)
    long = wide.reset_index(names="actor_id").melt(id_vars="actor_id", var_name="phase_id", value_name="events")
    total = wide.sum(axis=1)
    return _finish(
        fig,
        record,
        title="Who fought where",
        subtitle="Events in which each armed group took part, as attacker or defender, by phase "
        "(darker = more; colour on a log scale)",
        source_extra="An event with several groups counts once for each of them.",
        data=long[long["events"] > 0].reset_index(drop=True),
        alt={"phases": len(cols), "kia": int(total.get("KIA", 0)), "maf": int(total.get("MAF", 0))},
    )


@_register(
    "actor-co-participation",
    "Co-participation of actors",
    alt=(
        "Triangular heat map of how often two armed groups attacked together in the same recorded event. The most "
        "frequent pair is {top_pair} ({top_n} events). Each group's own number of attacking events is given beside "
        "its name rather than on the diagonal; the Kachin Independence Army attacked in {kia} events."
    ),
)
def fig_co_participation(record: Record) -> Figure:
    """Events in which two actors attacked together; each actor's own count beside its name, not on the diagonal."""
    m = aggregate.co_participation(record, role="attacker")
    own = pd.Series(np.diag(m.to_numpy()), index=m.index.astype(str))
    keep = [a for a in m.index.astype(str) if (m.loc[a].sum() - m.loc[a, a]) > 0]
    m = m.loc[keep, keep]
    pairs = m.astype("float64").copy()
    mask = np.triu(np.ones(pairs.shape, dtype=bool))
    labelled = pairs.copy()
    labelled.index = [f"{_actor_label(record, a)} · {int(own[a])}" for a in keep]
    labelled.columns = [f"{_actor_label(record, a)} · {int(own[a])}" for a in keep]
    fig, ax = _figure((style.DOUBLE_COLUMN, 4.8))
    fig.subplots_adjust(left=0.36, right=0.98, top=0.84, bottom=0.08)
    plots.plot_heatmap(labelled.where(~mask, 0), ax=ax, cmap="Purples", annot_kws={"fontsize": 6.5})
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="y", labelsize=6.5)
    ax.tick_params(axis="x", labelsize=6.5, rotation=90)
    ax.set_xlim(0, len(keep) - 1)
    ax.set_ylim(len(keep), 1)
    ax.text(
        1.0,
        1.02,
        "number after a name: events in which\nthat group attacked, with or without others",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=6.2,
        color=style.MUTED_INK,
    )
    long = m.reset_index(names="actor_id").melt(id_vars="actor_id", var_name="with_actor_id", value_name="events")
    order = {a: i for i, a in enumerate(keep)}
    long = long[long["actor_id"].map(order) > long["with_actor_id"].map(order)]
    long = long[long["events"] > 0].sort_values("events", ascending=False).reset_index(drop=True)
    top = long.iloc[0] if len(long) else None
    return _finish(
        fig,
        record,
        title="Who fought alongside whom",
        subtitle="Events in which both groups were on the attacking side",
        data=pd.concat(
            [long, pd.DataFrame({"actor_id": keep, "with_actor_id": keep, "events": [int(own[a]) for a in keep]})],
            ignore_index=True,
        ),
        alt={
            "top_pair": (
                f"{_actor_label(record, top.actor_id, short=True)} with "
                f"{_actor_label(record, top.with_actor_id, short=True)}"
            )
            if top is not None
            else "none",
            "top_n": int(top.events) if top is not None else 0,
            "kia": int(own.get("KIA", 0)),
        },
    )


# --------------------------------------------------------------------------- control


@_register(
    "control-swimlane",
    "Control of towns and headquarters over time",
    alt=(
        "Swimlane chart with one lane for each of {towns} towns and {hqs} junta battalion or command headquarters "
        "that changed hands in the record, coloured by who held it after each capture, recapture or withdrawal "
        "(blue: the KIA and allies; vermillion: the junta). Lanes start blank until the record reports a change of hands "
        "and end on {last}."
    ),
)
def fig_control(record: Record) -> Figure:
    """One lane per town (above) and per junta battalion or command headquarters (below), coloured by holder."""
    lanes, order = aggregate.control_lanes(record)
    height = max(3.2, 0.115 * len(order) + 1.6)
    fig, ax = _figure((style.DOUBLE_COLUMN, height))
    fig.subplots_adjust(left=0.17, right=0.985)
    plots.plot_control_swimlane(lanes, y="label", ax=ax, until=_last_day(record), order=order)
    ax.tick_params(axis="y", labelsize=6.0, length=0, pad=2)
    n_towns = int((lanes.drop_duplicates("label")["group"] == 0).sum())
    if 0 < n_towns < len(order):
        ax.axhline(n_towns - 0.5, color="#333333", linewidth=0.5)
    style.time_axis(ax, _first_day(record), _last_day(record))
    leg = ax.get_legend()
    if leg is not None:
        leg.set_bbox_to_anchor((0, -0.04 * 40 / max(len(order), 1)))
        for t in leg.get_texts():
            t.set_fontsize(6.5)
    return _finish(
        fig,
        record,
        title="Who held which towns and headquarters, and when",
        subtitle="Towns above the line, junta battalion and command headquarters below; blank until "
        "the record reports a change of hands",
        source_extra="Holder after each capture, recapture or withdrawal of the town or headquarters itself.",
        data=lanes,
        alt={"towns": n_towns, "hqs": len(order) - n_towns, "last": _date(_last_day(record))},
    )


# --------------------------------------------------------------------------- claims


def _claim_row_label(r) -> str:
    if r.metric == "towns_held":
        return f"{_date(r.date)} (held on that day)"
    window = f" (counting from {_date(r.since)})" if pd.notna(r.since) else " (no start given)"
    return f"{_date(r.date)}{window}"


def _draw_claim_rows(ax, rows, color: dict) -> float:
    """Each claim's row: a grey line from the record's tally (a tick) to the claim (a dot, hollow for "at
    least", "≈" beside an approximate one). Ticks and dots are one collection each, not one per row.
    Returns the largest value drawn."""
    top = 0.0
    tallies: dict[str, list] = {"x": [], "y": [], "color": []}
    claimed: dict[str, list] = {"x": [], "y": [], "facecolors": [], "edgecolors": []}
    for i, (kind, _, r) in enumerate(rows):
        if kind == "header":
            continue
        c = color[r.claimant_type]
        # a claim the record cannot match (no start given, or counting from before the record) gets the
        # record's tally from its first day in grey: a floor, never a like-for-like number
        ax.plot(
            [r.record_value, r.value],
            [i, i],
            color="#BBBBBB",
            linewidth=1.0,
            zorder=1,
            linestyle="-" if r.comparable else ":",
        )
        for key, value in zip(tallies, (r.record_value, i, style.RECORD_COLOR if r.comparable else "#A0A0A0")):
            tallies[key].append(value)
        for key, value in zip(claimed, (r.value, i, "white" if r.value_precision == "at_least" else c, c)):
            claimed[key].append(value)
        if r.value_precision == "approximate":
            ax.annotate(
                "≈", (r.value, i), xytext=(4, 0), textcoords="offset points", va="center", fontsize=6.5, color=c
            )
        top = max(top, r.value, r.record_value)
    if tallies["x"]:
        ax.scatter(tallies["x"], tallies["y"], c=tallies["color"], marker="|", s=60, linewidths=1.6, zorder=3)
        ax.scatter(
            claimed["x"],
            claimed["y"],
            facecolors=claimed["facecolors"],
            edgecolors=claimed["edgecolors"],
            marker="o",
            s=26,
            linewidths=1.1,
            zorder=4,
        )
    return top


@_register(
    "claims-vs-record",
    "Claims against the record",
    alt=(
        "Dot chart of {n} claimed running totals, each beside the record's own itemised tally for the same thing, "
        "the same campaign and the same dates. Claims come from the KIA ({kia}) and from independent tallies by news "
        "outlets and monitors ({indep}). In {above} of the {n_cmp} claims with a like-for-like tally the claimed number is "
        "higher than the record's; where a claim's window starts before the record does (January 2024), the record's tally is a floor."
    ),
)
def fig_claims(record: Record) -> Figure:
    """Each claim (coloured by who made it) beside the record's tally for the same metric, scope and window.

    Data comes from one call, :func:`kachin_analysis.aggregate.claims_for_figure`, which wraps
    ``claims_vs_record``: when that returns richer per-claim tallies the figure follows.
    """
    cf = aggregate.claims_for_figure(record)
    cf = cf.assign(
        before_record=~cf["comparable"],
        group=cf["claimant_type"].map({t: i for i, t in enumerate(aggregate.CLAIMANT_TYPES)}),
    )
    metric_order = [
        "positions captured",
        "battalion HQs captured",
        "command HQs captured",
        "towns captured",
        "border gates captured",
        "positions retaken by the junta",
        "towns held",
    ]
    metrics = [m for m in metric_order if m in set(cf["metric_label"])]
    blocks = []
    for metric in metrics:
        sub = cf[cf["metric_label"] == metric].sort_values(["group", "scope", "date"], kind="stable")
        rows: list[tuple[str, str, Any]] = []
        for (ctype, scope), g in sub.groupby(["claimant_type", "scope_label"], sort=False):
            rows.append(
                (
                    "header",
                    f"{'Claimed by the KIA' if ctype == 'KIA' else 'Claimed by the junta' if ctype == 'junta' else 'Independent tally'}: {scope}",
                    None,
                )
            )
            rows += [("claim", _claim_row_label(r), r) for r in g.itertuples(index=False)]
        blocks.append((metric, rows))
    n_rows = [len(rows) for _, rows in blocks]
    row_h = 0.125
    height = 1.5 + row_h * sum(n_rows) + 0.35 * len(blocks)
    fig, axes = _figure(
        (style.DOUBLE_COLUMN, height),
        len(blocks),
        1,
        squeeze=False,
        gridspec_kw={"height_ratios": n_rows, "hspace": 0.1 + 0.5 / len(blocks)},
    )
    fig.subplots_adjust(left=0.4, right=0.97, bottom=0.6 / height + 0.02)
    color = style.CLAIMANT_COLORS
    for ax, (metric, rows) in zip(axes[:, 0], blocks):
        labels = [label for _, label, _ in rows]
        top = _draw_claim_rows(ax, rows, color)
        ax.set_yticks(range(len(rows)), labels)
        for tick, (kind, _, _) in zip(ax.get_yticklabels(), rows):
            if kind == "header":
                tick.set_fontweight("bold")
                tick.set_color(style.INK)
        ax.tick_params(axis="y", labelsize=6.2, length=0)
        ax.set_ylim(len(rows) - 0.5, -0.7)
        ax.grid(axis="x", visible=True)
        ax.grid(axis="y", visible=False)
        style.integer_axis(ax, "x", top=top, headroom=0.08)
        ax.set_title(metric[0].upper() + metric[1:], fontsize=7.5, loc="left", pad=3)
        ax.tick_params(axis="x", labelsize=6.5)
    fig.legend(
        handles=[
            Line2D([], [], marker="o", linestyle="", color=color["KIA"], markersize=4.5, label="claimed by the KIA"),
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                color=color["independent tally"],
                markersize=4.5,
                label="independent tally (news outlet or monitor)",
            ),
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor="white",
                markeredgecolor="#444444",
                markersize=4.5,
                label="hollow: 'more than' the number",
            ),
            Line2D(
                [],
                [],
                marker="|",
                linestyle="",
                color=style.RECORD_COLOR,
                markersize=7,
                markeredgewidth=1.6,
                label="this record's tally, same campaign and dates",
            ),
            Line2D(
                [],
                [],
                marker="|",
                linestyle="",
                color="#A0A0A0",
                markersize=7,
                markeredgewidth=1.6,
                label="not like for like (no start given, or counting from before 2024): the record's tally, a floor",
            ),
        ],
        loc="upper left",
        bbox_to_anchor=(0.0, (0.6 - 0.3) / height + 0.02),
        ncols=2,
        fontsize=6.5,
    )
    kia = int((cf["claimant_type"] == "KIA").sum())
    data = cf[
        [
            "claim_id",
            "date",
            "claimant_type",
            "metric",
            "scope",
            "scope_label",
            "since",
            "value",
            "value_precision",
            "record_value",
            "record_is_floor",
            "comparable",
            "why_not",
            "difference",
            "event_ids",
        ]
    ]
    return _finish(
        fig,
        record,
        title="Claims against the record, like for like",
        subtitle="Each claimed running total beside this record's itemised tally of the same thing, "
        "for the same campaign and the same dates",
        source_extra="Claims from the KIA's statements and from news outlets' and monitors' tallies "
        "(claims.csv); the record's tally counts its itemised events in the claim's window.",
        data=data.reset_index(drop=True),
        alt={
            "n": len(cf),
            "kia": kia,
            "indep": int((cf["claimant_type"] == "independent tally").sum()),
            "above": int(((cf["value"] > cf["record_value"]) & cf["comparable"]).sum()),
            "n_cmp": int(cf["comparable"].sum()),
        },
    )


# --------------------------------------------------------------------------- maps

_STATE_LABELS = {"KACHIN STATE": (96.95, 27.55), "SAGAING REGION": (95.72, 23.35), "SHAN STATE": (97.85, 22.85)}
_COUNTRY_LABELS = {"China": (98.62, 24.05), "India": (95.75, 27.95)}
_SIZE_KEY = (1, 5, 15)


def _size(captures, scale: float = 1.0):
    """Marker area (pt²) for a number of captures: area proportional to the count."""
    return scale * 12.0 * np.asarray(captures, dtype=float)


def _map_towns(record: Record, extent, *, max_rank: int = 3) -> pd.DataFrame:
    """Towns to name on a map, by importance: 1 state capital, 2 district seats, 3 township seats and key towns.

    Only places whose coordinates locate the town itself are used; towns the record does not place come from
    :data:`kachin_analysis.geo.REFERENCE_TOWNS`.
    """
    rank = {"state_capital": 1, "district_seat": 2, "township_seat": 3, "sub_township_seat": 4, "town": 3}
    key_towns = {"Laiza", "Lweje", "Hpakant", "Sadung"}
    pl = record.places
    ok = pl["geo_precision"].astype("string").isin(["exact", "settlement"]).fillna(False) & pl["longitude"].notna()
    ok &= pl["kind"].astype(str).isin(["city", "town"])
    towns = pl[ok].assign(rank=pl["admin_status"].astype(str).map(rank))
    towns = towns[(towns["admin_status"].astype(str) != "town") | towns["name"].isin(key_towns)]
    rows = [(r.name, r.longitude, r.latitude, int(r.rank)) for r in towns.itertuples(index=False) if pd.notna(r.rank)]
    rows += [(n, x, y, rk) for n, (x, y, rk) in geo.REFERENCE_TOWNS.items() if n not in set(towns["name"])]
    out = pd.DataFrame(rows, columns=["name", "longitude", "latitude", "rank"])
    west, east, south, north = extent
    out = out[out["longitude"].between(west, east) & out["latitude"].between(south, north) & (out["rank"] <= max_rank)]
    return out.sort_values(["rank", "name"]).reset_index(drop=True)


def _draw_points(ax, pts: pd.DataFrame, palette: dict, scale: float = 1.0):
    pts = pts.sort_values("captures", ascending=False)
    return ax.scatter(
        pts["longitude"],
        pts["latitude"],
        s=_size(pts["captures"], scale),
        c=[palette[str(p)] for p in pts["phase_id"]],
        edgecolors="white",
        linewidths=0.6,
        alpha=0.92,
        zorder=3,
    )


def _label_towns(ax, towns: pd.DataFrame, *, avoid=None, fontsize=6.5, adjust=True):
    from adjustText import adjust_text

    texts = []
    ax.scatter(
        towns["longitude"],
        towns["latitude"],
        s=[9 if r == 1 else 5 for r in towns["rank"]],
        marker="s",
        color=style.INK,
        zorder=5,
        linewidths=0,
    )
    for r in towns.itertuples(index=False):
        size = fontsize + (1.0 if r.rank == 1 else 0.0)
        texts.append(
            ax.text(
                r.longitude + 0.04,
                r.latitude + 0.03,
                r.name,
                fontsize=size,
                fontweight="bold" if r.rank <= 2 else "normal",
                color=style.INK,
                zorder=6,
                ha="left",
                va="bottom",
                path_effects=[matplotlib.patheffects.withStroke(linewidth=1.6, foreground="white")],
            )
        )
    if avoid is not None and len(avoid.get_offsets()) == 0:
        avoid = None  # a record with no captures leaves nothing to steer clear of
    if adjust and texts:
        _, leaders = adjust_text(
            texts,
            x=towns["longitude"].to_numpy(),
            y=towns["latitude"].to_numpy(),
            ax=ax,
            objects=avoid,
            expand=(1.15, 1.3),
            ensure_inside_axes=True,
            iter_lim=60,  # the labels settle within 60 rounds (same pixels as 300, a third of the time)
            arrowprops=dict(arrowstyle="-", color="#666666", linewidth=0.4),
        )
        for leader in leaders:
            leader.set_connectionstyle(_ClipAtLabelOnce(leader.get_connectionstyle()))
    return texts


class _ClipAtLabelOnce:
    """A leader line's connection style that measures the label it leaves from once per drawing.

    adjustText clips each leader at its label by handing matplotlib the label as ``patchA``; matplotlib then
    asks ``Text.contains`` at every step of a bisection, and each call lays the text out again (~3 ms a leader,
    a quarter of a second for a notebook's two maps). The label's box is the same at every step, so it is
    measured once, as ``Text.contains`` measures it, and the same line comes out.
    """

    def __init__(self, connect):
        self.connect = connect

    def __call__(self, posA, posB, shrinkA=2.0, shrinkB=2.0, patchA=None, patchB=None):
        if isinstance(patchA, matplotlib.text.Text):
            patchA = _MeasuredLabel(patchA)
        return self.connect(posA, posB, shrinkA=shrinkA, shrinkB=shrinkB, patchA=patchA, patchB=patchB)


class _MeasuredLabel:
    """A label's box on screen, measured once; answers ``contains`` as ``Text.contains`` would."""

    def __init__(self, text):
        self.box = matplotlib.text.Text.get_window_extent(text) if text.get_visible() else None

    def contains(self, point):
        box = self.box
        return box is not None and box.x0 <= point.x <= box.x1 and box.y0 <= point.y <= box.y1, {}


def _locator(fig, rect, extent):
    ax = fig.add_axes(rect)
    plots.plot_basemap(ax, geo.LOCATOR_EXTENT, rivers=False, linewidth_scale=0.5)
    west, east, south, north = extent
    ax.add_patch(
        matplotlib.patches.Rectangle(
            (west, south), east - west, north - south, fill=False, edgecolor=style.INK, linewidth=0.9, zorder=3
        )
    )
    ax.set_title(
        "Locator: Myanmar, Kachin State tinted;\nbox = main map",
        fontsize=6.2,
        fontweight="normal",
        loc="left",
        color=style.MUTED_INK,
    )
    return ax


def _phase_handles(palette: dict, names: dict, phases: list, *, markersize: float, width: int) -> list:
    """Legend entries for the maps' phase colours."""
    return [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor=palette[p],
            markeredgecolor="white",
            markersize=markersize,
            label=_wrap(names[p], width),
        )
        for p in phases
    ]


def _size_handles(scale: float) -> list:
    """Legend entries for the maps' size key (circles sized as ``_draw_points`` sizes them at ``scale``)."""
    return [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor="#9A9A9A",
            markeredgecolor="white",
            markersize=float(np.sqrt(_size(n, scale))),
            label=f"{n} capture{'s' if n > 1 else ''}",
        )
        for n in _SIZE_KEY
    ]


@_register(
    "map-captures",
    "Map of captures",
    alt=(
        "Map of northern Myanmar with its states and regions, Kachin State tinted, main rivers and towns named. "
        "Circles mark the {located_places} places where {located} captures are located to the site or its village, "
        "sized by the number of captures and coloured by phase; the largest is {top_place} ({top_n} captures). "
        "A further {imprecise} captures are known only to a township or district and are listed in a panel beside "
        "the map rather than drawn at the township seat. A scale bar and a locator map of Myanmar are included."
    ),
)
def fig_map(record: Record) -> Figure:
    """Captures per place on a map with states, rivers, named towns, scale and locator; imprecise places in a panel."""
    extent = geo.THEATRE_EXTENT
    pts = aggregate.capture_points(record)
    palette = _phase_palette(record)
    names = _phase_names(record)
    fig, _ = _figure((style.DOUBLE_COLUMN, 8.2), 0)
    ax = fig.add_axes([0.0, 0.035, 0.58, 0.86])
    plots.plot_basemap(ax, extent, state_labels=_STATE_LABELS)
    for label, (x, y) in _COUNTRY_LABELS.items():
        ax.text(x, y, label, ha="center", va="center", fontsize=8, color="#8A8A8A", zorder=0.5, fontweight="bold")
    for river, (x, y, rot) in geo.RIVER_LABELS.items():
        ax.text(
            x,
            y,
            river,
            ha="center",
            va="center",
            fontsize=6,
            fontstyle="italic",
            color="#3B7EA8",
            rotation=rot,
            rotation_mode="anchor",
            zorder=0.6,
        )
    located = pts[pts["located"]]
    sc = _draw_points(ax, located, palette)
    towns = _map_towns(record, extent)
    _label_towns(ax, towns, avoid=sc)
    plots.plot_scale_bar(ax, 50, loc=(0.05, 0.03))
    # locator, legend and the panel of captures known only to a township or district
    _locator(fig, [0.6, 0.7, 0.2, 0.19], extent)
    phases = [p for p in palette if p in set(pts["phase_id"].astype(str))]
    leg1 = fig.legend(
        handles=_phase_handles(palette, names, phases, markersize=5.5, width=34),
        loc="upper left",
        bbox_to_anchor=(0.595, 0.685),
        fontsize=6.3,
        title="Phase",
        title_fontsize=6.8,
        alignment="left",
        labelspacing=0.35,
        handletextpad=0.3,
    )
    size_handles = _size_handles(1.0)
    size_handles.append(Line2D([], [], marker="s", linestyle="", color=style.INK, markersize=2.5, label="town"))
    fig.legend(
        handles=size_handles,
        loc="upper left",
        bbox_to_anchor=(0.595, 0.455),
        fontsize=6.3,
        title="Captures at a place",
        title_fontsize=6.8,
        alignment="left",
        ncols=2,
        columnspacing=0.8,
        handletextpad=0.3,
        labelspacing=0.9,
        borderpad=0.2,
    )
    fig.add_artist(leg1)
    panel = fig.add_axes([0.605, 0.035, 0.39, 0.3])
    _imprecise_panel(panel, pts[~pts["located"]], palette)
    imprecise = pts[~pts["located"]]
    top = located.iloc[0] if len(located) else None
    return _finish(
        fig,
        record,
        title="Where positions and towns were captured",
        subtitle="Captures per place, by phase; places known only to a township or district are listed, "
        "not drawn on the township seat",
        source_extra=geo.MAP_CREDIT + " Town positions: encyclopedia articles and GeoNames.",
        data=pts.drop(columns=["kind"]),
        alt={
            "located_places": len(located),
            "located": int(located["captures"].sum()),
            "top_place": top["name"] if top is not None else "",
            "top_n": int(top["captures"]) if top is not None else 0,
            "imprecise": int(imprecise["captures"].sum()),
        },
    )


def _imprecise_panel(ax, pts: pd.DataFrame, palette: dict, *, scale: float = 1.0) -> None:
    """Captures known only to a township or district: one row per area, a hollow dashed square per phase."""
    pts = pts.assign(
        area_label=np.where(
            pts["area_label"].str.strip().isin(["", "District", "Township"]),
            pts["state"].astype(str) + " (no closer place)",
            pts["area_label"],
        )
    )
    per = pts.groupby(["area_label", "phase_id"], observed=True)["captures"].sum().reset_index()
    rows = per.groupby("area_label")["captures"].sum().sort_values(ascending=False, kind="stable")
    rows = rows.reset_index().sort_values(["captures", "area_label"], ascending=[False, True])
    n = len(rows)
    ax.set_xlim(0, 1)
    ax.set_ylim(n - 0.5, -3.0)
    ax.axis("off")
    ax.text(
        0,
        -2.9,
        "Known only to a township or district: not\nmapped, as the seat town is not where they happened",
        fontsize=6.5,
        fontweight="bold",
        va="top",
        ha="left",
        color=style.INK,
    )
    for i, r in enumerate(rows.itertuples(index=False)):
        x = 0.04
        for p in per[per["area_label"] == r.area_label].itertuples(index=False):
            ax.scatter(
                [x],
                [i],
                s=min(_size(p.captures, scale * 0.5), 36),
                marker="s",
                facecolors="none",
                edgecolors=palette[str(p.phase_id)],
                linewidths=1.0,
                linestyles=(0, (2, 1)),
            )
            x += 0.05
        ax.text(
            0.15,
            i,
            f"{r.area_label}: {r.captures} capture{'s' if r.captures != 1 else ''}",
            fontsize=6.2,
            va="center",
            ha="left",
            color=style.INK,
        )


@_register(
    "map-captures-by-half-year",
    "Map of captures by half-year",
    alt=(
        "Five small maps of northern Myanmar, one per half-year from {first} to {last}, each with circles at the places "
        "where captures happened in that half-year, sized by number and coloured by phase, as on the main map. Captures "
        "per half-year: {per_half}. Captures known only to a township or district are counted under each map."
    ),
)
def fig_map_small_multiples(record: Record) -> Figure:
    """The capture map in small multiples, one panel per half-year, with its own legend."""
    extent = geo.THEATRE_EXTENT
    ev = record.events[record.events["event_type"] == "capture"]
    half = aggregate.half_year(ev["date"])
    panels = [p for p in half.cat.categories if (half == p).any()]
    palette = _phase_palette(record)
    names = _phase_names(record)
    ncols = 3
    nrows = -(-(len(panels) + 1) // ncols)
    fig, axes = _figure(
        (style.DOUBLE_COLUMN, 3.55 * nrows + 0.2),
        nrows,
        ncols,
        squeeze=False,
        gridspec_kw={"wspace": 0.04, "hspace": 0.12},
    )
    fig.subplots_adjust(left=0.0, right=1.0, bottom=0.03)
    towns = _map_towns(record, extent, max_rank=2)
    towns = towns[towns["name"].isin(["Myitkyina", "Bhamo", "Putao", "Katha", "Chipwi", "Mohnyin"])]
    frames = []
    for ax, panel in zip(axes.flat, panels):
        pts = aggregate.capture_points(record, ev[(half == panel).to_numpy()])
        frames.append(pts.assign(half_year=panel))
        plots.plot_basemap(ax, extent, linewidth_scale=0.7)
        located = pts[pts["located"]]
        _draw_points(ax, located, palette, scale=0.8)
        for r in towns.itertuples(index=False):
            ax.scatter([r.longitude], [r.latitude], s=4, marker="s", color=style.INK, zorder=5, linewidths=0)
            ax.text(
                r.longitude + 0.06,
                r.latitude + 0.04,
                r.name,
                fontsize=6,
                color=style.INK,
                zorder=6,
                path_effects=[matplotlib.patheffects.withStroke(linewidth=1.4, foreground="white")],
            )
        n_all, n_imp = int(pts["captures"].sum()), int(pts.loc[~pts["located"], "captures"].sum())
        ax.set_title(f"{panel}: {n_all} captures", fontsize=7, loc="left", fontweight="bold")
        ax.text(
            0.03,
            0.975,
            f"+ {n_imp} known only to a\ntownship or district (not mapped)" if n_imp else "",
            transform=ax.transAxes,
            fontsize=6,
            va="top",
            ha="left",
            color=style.MUTED_INK,
            bbox=dict(facecolor="white", edgecolor="none", alpha=0.85, pad=1.5),
        )
        plots.plot_scale_bar(ax, 50, loc=(0.62, 0.03), fontsize=6)
    legend_ax = axes.flat[len(panels)]
    legend_ax.axis("off")
    for ax in axes.flat[len(panels) + 1 :]:
        ax.set_visible(False)
    phases = [p for p in palette if p in set(ev["phase_id"].astype(str))]
    leg = legend_ax.legend(
        handles=_phase_handles(palette, names, phases, markersize=5, width=30),
        loc="upper left",
        bbox_to_anchor=(0.02, 1.0),
        fontsize=6.2,
        title="Phase",
        title_fontsize=6.8,
        alignment="left",
        labelspacing=0.3,
        handletextpad=0.3,
    )
    legend_ax.add_artist(leg)
    legend_ax.legend(
        handles=_size_handles(0.8),
        loc="lower left",
        bbox_to_anchor=(0.02, 0.0),
        fontsize=6.2,
        title="Captures at a place",
        title_fontsize=6.8,
        alignment="left",
        ncols=3,
        columnspacing=0.6,
        handletextpad=0.2,
    )
    data = (
        pd.concat(frames, ignore_index=True) if frames else aggregate.capture_points(record, ev).assign(half_year=None)
    ).drop(columns=["kind"])
    per_half = data.groupby("half_year", observed=True, sort=False)["captures"].sum()
    return _finish(
        fig,
        record,
        title="Captures by half-year",
        subtitle="Captures per place in each half-year, coloured by phase; same encoding as the main map",
        source_extra=geo.MAP_CREDIT,
        data=data,
        alt={
            "first": panels[0] if panels else "none",
            "last": panels[-1] if panels else "none",
            "per_half": "; ".join(f"{k}: {int(v)}" for k, v in per_half.items()),
        },
    )


def build(key: str, record: Record) -> Figure:
    """Build the figure registered under ``key`` inside the house style.

    >>> from kachin_analysis import load_record
    >>> fig = build("actor-co-participation", load_record())
    >>> float(fig.get_size_inches()[0]), fig.alt_text.startswith("Triangular heat map")
    (7.2, True)
    """
    return _remembered_as(_build(key, record), key, _fingerprint(record))


def _remembered_as(fig: Figure, key: str, fingerprint: str | None) -> Figure:
    """``fig``, marked so that the picture it first shows is kept for ``key`` and that record content."""
    fig._shown_as = (key, fingerprint) if fingerprint else None  # type: ignore[attr-defined]  # read by _repr_png_
    return fig


def _build(key: str, record: Record) -> Figure:
    """:func:`build` without what only a notebook needs (the record's digest, to remember the picture shown)."""
    if key not in REGISTRY:
        raise KeyError(f"no figure {key!r}; known: {', '.join(REGISTRY)}")
    with style.context("paper"):
        fig = REGISTRY[key].builder(record)
    fig.key = key  # type: ignore[attr-defined]
    fig.stale = False  # as measured by the builder; any change from here on marks it stale again (see _built_box)
    return fig


def _fingerprint(record: Record) -> str | None:
    """A digest of the record's content: every table's columns, types and values (~4 ms); ``None`` when a cell
    cannot be hashed (a list, say), so that nothing is remembered for such a record.

    >>> from kachin_analysis import load_record
    >>> record = load_record()
    >>> _fingerprint(record) == _fingerprint(load_record()) != _fingerprint(record.filter(phases="bhamo"))
    True
    """
    import hashlib

    h = hashlib.sha256()
    for name, frame in record.tables.items():
        h.update(f"{name}:{list(frame.columns)}:{list(map(str, frame.dtypes))}".encode())
        try:
            h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
        except TypeError:
            return None
    return h.hexdigest()


def shown(key: str, record: Record):
    """What a notebook displays for figure ``key`` drawn from ``record``: the picture already shown in this
    process for the same figure of a record with the same content, if there is one (at once), else the figure,
    built (see :func:`build`). The explorers open with it.

    >>> from kachin_analysis import load_record
    >>> record = load_record()
    >>> fig = build("phase-timeline", record); first, _ = fig._repr_png_()
    >>> shown("phase-timeline", load_record())._repr_png_()[0] == first
    True
    >>> type(shown("phase-timeline", record.filter(phases="bhamo"))).__name__
    'PublicationFigure'
    """
    fingerprint = _fingerprint(record)
    data = _SHOWN.get((key, fingerprint)) if fingerprint else None
    return _ShownPNG(data) if data is not None else _remembered_as(_build(key, record), key, fingerprint)


def _built_box(fig: Figure):
    """The tight box (padded, inches) the builder measured, if nothing has changed the figure since: matplotlib
    marks a figure stale whenever any of its artists changes. Otherwise ``None`` (measure again).

    >>> from kachin_analysis import load_record
    >>> fig = build("phase-timeline", load_record())
    >>> _built_box(fig) is not None
    True
    >>> _ = fig.axes[0].set_title("Changed"); _built_box(fig) is None
    True
    """
    built = getattr(fig, "_box_when_built", None)
    if built is None or fig.stale:
        return None
    return built.padded(style.rc("paper")["savefig.pad_inches"])


def chart_data_csv(fig) -> bytes:
    """The numbers a figure plots, as CSV bytes (dates as ISO days, cells a spreadsheet would run neutralised).

    >>> from kachin_analysis import load_record
    >>> chart_data_csv(build("phase-timeline", load_record())).splitlines()[0].startswith(b"phase_id,")
    True
    """
    data = getattr(fig, "chart_data", None)
    if data is None:
        return b""
    frame = data.copy()
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = frame[col].dt.strftime("%Y-%m-%d")
        elif frame[col].dtype == object or isinstance(frame[col].dtype, (pd.StringDtype, pd.CategoricalDtype)):
            frame[col] = frame[col].map(lambda v: neutralise_cell(v) if isinstance(v, str) else v)
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def output_dir(path: str | os.PathLike | None = None) -> Path:
    """Where figures are written (``figures/`` by default).

    >>> output_dir("x").name
    'x'
    """
    return figures_dir(path)


#: PNGs are deflated at level 3, which writes files as small as the default level 6 in a third of the time
#: (measured on these figures).
_PNG_COMPRESSION = 3
#: savefig options per format: no dates or software tags (byte-identical output).
_SAVE_OPTIONS: dict[str, dict[str, Any]] = {
    "svg": {"metadata": {"Date": None}},
    "pdf": {"metadata": {"CreationDate": None, "ModDate": None}},
    "png": {"metadata": {"Software": None}, "pil_kwargs": {"compress_level": _PNG_COMPRESSION}},
}


def _tight_box(fig: Figure):
    """The figure's tight bounding box with the house padding, in inches: measured once and handed to every
    save (a "tight" save would draw the whole figure an extra time to find it)."""
    with style.context("paper"):
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # an Agg canvas
        return fig.get_tightbbox(renderer).padded(matplotlib.rcParams["savefig.pad_inches"])


def _save(fig: Figure, fmt: str, bbox=None, **kwargs) -> bytes:
    """The figure in one format, as bytes, cropped to ``bbox`` (default: its tight box); ``kwargs`` go to
    ``savefig`` (``dpi``)."""
    bbox = bbox or _tight_box(fig)
    if fmt == "png":
        return _png(fig, bbox, **kwargs)
    buf = io.BytesIO()
    with style.context("paper"), pdf_fonts.lean_subsets():
        fig.savefig(buf, format=fmt, bbox_inches=bbox, **_SAVE_OPTIONS[fmt], **kwargs)
    return buf.getvalue()


def _png(fig: Figure, bbox, dpi: float | None = None) -> bytes:
    """The figure as PNG. matplotlib always writes RGBA; when every pixel is opaque, as in the house figures,
    the alpha channel is left out: the same picture, ~10% smaller and quicker to compress (measured)."""
    from PIL import Image

    with style.context("paper"):
        dpi = dpi or matplotlib.rcParams["savefig.dpi"]
        raw = io.BytesIO()
        fig.savefig(raw, format="rgba", bbox_inches=bbox, dpi=dpi)
    renderer = getattr(fig.canvas, "renderer", None)  # the Agg renderer that just drew: its size is the image's
    width, height = (int(renderer.width), int(renderer.height)) if renderer is not None else (0, 0)
    if width * height * 4 != raw.getbuffer().nbytes:  # another canvas drew it: let matplotlib write the PNG
        buf = io.BytesIO()
        with style.context("paper"):
            fig.savefig(buf, format="png", bbox_inches=bbox, dpi=dpi, **_SAVE_OPTIONS["png"])
        return buf.getvalue()
    image = Image.frombuffer("RGBA", (width, height), raw.getvalue(), "raw", "RGBA", 0, 1)
    if image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="png", dpi=(dpi, dpi), compress_level=_PNG_COMPRESSION)
    return out.getvalue()


def render(
    key: str,
    record: Record,
    *,
    out_dir: str | os.PathLike | None = None,
    formats: tuple[str, ...] | list[str] = ("svg", "pdf", "png"),
) -> list[Path]:
    """Build one figure and write it atomically in each format; returns the paths written.

    Beside the images it writes ``KEY.csv`` (the numbers plotted, with event ids where rows are events)
    and ``KEY.txt`` (the alt text). Output is byte-identical across runs: fixed SVG hash salt, no dates in
    SVG or PDF metadata, no software tag in PNG; PDFs embed TrueType (Type 42) fonts, subset without the
    layout tables (GSUB/GPOS/kern) that a PDF never reads. PNGs are for screens: 200 dpi, 1440 px across a
    7.2 in figure; print uses the PDF or SVG.

    >>> import tempfile
    >>> from kachin_analysis import load_record
    >>> [p.suffix for p in render("phase-timeline", load_record(), out_dir=tempfile.mkdtemp(), formats=["svg"])]
    ['.svg', '.csv', '.txt']
    """
    out = output_dir(out_dir)
    fig = _build(key, record)  # written to files, never shown: no digest needed
    written = []
    bbox = _built_box(fig) or _tight_box(fig)  # the builder measured the finished figure: no second walk
    for fmt in formats:
        path = out / f"{key}.{fmt}"
        atomic_write_bytes(path, _save(fig, fmt, bbox))
        written.append(path)
    atomic_write_bytes(out / f"{key}.csv", chart_data_csv(fig))
    alt_text: str = fig.alt_text  # type: ignore[attr-defined]  # a PublicationFigure
    atomic_write_bytes(out / f"{key}.txt", (alt_text.strip() + "\n").encode("utf-8"))
    written += [out / f"{key}.csv", out / f"{key}.txt"]
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
    for pattern in ("*.py", "*.geojson", "*.json"):
        for path in sorted(Path(__file__).parent.rglob(pattern)):
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    for lib in ("matplotlib", "seaborn", "pandas", "numpy", "shapely", "pyshp", "adjustText", "scipy"):
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
    for fmt in [*formats, "csv", "txt"]:
        path = out / f"{key}.{fmt}"
        if not path.exists() or files.get(path.name) != _sha(path):
            return False
    return True


#: Seconds a worker takes to render each figure in three formats, once its shared setup is done (measured on
#: the 2-core reference machine; figures not listed count as 0.5). Only the split between workers uses them.
_COST = {
    "map-captures": 0.75,
    "claims-vs-record": 0.7,
    "map-captures-by-half-year": 0.65,
    "positions-captured-over-time": 0.5,
    "control-swimlane": 0.4,
    "actor-phase-heatmap": 0.35,
    "phase-timeline": 0.3,
    "captures-by-theatre-monthly": 0.3,
    "actor-co-participation": 0.25,
}
#: One-off work some figures share in a process, with its cost in seconds: the maps import adjustText (with
#: pyplot and part of scipy) and read their layers; the heatmaps import seaborn. Figures that share such work
#: go to the same worker, so it is paid once, not in every worker nor before the workers start.
_SHARED_SETUP = {"maps": 0.25, "heatmaps": 0.35}
_NEEDS = {
    "map-captures": "maps",
    "map-captures-by-half-year": "maps",
    "actor-phase-heatmap": "heatmaps",
    "actor-co-participation": "heatmaps",
}


def _split(keys, jobs: int) -> list[list[str]]:
    """Share ``keys`` among at most ``jobs`` workers so they finish together: figures with a shared setup stay
    together, and the biggest pieces go first to the least loaded worker.

    >>> _split(["map-captures", "phase-timeline", "map-captures-by-half-year", "captures-by-theatre-monthly"], 2)
    [['map-captures', 'map-captures-by-half-year'], ['phase-timeline', 'captures-by-theatre-monthly']]
    """
    pieces: dict[str, list[str]] = {}
    for key in keys:
        pieces.setdefault(_NEEDS.get(key, key), []).append(key)

    def cost(piece: str) -> float:
        return _SHARED_SETUP.get(piece, 0.0) + sum(_COST.get(k, 0.5) for k in pieces[piece])

    groups: list[list[str]] = [[] for _ in range(max(1, jobs))]
    load = [0.0] * len(groups)
    for piece in sorted(pieces, key=cost, reverse=True):
        i = load.index(min(load))
        groups[i] += pieces[piece]
        load[i] += cost(piece)
    return [g for g in groups if g]


#: The record a forked worker renders from, and the queue it reports finished figures on: set before the
#: workers fork, so they are inherited, never pickled.
_WORKER_RECORD: Record | None = None
_PROGRESS: Any = None


def _warm_up() -> None:
    """Do once, before forking, what every worker needs: the PDF and SVG writers, and the fonts loaded and
    subset for PDF (cached in :mod:`kachin_analysis.pdf_fonts`). Work only some figures need (map layers,
    seaborn) is left to the worker that draws them; see :data:`_SHARED_SETUP`."""
    import fontTools.subset  # noqa: F401
    import matplotlib.backends.backend_pdf
    import matplotlib.backends.backend_svg  # noqa: F401

    with style.context("paper"):
        fig, _ = _figure((1, 1), nrows=0)
        fig.text(0.5, 0.5, "Ag", weight="bold")
        fig.text(0.5, 0.2, "Ag")
        fig.text(0.5, 0.8, "Ag", style="italic")  # the maps' region names
        _save(fig, "pdf")


def _import_seaborn_for_heatmaps() -> None:
    """In a figure worker: import seaborn as if scipy.stats were not installed.

    seaborn imports scipy.stats (half a second, more than the rest of seaborn) only to pick its kernel density
    estimator; without it, seaborn uses its own copy, a set-up it supports. The publication figures draw no
    densities, and a worker only draws figures, so its heatmaps come out byte for byte the same either way
    (tests/test_figures.py compares a worker's render with one in the test process). scipy.stats is
    importable again straight after.
    """
    workers.import_without("seaborn", "scipy.stats")


def _render_group(args) -> None:
    """In a worker: render each figure of a group in turn, reporting each one to the parent as it is written."""
    import gc

    keys, out, formats = args
    assert _WORKER_RECORD is not None and _PROGRESS is not None, "render_all sets both before the workers fork"
    if any(_NEEDS.get(key) == "heatmaps" for key in keys):
        _import_seaborn_for_heatmaps()
    # The collector would keep scanning every module object as figures are drawn (~6% of the time, measured).
    # A worker lives for one group of figures, so it does without: the few figures' cycles it keeps cost
    # less memory (tens of MB) than collecting them costs time.
    gc.freeze()
    gc.disable()
    for key in keys:
        _PROGRESS.put((key, [str(p) for p in render(key, _WORKER_RECORD, out_dir=out, formats=formats)]))


def _render_in_workers(record: Record, keys: list[str], out: Path, formats: tuple, jobs: int, finished) -> None:
    """Render ``keys`` in up to ``jobs`` forked workers (see :func:`_split`), calling ``finished(key, paths)``
    in this process as each figure is written; a worker's error is raised here."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _WORKER_RECORD, _PROGRESS
    _warm_up()
    groups = _split(keys, jobs)
    fork = multiprocessing.get_context("fork")
    _WORKER_RECORD, _PROGRESS = record, fork.Queue()
    try:
        pool = ProcessPoolExecutor(max_workers=len(groups), mp_context=fork)
        futures = [pool.submit(_render_group, (group, out, formats)) for group in groups]  # forks the workers
        reports = _PROGRESS
    finally:
        _WORKER_RECORD = _PROGRESS = None
    with pool:
        for key, paths in workers.reports(reports, futures, len(keys)):
            finished(key, [Path(p) for p in paths])


def render_all(
    record: Record,
    *,
    keys=None,
    out_dir=None,
    formats=("svg", "pdf", "png"),
    data_folder=None,
    force: bool = False,
    jobs: int = 1,
    progress=None,
) -> dict[str, list[Path] | None]:
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

    def finished(key: str, paths: list[Path], since: float) -> None:
        nonlocal done
        result[key] = paths
        done += 1
        if progress:
            progress(done, len(keys), key, paths, time.perf_counter() - since)

    if jobs > 1 and len(todo) > 1 and sys.platform.startswith("linux"):
        started = time.perf_counter()  # workers report as they go: seconds since they started
        _render_in_workers(record, todo, out, tuple(formats), jobs, lambda key, paths: finished(key, paths, started))
    else:
        for key in todo:
            t = time.perf_counter()
            finished(key, render(key, record, out_dir=out, formats=formats), t)
    if digest is not None and todo:
        from .files import (
            update_json_object,
        )  # harden: merged under a lock, so concurrent runs keep each other's entries

        update_json_object(
            out / MANIFEST,
            {key: {"inputs": digest, "files": {p.name: _sha(p) for p in result[key] or []}} for key in todo},
        )
    return {k: result[k] for k in keys}
