"""An offline, interactive explorer of the record: a map, a weekly timeline and a table, linked, in one HTML file.

Every event placed on the map is a mark; hovering it shows its date, target, actors and summary, and
selecting it (on the map or in the table) lists the pages that report it — publisher, date and link.
Brushing a window on the timeline and the filters for phase, theatre, actor, side, event type and
confidence cut the map, the table and the timeline together, with the same rules as
:meth:`Record.filter <kachin_analysis.load.Record.filter>`.

Built with Bokeh and its JavaScript inlined (``bokeh.resources.INLINE``): the page loads nothing from
the network, no map tiles, no CDN. The map layers are the publication map's (``geo``: Natural Earth
states and regions, GSHHG rivers; the towns the map names, ``figures``), and the rule for places known
only to a township or district is the map's (``aggregate.capture_points``): such events are hollow
dashed squares at the seat, marked "known only to … Township", never a dot on the seat town.

Example
-------
>>> from kachin_analysis import load_record
>>> from kachin_analysis.explorer import explorer_events
>>> ev = explorer_events(load_record())
>>> sorted(ev["mark"].unique())
['imprecise', 'located', 'unmapped']
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import numpy as np
import pandas as pd

from . import aggregate, geo, style
from .load import Record, load_record
from .periods import period_starts
from .schema import CONFIDENCE, EVENT_TYPE, LIST_SEP, SIDE

__all__ = ["Explorer", "build_explorer", "explore", "explorer_events", "explorer_html", "write_explorer"]

#: The page's title.
TITLE = "Explore the record: the KIA-led offensive in northern Myanmar"
#: Width and height of the map's frame in CSS pixels (the map keeps the publication map's proportions).
MAP_WIDTH = 440
_MAP_MARKS = ("located", "imprecise")
_NO_PHASE = "#9A9A9A"
_EPOCH = pd.Timestamp("1970-01-01")


def _ms(values) -> np.ndarray:
    """Milliseconds since the epoch, as BokehJS wants datetimes."""
    return ((pd.to_datetime(pd.Series(values)) - _EPOCH) // pd.Timedelta(milliseconds=1)).to_numpy(dtype="float64")


def _day(d) -> str:
    d = pd.Timestamp(d)
    return f"{d.day} {d:%b %Y}"


def _date_label(d, precision: str) -> str:
    d = pd.Timestamp(d)
    if precision == "month":
        return f"{d:%B %Y} (day not known)"
    if precision == "week":
        return f"week of {_day(d)}"
    return _day(d)


def _actor_names(record: Record) -> dict[str, str]:
    """How the page names an actor: its full name with the abbreviation readers know (``… (KIA)``)."""
    out = {}
    for a in record.actors.itertuples(index=False):
        aid, name = str(a.actor_id), str(a.name)
        out[aid] = f"{name} ({aid})" if aid.isupper() and "-" not in aid and aid != name else name
    return out


def _split(value) -> list[str]:
    return [x for x in str(value).split(LIST_SEP) if x] if pd.notna(value) else []


def _placement(record: Record, events: pd.DataFrame) -> pd.DataFrame:
    """Per event: ``located``, ``area_label`` and coordinates, by the publication map's rule.

    The rule is :func:`kachin_analysis.aggregate.capture_points`'s: every event is passed to it as if it
    were a capture, so that what the explorer calls located is exactly what the map draws.
    """
    placed = events[events["place_id"].notna()]
    pts = aggregate.capture_points(record, placed.assign(event_type="capture"))
    pts = pts.assign(event_id=pts["event_ids"].str.split(";")).explode("event_id")
    return pts.set_index("event_id")[
        ["name", "kind", "located", "area_label", "state", "longitude", "latitude", "geo_precision"]
    ]


def explorer_events(record: Record) -> pd.DataFrame:
    """One row per event, as the explorer shows it: where it is marked, and the words the page uses.

    ``mark`` is ``located`` (a dot at the place or its village), ``imprecise`` (known only to a township or
    district: a hollow square at the seat, with ``where`` saying so) or ``unmapped`` (no coordinates, an
    area, or no single place: in the table only). ``x``/``y`` are longitude and latitude (empty when
    unmapped). Actor, side, phase and theatre columns hold ``|``-delimited ids the page's filters match,
    with the same rules as :meth:`Record.filter <kachin_analysis.load.Record.filter>`.

    >>> ev = explorer_events(load_record())
    >>> int((ev["mark"] != "unmapped").sum()) == int(ev["x"].notna().sum())
    True
    """
    ev = record.events.sort_values(["date", "event_id"], kind="stable").reset_index(drop=True)
    where = _placement(record, ev)
    names = _actor_names(record)
    side_of = dict(zip(record.actors["actor_id"].astype(str), record.actors["side"].astype(str)))
    phase_name = dict(zip(record.phases["phase_id"].astype(str), record.phases["name"].astype(str)))
    theatre_of = dict(zip(record.phases["phase_id"].astype(str), record.phases["theatre"].astype(str)))
    palette = style.category_palette(list(phase_name))
    rows = []
    for e in ev.itertuples(index=False):
        eid = str(e.event_id)
        attackers, defenders = _split(e.attackers), _split(e.defenders)
        parties = attackers + defenders
        pid = str(e.phase_id) if pd.notna(e.phase_id) else ""
        place = where.loc[eid] if eid in where.index else None
        if place is None:
            mark, x, y, label = "unmapped", np.nan, np.nan, "no single place (not on the map)"
        elif bool(place["located"]):
            mark, x, y, label = "located", float(place["longitude"]), float(place["latitude"]), str(place["name"])
        elif str(place["kind"]) == "area" and pd.isna(place["longitude"]):
            mark, x, y, label = "unmapped", np.nan, np.nan, f"{place['name']} (an area, not on the map)"
        elif pd.isna(place["longitude"]):
            mark, x, y, label = "unmapped", np.nan, np.nan, f"{place['name']} (no sourced coordinates, not on the map)"
        else:
            area = str(place["area_label"]).strip()
            if area in ("", "Township", "District"):
                area = f"{place['state']} (no closer place)"
            mark, x, y = "imprecise", float(place["longitude"]), float(place["latitude"])
            label = f"{place['name']}: known only to {area} (marked at its seat, not where it happened)"
        target = str(e.target) if pd.notna(e.target) else ""
        other = [names.get(a, a) for a in _split(e.other_parties)]
        actors = ", ".join(names.get(a, a) for a in attackers) or "not reported"
        against = ", ".join(names.get(a, a) for a in defenders)
        actor_text = f"{actors} against {against}" if against else actors
        if other:
            actor_text += f"; also {', '.join(other)}"
        sources = _split(e.source_ids)
        rows.append(
            {
                "event_id": eid,
                "date": e.date,
                "week": e.date,
                "date_label": _date_label(e.date, str(e.date_precision)),
                "event_type": str(e.event_type),
                "what": f"{e.event_type}: {target}" if target else str(e.event_type),
                "where": label,
                "mark": mark,
                "x": x,
                "y": y,
                "actors_label": actor_text,
                "attackers_label": ", ".join(attackers),
                "defenders_label": ", ".join(defenders),
                "actors": "|" + "|".join(parties) + "|",
                "sides": "|" + "|".join(dict.fromkeys(side_of.get(a, "") for a in parties)) + "|",
                "phase_id": pid,
                "phase_label": phase_name.get(pid, "no single campaign"),
                "theatre": theatre_of.get(pid, ""),
                "color": palette.get(pid, _NO_PHASE),
                "confidence": str(e.confidence),
                "summary": str(e.summary),
                "source_ids": ";".join(sources),
                "sources": len(sources),
            }
        )
    out = pd.DataFrame(rows)
    out["week"] = period_starts(out["date"], "W") if len(out) else out["date"]
    return out


def _sources_table(record: Record) -> dict[str, list]:
    s = record.sources
    published = [(_day(d) if pd.notna(d) else "no date given") for d in s["published"]]
    note = []
    for r in s.itertuples(index=False):
        bits = []
        if pd.notna(r.copy_kind) and str(r.copy_kind):
            bits.append(f"{r.copy_kind} on {r.copy_host}")
        if not bool(r.independent):
            bits.append("a belligerent's own statement or outlet")
        note.append("; ".join(bits))
    return {
        "source_id": s["source_id"].astype(str).tolist(),
        "publisher": s["publisher"].astype(str).tolist(),
        "published": published,
        "title": [str(t) if pd.notna(t) else "" for t in s["title"]],
        "url": s["url"].astype(str).tolist(),
        "note": note,
    }


def _choices(record: Record, ev: pd.DataFrame) -> dict[str, list[tuple[str, str]]]:
    """The filters' vocabularies as (value, label) pairs, in the record's own order."""
    names = _actor_names(record)
    involved = set(a for s in ev["actors"] for a in s.strip("|").split("|") if a)
    return {
        "phase": [(str(p), str(n)) for p, n in zip(record.phases["phase_id"], record.phases["name"])],
        "theatre": [(t, t) for t in dict.fromkeys(record.phases["theatre"].astype(str))],
        "actor": [(a, names[a]) for a in record.actors["actor_id"].astype(str) if a in involved],
        "side": [(s, style.SIDE_LABELS.get(s, s)) for s in SIDE],
        "event_type": [(t, t) for t in EVENT_TYPE if t in set(ev["event_type"])],
        "confidence": [(c, c) for c in CONFIDENCE],
    }


# --------------------------------------------------------------------------- the page's JavaScript

_APPLY_JS = """
const d = src.data, n = d.event_id.length;
const pick = {};
for (const [k, w] of Object.entries(widgets)) pick[k] = new Set(w.value);
const anyOf = (field, set, i) => { if (set.size === 0) return true;
  for (const v of d[field][i].split('|')) if (v && set.has(v)) return true; return false; };
