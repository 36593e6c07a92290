"""The rules between rows and tables that ``schema.RULES`` declares, one function each.

``schema.RULES`` says what each rule is, in words, and whether it is an error or a warning; this module
checks it on the parsed text of the record (before casting), so a finding names the file, line and cell.
A test keeps the two lists equal: a rule declared and not checked, or checked and not declared, fails.

>>> sorted(RULE_CHECKS)[:2]
['claim-counts-from-before-it', 'event-inside-its-phase']
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re

from .errors import Problem
from .parse import RawTable
from .schema import BORDER_TOLERANCE_DEG, LIST_SEP, RULES, TABLES

__all__ = ["RULE_CHECKS", "check_declared_rules"]


def _date(v: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(v) if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v) else None
    except ValueError:
        return None


def _span(day: dt.date, precision: str) -> tuple[dt.date, dt.date]:
    """The days an event dated ``day`` with ``precision`` may have happened on."""
    if precision == "week":
        return day, day + dt.timedelta(days=6)
    if precision == "month":
        first = day.replace(day=1)
        nxt = first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(month=first.month + 1)
        return first, nxt - dt.timedelta(days=1)
    return day, day


def _rows(raw: RawTable):
    assert raw.frame is not None
    return zip(raw.lines, raw.frame.itertuples(index=False))


def _rule_month_starts_on_day_1(raws: dict[str, RawTable]) -> list[Problem]:
    raw, out = raws["events"], []
    for line, row in _rows(raw):
        d = _date(row.date)
        if row.date_precision == "month" and d is not None and d.day != 1:
            out.append(
                Problem(
                    raw.file,
                    line,
                    "date",
                    row.date,
                    f"the 1st of the month for a month-precision date ({d:%Y-%m}-01): the date of a "
                    "week or month is the first day of its span",
                )
            )
    return out


def _rule_event_inside_its_phase(raws: dict[str, RawTable]) -> list[Problem]:
    raw, phases = raws["events"], raws["phases"]
    spans = {}
    for _, ph in _rows(phases):
        start = _date(ph.start)
        if start is not None:
            spans[ph.phase_id] = (start, _date(ph.end) if ph.end else None)
    out = []
    for line, row in _rows(raw):
        d = _date(row.date)
        if d is None or row.phase_id not in spans or row.date_precision not in ("day", "week", "month"):
            continue
        first, last = _span(d, row.date_precision)
        start, end = spans[row.phase_id]
        if last < start or (end is not None and first > end):
            what = "date" if row.date_precision == "day" else f"{row.date_precision} ({first} to {last})"
            out.append(
                Problem(
                    raw.file,
                    line,
                    "date",
                    row.date,
                    f"an event whose {what} falls inside its phase {row.phase_id!r} "
                    f"({start} to {end or 'ongoing'}); fix the date or the phase_id",
                )
            )
    return out


def _rule_one_role_per_actor(raws: dict[str, RawTable]) -> list[Problem]:
    raw, out = raws["events"], []
    for line, row in _rows(raw):
        roles = {
            c: [i for i in getattr(row, c).split(LIST_SEP) if i] for c in ("attackers", "defenders", "other_parties")
        }
        seen: dict[str, str] = {}
        for column, items in roles.items():
            for item in items:
                if item in seen:
                    out.append(
                        Problem(
                            raw.file,
                            line,
                            column,
                            item,
                            f"an actor not also listed in {seen[item]} (an actor has one role in an event)",
                        )
                    )
                else:
                    seen[item] = column
    return out


def _rule_claim_counts_from_before_it(raws: dict[str, RawTable]) -> list[Problem]:
    raw, out = raws["claims"], []
    for line, row in _rows(raw):
        made, since = _date(row.date), _date(row.since) if row.since else None
        if made is not None and since is not None and since > made:
            out.append(
                Problem(
                    raw.file,
                    line,
                    "since",
                    row.since,
                    f"a date on or before the claim's date ({row.date}): a total cannot count from after it was announced",
                )
            )
    return out


@functools.lru_cache(maxsize=1)
def _myanmar_outline():
    """Myanmar and its neighbours as shapely geometries (None when the border layer is not installed)."""
    try:
        from shapely.geometry import Polygon
        from shapely.ops import unary_union

        from .geo import country_borders

        borders = country_borders((88.0, 106.0, 5.0, 32.0), 0.0)
    except Exception:  # the layer ships in an optional package: the warning is skipped, never the load
        return None
    shapes = {}
    for name, rings in borders:
        polys = [Polygon(r) for r in rings if len(r) >= 4]
        if polys:
            shapes[name] = unary_union(polys)
    return shapes if "Myanmar" in shapes else None


def _rule_place_in_myanmar(raws: dict[str, RawTable]) -> list[Problem]:
    raw, out = raws["places"], list[Problem]()
    located: list[tuple] = []
    for line, row in _rows(raw):
        try:
            lat, lon = float(row.latitude), float(row.longitude)
        except ValueError:
            continue
        if math.isfinite(lat) and math.isfinite(lon):
            located.append((line, row, lat, lon))
    if not located:
        return out
    shapes = _myanmar_outline()
    if shapes is None:
        return out
    from shapely.geometry import Point

    for line, row, lat, lon in located:
        point = Point(lon, lat)
        off = shapes["Myanmar"].distance(point)
        if off > BORDER_TOLERANCE_DEG:
            inside = next((name for name, shape in shapes.items() if name != "Myanmar" and shape.contains(point)), None)
            where = f"in {inside}, " if inside else ""
            out.append(
                Problem(
                    raw.file,
                    line,
                    "latitude",
                    f"{row.latitude}, {row.longitude}",
                    f"coordinates in Myanmar; this point lies {where}about {off * 111:.0f} km outside "
                    "Myanmar's border (latitude and longitude swapped, or a place of the same name elsewhere?)",
                )
            )
    return out


def _rule_recapture_follows_capture(raws: dict[str, RawTable]) -> list[Problem]:
    raw, out = raws["events"], []
    captured: dict[str, str] = {}  # place → earliest capture date (ISO dates sort as text)
    for _, row in _rows(raw):
        if row.event_type == "capture" and row.place_id and _date(row.date):
            captured[row.place_id] = min(captured.get(row.place_id, row.date), row.date)
    for line, row in _rows(raw):
        if row.event_type == "recapture" and row.place_id and _date(row.date):
            if not (row.place_id in captured and captured[row.place_id] <= row.date):
                out.append(
                    Problem(
                        raw.file,
                        line,
                        "event_type",
                        "recapture",
                        f"a capture of {row.place_id!r} on or before {row.date} for this recapture to undo; "
                        "the record has none (taken before the record begins, or a capture not yet recorded?)",
                    )
                )
    return out


def _rule_id_is_referenced(raws: dict[str, RawTable]) -> list[Problem]:
    used: dict[str, set[str]] = {}
    for raw in raws.values():
        if raw.frame is None:
            continue
        for col in raw.table.columns:
            if col.references:
                ref_table = col.references.split(".")[0]
                for value in raw.frame[col.name]:
                    used.setdefault(ref_table, set()).update(value.split(LIST_SEP) if col.kind == "list" else [value])
    out = []
    for name in ("sources", "places", "actors", "phases"):
        ref = raws.get(name)
        if ref is None or ref.frame is None:
            continue
        raw = ref
        key = raw.table.primary_key
        for line, row in _rows(raw):
            value = getattr(row, key)
            if value not in used.get(name, set()):
                out.append(
                    Problem(
                        raw.file,
                        line,
                        key,
                        value,
                        f"an id some row refers to; nothing in the record references this {name[:-1]}",
                    )
                )
    return out


#: The implementation of each rule declared in ``schema.RULES``, by key.
RULE_CHECKS = {
    "month-starts-on-day-1": _rule_month_starts_on_day_1,
    "event-inside-its-phase": _rule_event_inside_its_phase,
    "one-role-per-actor": _rule_one_role_per_actor,
    "claim-counts-from-before-it": _rule_claim_counts_from_before_it,
    "place-in-myanmar": _rule_place_in_myanmar,
    "recapture-follows-capture": _rule_recapture_follows_capture,
    "id-is-referenced": _rule_id_is_referenced,
}


def check_declared_rules(raws: dict[str, RawTable]) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) from every rule of ``schema.RULES`` whose tables parsed."""
    errors: list[Problem] = []
    warned: list[Problem] = []
    for rule in RULES:
        needs = (
            list(TABLES)
            if rule.table == "*"
            else ["events", "phases"]
            if rule.key == "event-inside-its-phase"
            else [rule.table]
        )
        if rule.table != "*" and any(raws.get(n) is None or raws[n].frame is None for n in needs):
            continue
        found = RULE_CHECKS[rule.key](raws)
        (errors if rule.severity == "error" else warned).extend(found)
    return errors, warned
