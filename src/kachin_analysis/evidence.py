"""Show the evidence: the headline numbers, the events behind them, and the pages each event cites.

* :func:`headline` — the numbers a journalist asks first (positions, headquarters and
  towns captured; the last event's date), for the record or any filtered record.
* :func:`find_events` — search the record by place, unit, actor or words.
* :func:`sources_for` — the cited pages behind events (ids, a frame of events, or a
  claim's ``event_ids`` from :func:`~kachin_analysis.claims.claims_vs_record`).
* :func:`behind_claim` — the events the record counts against one claim.
* :func:`gaps` — what the record does not cover, counted from the record itself.

Example
-------
>>> import kachin_analysis as ka
>>> record = ka.load_record()
>>> found = find_events(record, unit="MOC 21")
>>> sorted(set(found["place"]))
['Bhamo']
>>> pages = sources_for(record, found)
>>> bool(pages["url"].str.startswith("http").all())
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .filters import involves
from .inputs import require_record
from .load import Record, load_record  # noqa: F401 - load_record for the examples
from .lookup import _key, resolve_actors
from .schema import HQ_TARGET_TYPES, LIST_SEP, SETTLEMENT_KINDS

__all__ = ["behind_claim", "coverage", "find_events", "gaps", "headline", "sources_for"]

EVENT_COLUMNS = [
    "event_id",
    "date",
    "event_type",
    "target",
    "unit",
    "place",
    "phase",
    "attackers",
    "positions",
    "confidence",
    "summary",
    "sources",
]


def headline(record: Record) -> dict[str, object]:
    """The numbers asked first: captures by kind, junta recaptures, events, cited pages and the last event's date.

    Positions are the sum of the ``positions`` column of captures (a floor where a
    count is "more than" or missing); headquarters and towns count capture events
    of that target type. Works on a filtered record too.

    >>> h = headline(load_record().filter(phases="ksr1-chipwi-pangwa"))
    >>> h["towns captured"], h["last event"].date().isoformat()
    (5, '2024-11-20')
    """
    record = require_record(record, helper="headline", needs="positions and target types")
    ev = record.events
    caps = ev[ev["event_type"].astype(str) == "capture"]
    target = caps["target_type"].astype("string")
    cited = {s for ids in ev["source_ids"].dropna().astype(str) for s in ids.split(LIST_SEP) if s}
    return {
        "positions captured": int(caps["positions"].fillna(0).sum()),
        "headquarters captured": int(target.isin(HQ_TARGET_TYPES).fillna(False).sum()),
        "towns captured": int((target == "town").fillna(False).sum()),
        "recaptured by the junta": int((ev["event_type"].astype(str) == "recapture").sum()),
        "events": len(ev),
        "cited pages": len(cited),
        "first event": ev["date"].min() if len(ev) else pd.NaT,
        "last event": ev["date"].max() if len(ev) else pd.NaT,
    }


def coverage(record: Record, *, freq: str = "QE") -> pd.DataFrame:
    """Events per period (``QE`` quarters, ``ME`` months, ``YE`` years) by event type, with a total.

    One row per period from the first event to the last, empty periods as zeros;
    ``period`` is the period's first day.

    >>> cov = coverage(load_record(), freq="YE")
    >>> int(cov["all"].sum()) == len(load_record().events), list(cov.columns)[:3]
    (True, ['period', 'capture', 'recapture'])
    """
    from .periods import period_range, period_starts
    from .schema import EVENT_TYPE

    ev = record.events if isinstance(record, Record) else record
    frame = pd.DataFrame({"period": period_starts(ev["date"], freq), "event_type": ev["event_type"].astype(str)})
    table = pd.crosstab(frame["period"], frame["event_type"])
    table = table.reindex(columns=[t for t in EVENT_TYPE], fill_value=0)
    if len(table):
        table = table.reindex(period_range(table.index.min(), table.index.max(), freq), fill_value=0)
    table.index.name = "period"
    table.columns.name = None
    table["all"] = table.sum(axis=1)
    return table.reset_index()


def _publishers(record: Record) -> dict[str, str]:
    return dict(zip(record.sources["source_id"].astype(str), record.sources["publisher"].astype(str)))


def _event_table(record: Record, ev: pd.DataFrame) -> pd.DataFrame:
    place_name = dict(zip(record.places["place_id"].astype(str), record.places["name"].astype(str)))
    phase_name = dict(zip(record.phases["phase_id"].astype(str), record.phases["name"].astype(str)))
    publisher = _publishers(record)
    sources = (
        ev["source_ids"]
        .astype(str)
        .map(lambda ids: "; ".join(dict.fromkeys(publisher.get(s, s) for s in ids.split(LIST_SEP) if s)))
    )
    out = pd.DataFrame(
        {
            "event_id": ev["event_id"].astype(str),
            "date": ev["date"],
            "event_type": ev["event_type"],
            "target": ev["target"],
            "unit": ev["unit"],
            "place": ev["place_id"].astype("string").map(place_name),
            "phase": ev["phase_id"].astype("string").map(phase_name),
            "attackers": ev["attackers"].astype("string").str.replace(LIST_SEP, ", ", regex=False),
            "positions": ev["positions"],
            "confidence": ev["confidence"],
            "summary": ev["summary"],
            "sources": sources,
        },
        columns=EVENT_COLUMNS,
    )
    return out.sort_values(["date", "event_id"], kind="stable").reset_index(drop=True)


def _unit_pattern(unit: str) -> re.Pattern:
    """``LIB 321`` matches ``LIB 321`` and ``LIB-321``, never ``LIB 3210``."""
    parts = [re.escape(p) for p in re.split(r"[\s\-]+", unit.strip()) if p]
    return re.compile(r"(?<![0-9A-Za-z])" + r"[\s\-]*".join(parts) + r"(?![0-9A-Za-z])", re.I)


def find_events(
    record: Record,
    text: str | None = None,
    *,
    place: str | Iterable[str] | None = None,
    unit: str | None = None,
    actor: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """Events matching every given search, one row each, with their place, phase and cited publishers.

    * ``place``: an id, name or alias, or a township, district or state by name
      (as :meth:`Record.filter <kachin_analysis.load.Record.filter>`).
    * ``unit``: a junta unit (``"LIB 321"``, ``"MOC 21"``), matched in the unit and
      target columns as a whole designation (``LIB 32`` does not find ``LIB 321``).
    * ``actor``: an actor id or full name, as attacker, defender or other party.
    * ``text``: words found in the summary, target, unit or place name (any case).

    Unknown places and actors raise ``KeyError`` with suggestions. Returns
    ``event_id, date, event_type, target, unit, place, phase, attackers,
    positions, confidence, summary, sources`` (publishers, in citation order).

    >>> record = load_record()
    >>> find_events(record, place="Lweje", text="town")[["event_id", "target"]].to_dict("records")
    [{'event_id': 'KO-0079', 'target': 'Lweje (Lwegel) town'}]
    >>> find_events(record, unit="LIB 32").empty, len(find_events(record, unit="lib-321"))
    (True, 2)
    """
    record = require_record(record, helper="find_events", needs="places and sources")
    chosen = record.filter(places=place) if place is not None else record
    ev = chosen.events
    keep = np.ones(len(ev), dtype=bool)
    if actor is not None:
        wanted = set(resolve_actors(record.actors, [actor] if isinstance(actor, str) else list(actor)))
        keep &= involves(ev, wanted, columns=("attackers", "defenders", "other_parties"))
    if unit is not None:
        pattern = _unit_pattern(unit)
        hay = ev["unit"].astype("string").fillna("") + " | " + ev["target"].astype("string").fillna("")
        keep &= hay.map(lambda s: bool(pattern.search(s))).to_numpy(dtype=bool)
    if text is not None:
        place_name = dict(zip(record.places["place_id"].astype(str), record.places["name"].astype(str)))
        hay = (
            ev["summary"].astype("string").fillna("")
            + " "
            + ev["target"].astype("string").fillna("")
            + " "
            + ev["unit"].astype("string").fillna("")
            + " "
            + ev["place_id"].astype("string").map(place_name).fillna("")
        )
        words = _key(text)
        keep &= hay.map(lambda s: words in _key(s)).to_numpy(dtype=bool)
    return _event_table(record, ev[keep])


def _ids(events) -> list[str]:
    if isinstance(events, pd.DataFrame):
        return list(events["event_id"].astype(str))
    if isinstance(events, str):
        return [e.strip() for e in events.split(LIST_SEP) if e.strip()]
    return [str(e) for e in events]


def sources_for(record: Record, events: str | Iterable[str] | pd.DataFrame) -> pd.DataFrame:
    """The cited pages behind events: one row per event and page, in the event's citation order.

    ``events`` is a list of event ids, a ``;``-list (as ``claims_vs_record``'s
    ``event_ids``), or a frame with an ``event_id`` column (as :func:`find_events`
    returns). An id the record does not have raises ``KeyError``.

    >>> pages = sources_for(load_record(), "KO-0001")
    >>> pages[["event_id", "source_id", "publisher"]].to_dict("records")
    [{'event_id': 'KO-0001', 'source_id': 'S0004', 'publisher': 'Kachin News Group'}]
    """
    record = require_record(record, helper="sources_for", needs="sources")
    ids = _ids(events)
    ev = record.events.set_index(record.events["event_id"].astype(str))
    missing = [i for i in ids if i not in ev.index]
    if missing:
        raise KeyError(f"no event {', '.join(map(repr, missing[:5]))} in the record")
    src = record.sources.set_index(record.sources["source_id"].astype(str))
    rows = []
    for eid in dict.fromkeys(ids):
        for sid in str(ev.at[eid, "source_ids"]).split(LIST_SEP):
            if not sid:
                continue
            s = src.loc[sid]
            rows.append(
                {
                    "event_id": eid,
                    "date": ev.at[eid, "date"],
                    "source_id": sid,
                    "publisher": s["publisher"],
                    "title": s["title"],
                    "published": s["published"],
                    "independent": bool(s["independent"]),
                    "url": s["url"],
                }
            )
    cols = ["event_id", "date", "source_id", "publisher", "title", "published", "independent", "url"]
    out = pd.DataFrame(rows, columns=cols)
    out["published"] = pd.to_datetime(out["published"]).astype("datetime64[ns]")
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
    return out


def behind_claim(record: Record, claim_id: str) -> pd.DataFrame:
    """The events the record counts against one claim (as :func:`find_events` shows them).

    The same events ``claims_vs_record`` tallied for the claim's metric, scope and
    window; pass the result to :func:`sources_for` for their pages.

    >>> from kachin_analysis import claims_vs_record
    >>> record = load_record()
    >>> row = claims_vs_record(record).set_index("claim_id").loc["C002"]
    >>> int(behind_claim(record, "C002")["positions"].sum()) == int(row["record_value"])
    True
    """
    from .claims import claims_vs_record

    cv = claims_vs_record(record).set_index("claim_id")
    if claim_id not in cv.index:
        raise KeyError(f"no claim {claim_id!r} in the record; claims run {cv.index[0]}–{cv.index[-1]}")
    ids = _ids(cv.at[claim_id, "event_ids"])
    ev = record.events[record.events["event_id"].astype(str).isin(ids)]
    return _event_table(record, ev)


def gaps(record: Record) -> pd.DataFrame:
    """What the record does not cover or knows only roughly, counted from the record itself.

    One row per kind of gap: ``what``, ``count`` and ``examples``.

    >>> g = gaps(load_record()).set_index("what")
    >>> int(g.loc["places with no coordinates", "count"]) >= 3
    True
    """
    record = require_record(record, helper="gaps", needs="places and sources")
    ev, places = record.events, record.places
    used = set(ev["place_id"].dropna().astype(str))
    pl = places[places["place_id"].astype(str).isin(used)]
    no_xy = pl[pl["latitude"].isna() & (pl["kind"].astype(str) != "area")]
    seat = pl[pl["geo_precision"].astype("string").isin(["township", "district"]).fillna(False)]
    caps = ev[ev["event_type"].astype(str) == "capture"]
    no_count = caps[caps["positions"].isna()]
    floor = caps[caps["positions_precision"].astype("string").isin(["at_least", "approximate"]).fillna(False)]
    coarse = ev[ev["date_precision"].astype(str) != "day"]
    claimed = ev[ev["confidence"].astype(str) == "claimed"]
    nobody = ev[ev["attackers"].isna()]
    months = ev.groupby(ev["date"].dt.to_period("M")).size()
    months = months.reindex(pd.period_range(months.index.min(), months.index.max(), freq="M"), fill_value=0)
    thin = months[months < 5]
    towns = places[places["kind"].astype(str).isin(SETTLEMENT_KINDS) & (places["admin_status"].astype(str) != "none")]
    from .control import control_timeline

    changed = set(control_timeline(record, level="town")["place_id"].astype(str)) if len(ev) else set()
    unknown_holder = towns[~towns["place_id"].astype(str).isin(changed) & towns["place_id"].astype(str).isin(used)]

    def ex(frame: pd.DataFrame, col: str, n: int = 4) -> str:
        vals = list(dict.fromkeys(frame[col].astype(str)))
        return ", ".join(vals[:n]) + (" …" if len(vals) > n else "")

    rows = [
        (
            "months with fewer than 5 events (less reported, not necessarily quieter)",
            len(thin),
            ", ".join(p.strftime("%b %Y") for p in thin.index[:4]) + (" …" if len(thin) > 4 else ""),
        ),
        ("places with no coordinates", len(no_xy), ex(no_xy, "name")),
        ("places located only at a township or district seat", len(seat), ex(seat, "name")),
        (
            "ranked towns with events but no recorded change of hands (holder unknown)",
            len(unknown_holder),
            ex(unknown_holder, "name"),
        ),
        ("events dated only to the week or month", len(coarse), ex(coarse, "event_id")),
        ("captures with no count of positions", len(no_count), ex(no_count, "event_id")),
        ("captures whose count is a floor or approximation", len(floor), ex(floor, "event_id")),
        ("events resting on a belligerent's statement alone (claimed)", len(claimed), ex(claimed, "event_id")),
        ("events whose sources do not say who acted", len(nobody), ex(nobody, "event_id")),
    ]
    return pd.DataFrame(rows, columns=["what", "count", "examples"])