const inWindow = (i) => d.date[i] >= win.start && d.date[i] < win.end;
const keep = new Array(n), keepAllTime = new Array(n);
for (let i = 0; i < n; i++) {
  const ok = (pick.phase.size === 0 || pick.phase.has(d.phase_id[i]))
    && (pick.theatre.size === 0 || pick.theatre.has(d.theatre[i]))
    && anyOf('actors', pick.actor, i) && anyOf('sides', pick.side, i)
    && (pick.event_type.size === 0 || pick.event_type.has(d.event_type[i]))
    && (pick.confidence.size === 0 || pick.confidence.has(d.confidence[i]));
  keepAllTime[i] = ok;
  keep[i] = ok && inWindow(i);
}
// marks: one per event; a place's marks are sized by how many events are shown there
const count = {};
for (let i = 0; i < n; i++) if (keep[i] && d.mark[i] !== 'unmapped') {
  const k = d.mark[i] + d.x[i] + ',' + d.y[i]; count[k] = (count[k] || 0) + 1; }
const size = d.size.slice(), here = d.here.slice();
let located = 0, imprecise = 0, unmapped = 0, shown = 0;
for (let i = 0; i < n; i++) {
  if (!keep[i]) continue;
  shown++;
  if (d.mark[i] === 'unmapped') { unmapped++; continue; }
  if (d.mark[i] === 'located') located++; else imprecise++;
  const c = count[d.mark[i] + d.x[i] + ',' + d.y[i]];
  size[i] = 8 + 4 * Math.sqrt(c - 1);
  here[i] = c > 1 ? c + ' events shown at this mark: click it to list them all with their sources'
                  : 'click to list its sources';
}
for (const [mark, f] of Object.entries(filters))
  f.booleans = Array.from({length: n}, (_, i) => keep[i] && d.mark[i] === mark);
table_filter.booleans = keep;
src.data = Object.assign({}, d, {size: size, here: here});
// the timeline: weekly counts of the events that pass the filters, the brushed weeks darker
const b = bars.data, idx = {};
for (let j = 0; j < b.week.length; j++) idx[b.week[j]] = j;
const events = new Array(b.week.length).fill(0);
for (let i = 0; i < n; i++) if (keepAllTime[i]) events[idx[d.week[i]]] += 1;
const color = Array.from(b.week, (w) => (w + 7 * 864e5 > win.start && w < win.end) ? '#3D3D3D' : '#C8C8C8');
bars.data = {week: b.week, events: events, color: color};
const full = win.start <= first && win.end >= last;
box.left = win.start; box.right = win.end; box.visible = !full;
const day = (ms) => new Date(ms).toLocaleDateString('en-GB', {day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC'});
const span = full ? 'all dates (drag across the timeline to choose a window)'
                  : day(win.start) + ' to ' + day(win.end - 864e5);
status.text = '<b>' + shown + '</b> of ' + n + ' events shown · <b data-testid="marks">' + (located + imprecise)
  + '</b> on the map (' + located + ' located to the place or its village, ' + imprecise
  + ' known only to a township or district) · ' + unmapped + ' in the table only · ' + span;
status.tags = [shown, located, imprecise, unmapped];
"""

_BRUSH_JS = """
if (!cb_obj.final) return;
const g = cb_obj.geometry;
const lo = Math.max(Math.min(g.x0, g.x1), first), hi = Math.min(Math.max(g.x0, g.x1), last);
bars.selected.indices = [];  // the window is shown by the bars' shade, not by a selection
if (hi - lo < 864e5) return;
win.start = lo; win.end = hi;
"""

_RESET_JS = """
for (const w of Object.values(widgets)) w.value = [];
win.start = first; win.end = last;
src.selected.indices = [];
"""

_DETAILS_JS = """
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
const d = src.data, s = pages.data, at = {};
for (let j = 0; j < s.source_id.length; j++) at[s.source_id[j]] = j;
const sel = src.selected.indices.slice().sort((a, b) => d.date[a] - d.date[b] || (d.event_id[a] < d.event_id[b] ? -1 : 1));
if (sel.length === 0) { details.text = empty; return; }
const parts = ['<p class="ka-lead">' + sel.length + ' event' + (sel.length > 1 ? 's' : '') + ' selected, each with the pages that report it:</p>'];
for (const i of sel) {
  const links = d.source_ids[i].split(';').filter((x) => x in at).map((id) => {
    const j = at[id];
    const title = s.title[j] ? esc(s.title[j]) : esc(s.url[j]);
    const note = s.note[j] ? ' <span class="ka-note">(' + esc(s.note[j]) + ')</span>' : '';
    return '<li>' + esc(s.publisher[j]) + ', ' + esc(s.published[j]) + ': <a href="' + esc(s.url[j])
      + '" target="_blank" rel="noopener noreferrer">' + title + '</a>' + note + '</li>';
  });
  parts.push('<div class="ka-event" data-event="' + esc(d.event_id[i]) + '"><b>' + esc(d.date_label[i]) + '</b> · '
    + esc(d.what[i]) + ' · <i>' + esc(d.where[i]) + '</i><br>' + esc(d.actors_label[i]) + ' · ' + esc(d.phase_label[i])
    + ' · ' + esc(d.confidence[i]) + '<br>' + esc(d.summary[i]) + ' <span class="ka-note">(' + esc(d.event_id[i])
    + ')</span><ul>' + links.join('') + '</ul></div>');
}
details.text = parts.join('');
"""

_TOOLTIP = """
<div class="ka-tip" style="max-width:330px;font-size:12px;line-height:1.35">
<div><b>@date_label</b> · @what</div>
<div><i>@where</i></div>
<div>@actors_label</div>
<div style="margin-top:3px">@summary</div>
<div style="margin-top:3px;color:#555">@here</div>
</div>
"""

_CSS = """
:host { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; color: #222; }
.ka-lead { margin: 4px 0; }
.ka-note { color: #555; }
.ka-event { margin: 6px 0 10px; }
.ka-event ul { margin: 3px 0 0 18px; padding: 0; }
.ka-legend span.sw { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin: 0 4px -1px 10px; }
.ka-legend span.sq { display: inline-block; width: 9px; height: 9px; border: 1.5px dashed #444; margin: 0 4px -1px 10px; }
h1 { font-size: 20px; margin: 4px 0; } h2 { font-size: 15px; margin: 10px 0 4px; }
p { margin: 4px 0; line-height: 1.4; } a { color: #0b5394; }
"""


def _div(text: str, *, width: int, name: str | None = None, **kwargs):
    from bokeh.models import Div, InlineStyleSheet

    return Div(text=text, width=width, name=name, stylesheets=[InlineStyleSheet(css=_CSS)], **kwargs)


def _method_note(record: Record, ev: pd.DataFrame) -> str:
    from .figures import source_line

    located = int((ev["mark"] == "located").sum())
    imprecise = int((ev["mark"] == "imprecise").sum())
    unmapped = int((ev["mark"] == "unmapped").sum())
    return (
        "<h2>How to read it</h2>"
        f"<p>Each of the record's {len(ev)} events is one row of the table; the {located + imprecise} with coordinates "
        "are marks on the map. A <b>dot</b> is an event located to the place or its village "
        f"({located}). A <b>hollow dashed square</b> is an event known only to its township or district "
        f"({imprecise}): it is marked at the seat of that township or district, which is <i>not</i> where it "
        f"happened, and its hover text says so. The other {unmapped} (areas, places with no sourced coordinates, "
        "nationwide truces, talks) are in the table only. Marks are never moved: events at one place stack, and a "
        "mark grows with the number of events shown there. Colours are the phases of the publication figures.</p>"
        "<p>Filters work as <code>Record.filter</code> in the Python package: values within one filter are "
        "alternatives, filters combine; an actor or side matches an event when it is among its attackers or "
        "defenders; a theatre is the theatre of the event's phase. The timeline counts events per week (Monday to "
        "Sunday) that pass the filters; an event known only to its week or month counts in the week of the first "
        "day of that span. Confidence: <i>confirmed</i>, two independent outlets or one plus the actor's own "
        "statement; <i>reported</i>, one independent outlet; <i>claimed</i>, only a belligerent's statement.</p>"
        "<p>The page works offline: its script (Bokeh, inlined) and its data are inside this file, and it loads "
        "nothing from the internet, no map tiles either; only the cited pages' links lead out.</p>"
        f"<p class='ka-note'>{html.escape(source_line(record, geo.MAP_CREDIT + ' Town positions: encyclopedia articles and GeoNames.'))}</p>"
    )


def _map(record: Record, src, views: dict, tooltip_tool_kwargs: dict):
    from bokeh.models import ColumnDataSource, HoverTool, LabelSet, Range1d, TapTool
    from bokeh.plotting import figure

    from . import figures

    west, east, south, north = geo.THEATRE_EXTENT
    aspect = (east - west) * np.cos(np.deg2rad((south + north) / 2)) / (north - south)
    p = figure(
        x_range=Range1d(west, east, bounds=(west - 1, east + 1)),
        y_range=Range1d(south, north, bounds=(south - 1, north + 1)),
        frame_width=MAP_WIDTH,
        frame_height=round(MAP_WIDTH / aspect),
        match_aspect=True,
        tools="pan,wheel_zoom,reset",
        active_scroll="wheel_zoom",
        toolbar_location="above",
        title="Where: events on the map",
        name="map",
    )
    p.toolbar.logo = None
    p.axis.visible = False
    p.grid.visible = False
    p.background_fill_color = style.NEIGHBOUR
    p.outline_line_color = "#666666"
    countries = geo.country_borders(geo.THEATRE_EXTENT)
    myanmar = [r for name, rings in countries if name == "Myanmar" for r in rings]
    states = geo.states()
    rings = [r for _, rs in states for r in rs]
    p.patches(
        [[x for x, _ in r] for r in rings],
        [[y for _, y in r] for r in rings],
        fill_color=[style.EMPHASIS_FILL if n == "Kachin" else style.LAND for n, rs in states for _ in rs],
        line_color="#9A9A9A",
        line_width=0.7,
        line_dash=[4, 2],
    )
    p.patches(
        [[x for x, _ in r] for r in myanmar],
        [[y for _, y in r] for r in myanmar],
        fill_color=None,
        line_color="#4D4D4D",
        line_width=1.3,
    )
    rv = geo.rivers()
    p.multi_line(
        [[x for x, _ in line] for line in rv],
        [[y for _, y in line] for line in rv],
        line_color=style.WATER,
        line_width=1.1,
    )
    labels = dict(figures._STATE_LABELS) | dict(figures._COUNTRY_LABELS)
    p.text(
        x=[v[0] for v in labels.values()],
        y=[v[1] for v in labels.values()],
        text=list(labels),
        text_align="center",
        text_baseline="middle",
        text_color="#8A8A8A",
        text_font_size="11px",
        text_font_style="italic",
    )
    rivers = geo.RIVER_LABELS
    p.text(
        x=[v[0] for v in rivers.values()],
        y=[v[1] for v in rivers.values()],
        text=list(rivers),
        angle=[np.deg2rad(v[2]) for v in rivers.values()],
        text_align="center",
        text_baseline="middle",
        text_color="#3B7EA8",
        text_font_size="10px",
        text_font_style="italic",
    )
    towns = figures._map_towns(record, geo.THEATRE_EXTENT)
    tsrc = ColumnDataSource(
        {
            "x": towns["longitude"].tolist(),
            "y": towns["latitude"].tolist(),
            "name": towns["name"].tolist(),
            "weight": ["bold" if r <= 2 else "normal" for r in towns["rank"]],
        }
    )
    p.scatter("x", "y", source=tsrc, marker="square", size=5, color=style.INK)
    p.add_layout(
        LabelSet(
            x="x",
            y="y",
            text="name",
            source=tsrc,
            x_offset=4,
            y_offset=2,
            text_font_size="11px",
            text_font_style="weight",
            text_color=style.INK,
            background_fill_color="white",
            background_fill_alpha=0.6,
        )
    )
    dots = p.scatter(
        "x",
        "y",
        source=src,
        view=views["located"],
        marker="circle",
        size="size",
        fill_color="color",
        fill_alpha=0.8,
        line_color="white",
        line_width=1,
        name="located",
        selection_line_color="black",
        selection_line_width=2.5,
        nonselection_fill_alpha=0.35,
    )
    squares = p.scatter(
        "x",
        "y",
        source=src,
        view=views["imprecise"],
        marker="square",
        size="size",
        fill_color=None,
        line_color="color",
        line_width=2,
        line_dash=[3, 2],
        name="imprecise",
        selection_line_color="black",
        selection_line_width=3,
        nonselection_line_alpha=0.4,
    )
    p.add_tools(
        HoverTool(renderers=[dots, squares], tooltips=_TOOLTIP, **tooltip_tool_kwargs),
        TapTool(renderers=[dots, squares]),
    )
    return p


def build_explorer(record: Record | None = None):
    """The explorer as a Bokeh document: map, timeline, filters, table, the selected events' sources, the method note.

    >>> from bokeh.models import GlyphRenderer
    >>> doc = build_explorer(load_record())
    >>> sorted(r.name for r in doc.select({"type": GlyphRenderer}) if r.name in ("located", "imprecise"))
    ['imprecise', 'located']
    """
    from bokeh.document import Document
    from bokeh.events import DocumentReady

    layout, apply = _build(record)
    doc = Document(title=TITLE)
    doc.add_root(layout)
    doc.js_on_event(DocumentReady, apply)  # marks sized, timeline and status filled in on load
    return doc


def _build(record: Record | None):
    from bokeh.layouts import column, row
    from bokeh.models import (
        BooleanFilter,
        BoxAnnotation,
        BoxSelectTool,
        Button,
        CDSView,
        ColumnDataSource,
        CustomJS,
        DataTable,
        MultiChoice,
        Range1d,
        TableColumn,
    )
    from bokeh.plotting import figure

    record = record if record is not None else load_record()
    ev = explorer_events(record)
    n = len(ev)
    data = {c: ev[c].tolist() for c in ev.columns if c not in ("date", "week", "x", "y")}
    data.update(
        date=_ms(ev["date"]),
        week=_ms(ev["week"]),
        x=ev["x"].to_numpy(dtype="float64"),
        y=ev["y"].to_numpy(dtype="float64"),
        size=np.full(n, 8.0),
        here=[""] * n,
    )
    src = ColumnDataSource(data, name="events")
    filters = {m: BooleanFilter(booleans=(ev["mark"] == m).tolist(), name=f"{m}-filter") for m in _MAP_MARKS}
    views = {m: CDSView(filter=f) for m, f in filters.items()}
    table_filter = BooleanFilter(booleans=[True] * n, name="table-filter")

    hover = {"limit": 3, "sort_by": [("date", "descending")]}
    m = _map(record, src, views, hover)

    # the timeline: weekly counts, brushed with a box across it
    weeks = pd.date_range(ev["week"].min(), ev["week"].max(), freq="7D") if n else pd.DatetimeIndex([])
    first = float(_ms([weeks[0]])[0]) if n else 0.0
    last = float(_ms([ev["date"].max() + pd.Timedelta(days=1)])[0]) if n else 1.0
    counts = ev.groupby("week").size().reindex(weeks, fill_value=0)
    bars = ColumnDataSource(
        {"week": _ms(weeks), "events": counts.to_numpy().tolist(), "color": ["#3D3D3D"] * len(weeks)}, name="weeks"
    )
    t = figure(
        x_axis_type="datetime",
        width=820,
        height=170,
        tools="",
        toolbar_location=None,
        name="timeline",
        title="When: events per week (drag across to choose a window; double-click or Reset to clear)",
        x_range=Range1d(first - 4 * 864e5, last + 4 * 864e5),
        y_range=Range1d(0, max(1, int(counts.max() if n else 1)) * 1.12),
    )
    t.vbar(x="week", top="events", width=6 * 864e5, source=bars, color="color", name="bars", nonselection_alpha=1.0)
    t.x_range.bounds = (first - 4 * 864e5, last + 4 * 864e5)
    t.yaxis.axis_label = "events"
    t.ygrid.grid_line_color = "#EEEEEE"
    t.xgrid.visible = False
    t.yaxis.minor_tick_line_color = None
    brush = BoxSelectTool(dimensions="width", persistent=False)
    t.add_tools(brush)
    t.toolbar.active_drag = brush
    box = BoxAnnotation(
        left=first,
        right=last,
        fill_color="#0072B2",
        fill_alpha=0.08,
        line_color="#0072B2",
        visible=False,
        name="window-box",
    )
    t.add_layout(box)
    win = Range1d(start=first, end=last, name="window")

    choices = _choices(record, ev)
    titles = {
        "phase": "Phase",
        "theatre": "Theatre",
        "actor": "Actor (attacker or defender)",
        "side": "Side",
        "event_type": "Event type",
        "confidence": "Confidence",
    }
    widgets = {
        k: MultiChoice(title=titles[k], options=choices[k], value=[], width=265, name=f"filter-{k}", placeholder="all")
        for k in titles
    }

    columns = [
        TableColumn(field="date_label", title="Date", width=110),
        TableColumn(field="what", title="What", width=190),
        TableColumn(field="where", title="Where", width=150),
        TableColumn(field="attackers_label", title="Attackers", width=90),
        TableColumn(field="defenders_label", title="Defenders", width=80),
        TableColumn(field="phase_label", title="Phase", width=150),
        TableColumn(field="confidence", title="Confidence", width=75),
        TableColumn(field="sources", title="Pages", width=45),
    ]
    table = DataTable(
        source=src,
        view=CDSView(filter=table_filter),
        columns=columns,
        width=820,
        height=300,
        index_position=None,
        name="table",
        sortable=True,
        selectable=True,
        reorderable=False,
    )
    status = _div("", width=820, name="status")
    empty = (
        "<p class='ka-note'>Select an event — click a mark on the map or a row of the table — to list the pages "
        "that report it (publisher, date, link).</p>"
    )
    details = _div(empty, width=820, name="details", styles={"max-height": "340px", "overflow-y": "auto"})
    pages = ColumnDataSource(_sources_table(record), name="pages")

    apply = CustomJS(
        args=dict(
            src=src,
            widgets=widgets,
            filters=filters,
            table_filter=table_filter,
            bars=bars,
            win=win,
            box=box,
            status=status,
            first=first,
            last=last,
        ),
        code=_APPLY_JS,
    )
    for w in widgets.values():
        w.js_on_change("value", apply)
    win.js_on_change("start", apply)
    win.js_on_change("end", apply)
    from bokeh.events import DoubleTap, SelectionGeometry

    t.js_on_event(SelectionGeometry, CustomJS(args=dict(win=win, bars=bars, first=first, last=last), code=_BRUSH_JS))
    reset = Button(label="Reset: all events", width=160, name="reset")
    reset_js = CustomJS(args=dict(widgets=widgets, win=win, src=src, first=first, last=last), code=_RESET_JS)
    reset.js_on_event("button_click", reset_js)
    t.js_on_event(
        DoubleTap, CustomJS(args=dict(win=win, first=first, last=last), code="win.start = first; win.end = last;")
    )
    src.selected.js_on_change(
        "indices", CustomJS(args=dict(src=src, pages=pages, details=details, empty=empty), code=_DETAILS_JS)
    )

    phase_names = dict(choices["phase"])
    palette = style.category_palette(list(phase_names))
    legend = "".join(
        f"<span class='sw' style='background:{palette[p]}'></span>{html.escape(phase_names[p])}" for p in palette
    )
    legend_div = _div(
        f"<div class='ka-legend'><b>Colour: phase</b>{legend}<span class='sw' style='background:{_NO_PHASE}'></span>no single "
        "campaign<br><b>Mark</b><span class='sw' style='background:#777'></span>located to the place or its village"
        "<span class='sq'></span>known only to a township or district, marked at its seat (not where it happened)"
        "<span class='sw' style='background:#222;border-radius:0;width:6px;height:6px'></span>town</div>",
        width=MAP_WIDTH + 820 + 20,
    )
    header = _div(
        f"<h1>{html.escape(TITLE)}</h1><p>{n} reported events, {_day(ev['date'].min()) if n else ''} to "
        f"{_day(ev['date'].max()) if n else ''}, each cited to the pages that report it. Filter, brush the timeline, "
        "hover a mark for what happened, click it (or a table row) for its sources.</p>",
        width=MAP_WIDTH + 820 + 20,
    )
    filt = column(
        row(widgets["phase"], widgets["theatre"], widgets["actor"]),
        row(widgets["side"], widgets["event_type"], widgets["confidence"]),
    )
    right = column(filt, row(reset, status), t, table)
    layout = column(
        header,
        legend_div,
        row(m, right),
        details,
        _div(_method_note(record, ev), width=MAP_WIDTH + 820 + 20),
        name="explorer",
    )
    return layout, apply


def explorer_html(record: Record | None = None, *, title: str = TITLE) -> str:
    """The explorer as one self-contained HTML page (Bokeh's JavaScript and the data inlined; nothing loaded from the network).

    >>> page = explorer_html(load_record())
    >>> page.lstrip().startswith("<!DOCTYPE html>") and "cdn.bokeh.org" not in page
    True
    """
    from bokeh.embed import file_html
    from bokeh.resources import INLINE

    return file_html(build_explorer(record), resources=INLINE, title=title)


def write_explorer(record: Record | None = None, out: str | os.PathLike = "explorer.html") -> Path:
    """Write the explorer page to ``out`` (atomically) and return its path."""
    from .files import atomic_write_text

    out = Path(out)
    atomic_write_text(out, explorer_html(record))
    return out


class Explorer:
    """The explorer page, shown in Jupyter as the same page in an inline frame (works offline, no extension needed)."""

    def __init__(self, record: Record | None = None, *, height: int = 1650):
        self.html = explorer_html(record)
        self.height = height

    def save(self, path: str | os.PathLike) -> Path:
        from .files import atomic_write_text

        atomic_write_text(Path(path), self.html)
        return Path(path)

    def _repr_html_(self) -> str:
        return (
            f'<iframe class="ka-explorer" title="{html.escape(TITLE)}" srcdoc="{html.escape(self.html, quote=True)}" '
            f'style="width:100%;min-width:1320px;height:{self.height}px;border:0"></iframe>'
        )

    def __repr__(self) -> str:
        return f"<Explorer: {len(self.html.encode()) / 1e6:.1f} MB self-contained page; save it with .save(path)>"


def explore(record: Record | None = None) -> Explorer:
    """The explorer for a notebook: ``explore(record)`` shows it; ``.save("explorer.html")`` writes the page.

    >>> explore(load_record()).html.count("<script") >= 1
    True
    """
    return Explorer(record)
