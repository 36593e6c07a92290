"""Read the record's CSV files, validate them against the schema, return typed frames.

Invalid input raises one :class:`RecordError` that lists every problem found,
each with file, line (the header is line 1), column, the offending value and
what was expected. Nothing is dropped, trimmed or coerced: a file either loads
whole and exactly, or does not load.

Example
-------
>>> from kachin_analysis import load_record
>>> record = load_record()
>>> record.events["event_type"].dtype.ordered
True
"""

from __future__ import annotations

import csv
import functools
import datetime as dt
import io
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from .files import atomic_write_text
from .paths import data_dir
from .schema import (
    BORDER_TOLERANCE_DEG,
    EARLIEST_DATE,
    LIST_SEP,
    ROLE,
    RULES,
    SIDE,
    TABLES,
    Column,
    Table,
)

__all__ = [
    "Problem",
    "Record",
    "RecordError",
    "RecordWarning",
    "event_actors",
    "load_actors",
    "load_claims",
    "load_events",
    "load_phases",
    "load_places",
    "load_record",
    "load_sources",
    "load_table",
    "write_table",
]

# A single cell may hold at most this many characters (a summary is one sentence).
MAX_CELL = 10_000
MAX_SHOWN = 60  # characters of an offending value quoted in a message
# Characters no cell may hold: C0 and C1 controls (NUL, ESC, newline, tab …), bidirectional overrides and
# isolates (they reorder what a reader sees), line/paragraph separators, surrogates and private-use points.
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ue000-\uf8ff\ufeff]")
# A text cell a spreadsheet would run as a formula.
_FORMULA_START = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Problem:
    """One defect in one cell (or one line, or one file)."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column:
            where += f", column {self.column!r}"
        if self.value is None:
            return f"{where}: expected {self.expected}"
        shown = self.value if len(self.value) <= MAX_SHOWN else self.value[:MAX_SHOWN] + "…"
        shown = shown.encode("ascii", "backslashreplace").decode("ascii") if _FORBIDDEN.search(shown) else shown
        return f"{where}: found {shown!r}, expected {self.expected}"


class RecordWarning(UserWarning):
    """The record loaded, but holds something legal and suspicious (see ``Record.warnings``)."""


class RecordError(ValueError):
    """The record (or one table of it) failed validation; ``problems`` lists every defect."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        lines = [f"{n} problem{'s' if n != 1 else ''} in the record:"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


@dataclass
class Record:
    """All tables of the record, validated together.

    >>> record = load_record()
    >>> sorted(record.tables)[:3]
    ['actors', 'claims', 'events']
    """

    sources: pd.DataFrame
    actors: pd.DataFrame
    places: pd.DataFrame
    phases: pd.DataFrame
    events: pd.DataFrame
    claims: pd.DataFrame
    #: Legal but suspicious findings of the schema's warning rules (coordinates outside Myanmar, ids
    #: nothing references, a recapture with no earlier capture); ``kachin-analysis validate`` prints them.
    warnings: list[Problem] = field(default_factory=list, compare=False, repr=False)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in TABLES}

    def filter(
        self,
        *,
        start: str | dt.date | pd.Timestamp | None = None,
        end: str | dt.date | pd.Timestamp | None = None,
        actors: str | Iterable[str] | None = None,
        sides: str | Iterable[str] | None = None,
        phases: str | Iterable[str] | None = None,
        theatres: str | Iterable[str] | None = None,
        event_types: str | Iterable[str] | None = None,
        confidence: str | Iterable[str] | None = None,
        places: str | Iterable[str] | None = None,
    ) -> "Record":
        """The record cut to the events that match every given filter, as a :class:`Record` every helper accepts.

        ``start``/``end`` are inclusive dates. ``actors`` and ``sides`` match an
        event when any of its attackers or defenders is that actor or on that
        side. ``places`` takes place ids, names or aliases, and also matches
        a township, district or state by name. ``phases``, ``theatres``,
        ``event_types`` and ``confidence`` take their vocabulary values. The
        reference tables (sources, actors, places, phases) are kept whole, so
        every key still resolves; claims are kept when made inside the window
        and, if ``phases`` is given, scoped to one of them or to ``all``.
        A value that matches nothing raises ``ValueError`` listing the values
        there are, so a typo never returns an empty record silently.

        >>> record = load_record()
        >>> bhamo = record.filter(phases="bhamo", event_types="capture")
        >>> set(bhamo.events["phase_id"].astype(str)) == {"bhamo"}
        True
        >>> len(record.filter(start="2025-01-01").events) < len(record.events)
        True
        """
        from .filters import filter_record  # kept in its own module: the rules of each filter

        return filter_record(
            self, start=start, end=end, actors=actors, sides=sides, phases=phases, theatres=theatres,
            event_types=event_types, confidence=confidence, places=places,
        )

    def summary(self) -> dict[str, object]:
        """Row counts and the events' date range.

        >>> load_record().summary()["events"] > 0
        True
        """
        out: dict[str, object] = {name: len(frame) for name, frame in self.tables.items()}
        if len(self.events):
            out["first_event"] = self.events["date"].min().date().isoformat()
            out["last_event"] = self.events["date"].max().date().isoformat()
        return out


# --------------------------------------------------------------------------- parsing


@dataclass
class _Raw:
    table: Table
    file: str
    frame: pd.DataFrame | None  # every cell a str, "" for empty
    lines: list[int]  # line number (1-based, header = 1) where each row starts


def _read_raw(path: Path, table: Table) -> tuple[_Raw, list[Problem]]:
    file = path.name
    problems: list[Problem] = []
    raw = _Raw(table, file, None, [])
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return raw, [Problem(file, None, None, None, f"the file {path} to exist")]
    except OSError as exc:
        return raw, [Problem(file, None, None, None, f"a readable file ({exc.strerror})")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start : exc.start + 4]
        return raw, [Problem(file, line, None, repr(bad), "UTF-8 text (save the file as UTF-8)")]
    if not text.strip():
        header = ",".join(table.column_names)
        return raw, [Problem(file, None, None, None, f"a header row ({header}) and data rows, but the file is empty")]

    rows: list[list[str]] = []
    starts: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous_end = 0
    try:
        for record in reader:
            starts.append(previous_end + 1)
            previous_end = reader.line_num
            rows.append(record)
    except csv.Error as exc:
        return raw, [Problem(file, reader.line_num or 1, None, None, f"well-formed CSV ({exc})")]

    header, body, body_starts = rows[0], rows[1:], starts[1:]
    expected = table.column_names
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    dupes = sorted({c for c in header if header.count(c) > 1})
    for c in missing:
        problems.append(Problem(file, 1, c, None, f"a column named {c!r} in the header"))
    for c in extra:
        problems.append(Problem(file, 1, c, c, f"only the columns {', '.join(expected)}"))
    for c in dupes:
        problems.append(Problem(file, 1, c, c, "each column once"))
    if problems:
        return raw, problems

    kept: list[list[str]] = []
    kept_starts: list[int] = []
    for record, start in zip(body, body_starts):
        if record == []:  # a blank line
            problems.append(Problem(file, start, None, "", "no blank lines inside the file"))
            continue
        if len(record) != len(header):
            problems.append(
                Problem(file, start, None, ",".join(record)[:200], f"{len(header)} fields, found {len(record)}")
            )
            continue
        kept.append(record)
        kept_starts.append(start)
    if not body:
        problems.append(Problem(file, None, None, None, "at least one data row below the header"))
    if problems:
        return raw, problems

    # Cells are kept exactly as written: nothing is trimmed, unquoted or restored.
    frame = pd.DataFrame(kept, columns=header, dtype=object)[expected]
    raw.frame = frame
    raw.lines = kept_starts
    return raw, problems


# --------------------------------------------------------------------------- cell checks


def _today() -> dt.date:
    return dt.date.today()


def _is_date(v: str, earliest: dt.date = EARLIEST_DATE) -> bool:
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v):
        return False
    try:
        d = dt.date.fromisoformat(v)
    except ValueError:
        return False
    return earliest <= d <= _today()


def _is_int(v: str, col: Column) -> bool:
    # ASCII digits only (``\d`` would take Myanmar, Arabic or full-width digits), and few enough of them that
    # neither int() nor an Int64 column can overflow; the declared bounds do the rest.
    if not re.fullmatch(r"[0-9]{1,15}", v):
        return False
    n = int(v)
    return (col.minimum is None or n >= col.minimum) and (col.maximum is None or n <= col.maximum)


def _is_number(v: str, col: Column) -> bool:
    if not re.fullmatch(r"-?[0-9]{1,15}(\.[0-9]{1,15})?", v):
        return False
    x = float(v)
    return math.isfinite(x) and (col.minimum is None or x >= col.minimum) and (col.maximum is None or x <= col.maximum)


def _is_list(v: str, col: Column) -> bool:
    items = v.split(LIST_SEP)
    if any(not i or i != i.strip() for i in items) or len(set(items)) != len(items):
        return False
    if col.pattern is None:
        return not any(i.startswith(_FORMULA_START) for i in items)
    return all(re.fullmatch(col.pattern, i, re.ASCII) for i in items)


def _expectation(col: Column) -> str:
    """What a valid cell of ``col`` looks like, in words."""
    if col.kind == "date":
        return f"a date YYYY-MM-DD between {col.earliest.isoformat()} and today"
    if col.kind == "integer":
        lo = "" if col.minimum is None else f" ≥ {int(col.minimum)}"
        hi = "" if col.maximum is None else f"{' and' if lo else ''} ≤ {int(col.maximum)}"
        return f"a whole number{lo}{hi} in ASCII digits 0-9"
    if col.kind == "number":
        return f"a decimal number between {col.minimum} and {col.maximum} in ASCII digits 0-9"
    if col.kind == "boolean":
        return "true or false"
    if col.kind == "category":
        return "one of " + ", ".join(col.vocabulary)
    if col.kind == "list":
        if col.pattern:
            return f"a ;-separated list of distinct items matching {col.pattern} (ASCII), without spaces around ;"
        return f"a ;-separated list of distinct items, without spaces around ;{_TEXT_RULE}"
    if col.pattern:
        return f"text matching {col.pattern} (ASCII characters only)"
    return "text" + _TEXT_RULE


_TEXT_RULE = (", with no control characters (tab, newline, NUL, escape, bidi override) and not starting with "
              "= + - @ (a spreadsheet would run it as a formula)")


def _cell_ok(v: str, col: Column) -> bool:
    if v == "":
        return not col.required
    if v != v.strip() or len(v) > MAX_CELL or _FORBIDDEN.search(v):
        return False
    if col.kind == "date":
        return _is_date(v, col.earliest)
    if col.kind == "integer":
        return _is_int(v, col)
    if col.kind == "number":
        return _is_number(v, col)
    if col.kind == "boolean":
        return v in ("true", "false")
    if col.kind == "category":
        return v in col.vocabulary
    if col.kind == "list":
        return _is_list(v, col)
    if col.pattern and not (col.also_allowed and v in col.also_allowed):
        return re.fullmatch(col.pattern, v, re.ASCII) is not None
    return not v.startswith(_FORMULA_START)  # free text: a spreadsheet must not run it


def _pandera_schema(table: Table):
    """A pandera schema checking every raw (string) cell of ``table``."""
    import pandera.pandas as pa  # imported here: validation is not needed at import time

    columns = {}
    for col in table.columns:
        blank = f"a value (the cell is required); {_expectation(col)}" if col.required else None
        checks = [
            pa.Check(
                lambda v, col=col: _cell_ok(v, col),
                element_wise=True,
                error=_expectation(col),
                name=col.name,
            )
        ]
        if blank:
            checks.insert(0, pa.Check(lambda v: v != "", element_wise=True, error=blank, name="required"))
        columns[col.name] = pa.Column(
            None,
            checks=checks,
            unique=col.name == table.primary_key,
            report_duplicates="exclude_first",
            nullable=False,
        )
    return pa.DataFrameSchema(columns, strict=True, ordered=True)


def _check_cells(raw: _Raw) -> list[Problem]:
    import pandera.pandas as pa

    assert raw.frame is not None
    schema = _pandera_schema(raw.table)
    try:
        schema.validate(raw.frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return []
    problems = []
    seen: set[tuple[int, str]] = set()
    for case in cases.itertuples(index=False):
        idx = case.index
        if idx is None or (isinstance(idx, float) and math.isnan(idx)):
            problems.append(Problem(raw.file, None, case.column, None, str(case.check)))
            continue
        key = (int(idx), str(case.column))
        if key in seen:  # one message per cell: "required" already says it all for blanks
            continue
        seen.add(key)
        check = str(case.check)
        expected = "a unique value (this id is already used above)" if "field_uniqueness" in check else check
        problems.append(Problem(raw.file, raw.lines[int(idx)], case.column, str(case.failure_case), expected))
    problems.sort(key=lambda p: (p.line or 0, raw.table.column_names.index(p.column) if p.column in raw.table.column_names else -1))
    return problems


def _check_rules(raw: _Raw) -> list[Problem]:
    """Row-level rules that involve more than one column."""
    f = raw.frame
    assert f is not None
    problems = []
    name = raw.table.name
    conditional = [c for c in raw.table.columns if c.required_unless]
    if name == "phases":  # each date checked against its own column's range
        start_col, end_col = raw.table.column("start"), raw.table.column("end")
    for i, row in enumerate(f.itertuples(index=False)):
        line = raw.lines[i]
        for group in raw.table.filled_together:
            filled = [getattr(row, c) != "" for c in group]
            if any(filled) and not all(filled):
                gap = group[filled.index(False)]
                problems.append(
                    Problem(raw.file, line, gap, "", f"{', '.join(group)} all filled or all empty")
                )
        if name == "events":
            if row.event_type in raw.table.column("event_type").vocabulary:
                for col in conditional:
                    if getattr(row, col.name) == "" and row.event_type not in col.required_unless:
                        problems.append(
                            Problem(raw.file, line, col.name, "",
                                    f"a value for this {row.event_type} event (only {', '.join(col.required_unless)} events may leave it empty)")
                        )
        if name == "phases" and _is_date(row.start, start_col.earliest) and _is_date(row.end, end_col.earliest) \
                and row.end < row.start:
            problems.append(Problem(raw.file, line, "end", row.end, f"a date on or after start ({row.start})"))
    return problems


# --------------------------------------------------------------------------- casting


def _cast(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    out = {}
    for col in table.columns:
        s = frame[col.name].astype(object)
        empty = s == ""
        if col.kind == "date":
            out[col.name] = pd.to_datetime(s.where(~empty, None), format="%Y-%m-%d").astype("datetime64[ns]")
        elif col.kind == "integer":
            out[col.name] = pd.array([None if e else int(v) for v, e in zip(s, empty)], dtype="Int64")
        elif col.kind == "number":
            out[col.name] = pd.array([math.nan if e else float(v) for v, e in zip(s, empty)], dtype="float64")
        elif col.kind == "boolean":
            out[col.name] = pd.array([None if e else v == "true" for v, e in zip(s, empty)], dtype="boolean")
        elif col.kind == "category":
            out[col.name] = pd.Categorical(s.where(~empty, None), categories=list(col.vocabulary), ordered=True)
        else:
            out[col.name] = pd.array(s.where(~empty, None), dtype="string")
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


def _format(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """The inverse of :func:`_cast`: every cell back to its CSV text."""
    out = {}
    for col in table.columns:
        s = frame[col.name]
        if col.kind == "date":
            text = [("" if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d")) for v in s]
        elif col.kind == "number":
            text = ["" if pd.isna(v) else repr(float(v)) for v in s]
        elif col.kind == "boolean":
            text = ["" if pd.isna(v) else ("true" if v else "false") for v in s]
        elif col.kind == "integer":
            text = ["" if pd.isna(v) else str(int(v)) for v in s]
        else:
            text = ["" if pd.isna(v) else str(v) for v in s]
        out[col.name] = text
    return pd.DataFrame(out, columns=table.column_names)


# --------------------------------------------------------------------------- public API


def _parse(table: Table, path: Path) -> tuple[_Raw, list[Problem]]:
    raw, problems = _read_raw(path, table)
    if raw.frame is not None:
        problems += _check_cells(raw)
        problems += _check_rules(raw)
    return raw, problems


def load_table(name: str, path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load one table by name from ``path`` (a file or a folder; default: the shipped record).

    >>> load_table("actors").columns[0]
    'actor_id'
    """
    table = TABLES[name]
    p = Path(path) if path is not None else data_dir()
    if p.is_dir() or path is None:
        p = p / table.filename
    raw, problems = _parse(table, p)
    if problems:
        raise RecordError(problems)
    return _cast(raw.frame, table)


def load_events(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load ``events.csv``: one row per reported event.

    >>> load_events()["event_id"].is_unique
    True
    """
    return load_table("events", path)


def load_places(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load ``places.csv``, the gazetteer.

    >>> bool(load_places()["latitude"].dropna().between(9, 29).all())
    True
    """
    return load_table("places", path)


def load_actors(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load ``actors.csv``.

    >>> "KIA" in set(load_actors()["actor_id"])
    True
    """
    return load_table("actors", path)


def load_phases(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load ``phases.csv``.

    >>> load_phases()["start"].dtype.kind
    'M'
    """
    return load_table("phases", path)


def load_sources(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load ``sources.csv``.

    >>> str(load_sources()["independent"].dtype)
    'boolean'
    """
    return load_table("sources", path)


def load_claims(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load ``claims.csv``: running totals announced by a belligerent.

    >>> str(load_claims()["value"].dtype)
    'Int64'
    """
    return load_table("claims", path)


def _foreign_keys(raws: dict[str, _Raw]) -> list[Problem]:
    keys: dict[str, set[str]] = {}
    for name, raw in raws.items():
        if raw.frame is not None:
            keys[name] = set(raw.frame[raw.table.primary_key])
    problems = []
    for name, raw in raws.items():
        if raw.frame is None:
            continue
        for col in raw.table.columns:
            if not col.references:
                continue
            ref_table, _ = col.references.split(".")
            if ref_table not in keys:
                continue  # that table failed to parse; its own problems are listed
            known = keys[ref_table] | set(col.also_allowed)
            for i, value in enumerate(raw.frame[col.name]):
                if value == "":
                    continue
                items = value.split(LIST_SEP) if col.kind == "list" else [value]
                for item in items:
                    if item not in known:
                        problems.append(
                            Problem(raw.file, raw.lines[i], col.name, item,
                                    f"an id listed in {ref_table}.csv ({col.references})")
                        )
    return problems


# --------------------------------------------------------------------------- the schema's rules (schema.RULES)


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
        nxt = (first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(month=first.month + 1))
        return first, nxt - dt.timedelta(days=1)
    return day, day


def _rows(raw: _Raw):
    assert raw.frame is not None
    return zip(raw.lines, raw.frame.itertuples(index=False))


def _rule_month_starts_on_day_1(raws: dict[str, _Raw]) -> list[Problem]:
    raw, out = raws["events"], []
    for line, row in _rows(raw):
        d = _date(row.date)
        if row.date_precision == "month" and d is not None and d.day != 1:
            out.append(Problem(raw.file, line, "date", row.date,
                               f"the 1st of the month for a month-precision date ({d:%Y-%m}-01): the date of a "
                               "week or month is the first day of its span"))
    return out


def _rule_event_inside_its_phase(raws: dict[str, _Raw]) -> list[Problem]:
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
            out.append(Problem(raw.file, line, "date", row.date,
                               f"an event whose {what} falls inside its phase {row.phase_id!r} "
                               f"({start} to {end or 'ongoing'}); fix the date or the phase_id"))
    return out


def _rule_one_role_per_actor(raws: dict[str, _Raw]) -> list[Problem]:
    raw, out = raws["events"], []
    for line, row in _rows(raw):
        roles = {c: [i for i in getattr(row, c).split(LIST_SEP) if i] for c in ("attackers", "defenders", "other_parties")}
        seen: dict[str, str] = {}
        for column, items in roles.items():
            for item in items:
                if item in seen:
                    out.append(Problem(raw.file, line, column, item,
                                       f"an actor not also listed in {seen[item]} (an actor has one role in an event)"))
                else:
                    seen[item] = column
    return out


def _rule_claim_counts_from_before_it(raws: dict[str, _Raw]) -> list[Problem]:
    raw, out = raws["claims"], []
    for line, row in _rows(raw):
        made, since = _date(row.date), _date(row.since) if row.since else None
        if made is not None and since is not None and since > made:
            out.append(Problem(raw.file, line, "since", row.since,
                               f"a date on or before the claim's date ({row.date}): a total cannot count from after it was announced"))
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


def _rule_place_in_myanmar(raws: dict[str, _Raw]) -> list[Problem]:
    raw, out = raws["places"], []
    located = []
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
            out.append(Problem(raw.file, line, "latitude", f"{row.latitude}, {row.longitude}",
                               f"coordinates in Myanmar; this point lies {where}about {off * 111:.0f} km outside "
                               "Myanmar's border (latitude and longitude swapped, or a place of the same name elsewhere?)"))
    return out


def _rule_recapture_follows_capture(raws: dict[str, _Raw]) -> list[Problem]:
    raw, out = raws["events"], []
    captured: dict[str, str] = {}  # place → earliest capture date (ISO dates sort as text)
    for _, row in _rows(raw):
        if row.event_type == "capture" and row.place_id and _date(row.date):
            captured[row.place_id] = min(captured.get(row.place_id, row.date), row.date)
    for line, row in _rows(raw):
        if row.event_type == "recapture" and row.place_id and _date(row.date):
            if not (row.place_id in captured and captured[row.place_id] <= row.date):
                out.append(Problem(raw.file, line, "event_type", "recapture",
                                   f"a capture of {row.place_id!r} on or before {row.date} for this recapture to undo; "
                                   "the record has none (taken before the record begins, or a capture not yet recorded?)"))
    return out


def _rule_id_is_referenced(raws: dict[str, _Raw]) -> list[Problem]:
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
        raw = raws.get(name)
        if raw is None or raw.frame is None:
            continue
        key = raw.table.primary_key
        for line, row in _rows(raw):
            value = getattr(row, key)
            if value not in used.get(name, set()):
                out.append(Problem(raw.file, line, key, value,
                                   f"an id some row refers to; nothing in the record references this {name[:-1]}"))
    return out


#: The implementation of each rule declared in ``schema.RULES``, by key.
_RULE_CHECKS = {
    "month-starts-on-day-1": _rule_month_starts_on_day_1,
    "event-inside-its-phase": _rule_event_inside_its_phase,
    "one-role-per-actor": _rule_one_role_per_actor,
    "claim-counts-from-before-it": _rule_claim_counts_from_before_it,
    "place-in-myanmar": _rule_place_in_myanmar,
    "recapture-follows-capture": _rule_recapture_follows_capture,
    "id-is-referenced": _rule_id_is_referenced,
}


def _check_declared_rules(raws: dict[str, _Raw]) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) from every rule of ``schema.RULES`` whose tables parsed."""
    errors: list[Problem] = []
    warned: list[Problem] = []
    for rule in RULES:
        needs = list(TABLES) if rule.table == "*" else ["events", "phases"] if rule.key == "event-inside-its-phase" else [rule.table]
        if rule.table != "*" and any(raws.get(n) is None or raws[n].frame is None for n in needs):
            continue
        found = _RULE_CHECKS[rule.key](raws)
        (errors if rule.severity == "error" else warned).extend(found)
    return errors, warned


#: Validated records kept in the cache; older entries are removed when a new one is written.
CACHE_KEEP = 8
#: Modules whose code shapes the values a load returns (parsing, validation, casting, ordering); the cache key
#: covers each of them, so an edit to any one is a new key. tests/test_load_errors.py checks this list
#: against the package modules load.py imports.
_CACHE_CODE = ("load.py", "schema.py", "files.py", "paths.py", "geo.py")


def _cache_dir() -> Path:
    if os.environ.get("KACHIN_CACHE_DIR"):
        return Path(os.environ["KACHIN_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kachin-analysis"


def _record_key(folder: Path) -> str | None:
    """Fingerprint of the six files, of the code that reads them and of the libraries that type them; None if a
    file is missing."""
    import hashlib
    import sys
    from importlib.metadata import version

    h = hashlib.sha256()
    for name, table in TABLES.items():
        path = folder / table.filename
        if not path.is_file():
            return None
        h.update(name.encode() + b"\0" + path.read_bytes())
    for module in _CACHE_CODE:
        h.update(module.encode() + b"\0" + (Path(__file__).parent / module).read_bytes())
    for lib in ("pandas", "numpy", "pyarrow", "pandera"):
        try:
            h.update(f"{lib}={version(lib)};".encode())
        except Exception:
            h.update(f"{lib}=?;".encode())
    h.update(sys.version.encode())
    return h.hexdigest()


_CACHE_INDEX = "index.json"  # per entry: sha256 of each parquet file, and the warnings


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_cached(key: str) -> Record | None:
    """The cached record for ``key``, or None when there is none or it fails its checksums (then it is removed)."""
    import json
    import shutil

    folder = _cache_dir() / key
    if not folder.is_dir():
        return None
    try:
        index = json.loads((folder / _CACHE_INDEX).read_text(encoding="utf-8"))
        files = index["files"]
        if set(files) != {f"{name}.parquet" for name in TABLES}:
            raise ValueError("incomplete cache entry")
        for fname, digest in files.items():
            if _sha256(folder / fname) != digest:
                raise ValueError(f"{fname} changed since it was cached")
        record = Record(**{name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLES})
        record.warnings = [Problem(**w) for w in index["warnings"]]
        os.utime(folder)  # most recently used: pruned last
        return record
    except Exception:  # missing, partial, tampered or unreadable: never served, rebuilt from the CSV files
        shutil.rmtree(folder, ignore_errors=True)
        return None


def _prune_cache(root: Path, keep: int = CACHE_KEEP) -> None:
    """Remove all but the ``keep`` most recently used entries, and temp folders left by a crashed write."""
    import shutil
    import time

    try:
        entries = [p for p in root.iterdir() if p.is_dir()]
    except OSError:
        return
    stale = [p for p in entries if p.name.startswith(".tmp-") and time.time() - p.stat().st_mtime > 3600]
    live = sorted((p for p in entries if not p.name.startswith(".")), key=lambda p: p.stat().st_mtime, reverse=True)
    for p in stale + live[keep:]:
        shutil.rmtree(p, ignore_errors=True)


def _write_cached(key: str, record: Record) -> None:
    import dataclasses
    import json
    import shutil
    import tempfile

    root = _cache_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=root, prefix=".tmp-"))
        try:
            files = {}
            for name, frame in record.tables.items():
                frame.to_parquet(tmp / f"{name}.parquet", index=False)
                files[f"{name}.parquet"] = _sha256(tmp / f"{name}.parquet")
            index = {"files": files, "warnings": [dataclasses.asdict(w) for w in record.warnings]}
            (tmp / _CACHE_INDEX).write_text(json.dumps(index), encoding="utf-8")
            os.replace(tmp, root / key)  # atomic: a reader sees the whole entry or none
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _prune_cache(root)
    except OSError:
        pass  # a read-only home is not an error: the record just validates every time


def _no_folder(folder: Path) -> RecordError | None:
    if folder.is_dir():
        return None
    what = "is a file, not a folder" if folder.exists() else "does not exist"
    return RecordError([Problem(str(folder), None, None, None,
                                f"a folder holding the record's CSV files ({', '.join(t.filename for t in TABLES.values())}); "
                                f"{folder} {what}")])


def load_record(path: str | os.PathLike | None = None, *, cache: bool = True) -> Record:
    """Load and validate every table of the record, with all cross-table keys and the schema's rules checked.

    Phases come back ordered by start date; ``events.phase_id`` is an ordered
    categorical in that order, and actors are ordered by side. Findings of the
    schema's warning rules are in ``record.warnings``.

    A record that validated once is kept, typed, in a cache (``KACHIN_CACHE_DIR``,
    else ``~/.cache/kachin-analysis``) keyed by the exact bytes of its six files,
    of the code that reads them and of the library versions; each entry carries
    checksums that are verified before it is served, and only the
    ``CACHE_KEEP`` most recently used entries are kept. ``cache=False`` always
    validates (``kachin-analysis validate`` does).

    >>> record = load_record()
    >>> list(record.events["phase_id"].cat.categories) == list(record.phases["phase_id"])
    True
    """
    folder = data_dir(path)
    missing = _no_folder(folder)
    if missing is not None:
        raise missing
    key = _record_key(folder) if cache else None
    if key is not None:
        cached = _read_cached(key)
        if cached is not None:
            return cached
    record = _validate_record(folder)
    if key is not None:
        _write_cached(key, record)
    return record


def _validate_record(folder: Path) -> Record:
    raws: dict[str, _Raw] = {}
    problems: list[Problem] = []
    for name, table in TABLES.items():
        raw, found = _parse(table, folder / table.filename)
        raws[name] = raw
        problems += found
    flagged = {(p.file, p.line, p.column) for p in problems}
    problems += [p for p in _foreign_keys(raws) if (p.file, p.line, p.column) not in flagged]  # one message per cell
    bad_cells = {(p.file, p.line) for p in problems}
    errors, warned = _check_declared_rules(raws)
    # A rule's finding on a row that already has a listed problem would only repeat it.
    problems += [p for p in errors if (p.file, p.line) not in bad_cells]
    if problems:
        raise RecordError(problems)
    frames = {name: _cast(raw.frame, TABLES[name]) for name, raw in raws.items()}

    phases = frames["phases"].sort_values(["start", "phase_id"], kind="stable").reset_index(drop=True)
    frames["phases"] = phases
    order = list(phases["phase_id"])
    frames["events"]["phase_id"] = pd.Categorical(frames["events"]["phase_id"], categories=order, ordered=True)
    actors = frames["actors"]
    actors = actors.assign(_o=actors["side"].cat.codes).sort_values("_o", kind="stable").drop(columns="_o")
    frames["actors"] = actors.reset_index(drop=True)
    return Record(**frames, warnings=warned)


def write_table(frame: pd.DataFrame, path: str | os.PathLike, name: str) -> None:
    """Write a frame shaped like table ``name`` to CSV atomically, exactly as the loader reads it.

    Cells are written verbatim; a frame holding a cell the loader would refuse (a control character, text
    starting with ``=``, a count out of bounds) raises :class:`RecordError` and writes nothing.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "actors.csv"
    >>> write_table(load_actors(), out, "actors")
    >>> load_actors(out).equals(load_actors())
    True
    """
    table = TABLES[name]
    formatted = _format(frame, table)
    raw = _Raw(table, Path(path).name, formatted, list(range(2, len(formatted) + 2)))
    problems = _check_cells(raw) + _check_rules(raw) if len(formatted) else []
    if problems:  # the loader would refuse the file: say so now, and leave any existing file as it is
        raise RecordError(problems)
    atomic_write_text(path, formatted.to_csv(index=False, lineterminator="\n"))


def _split_lists(values: pd.Series) -> tuple[np.ndarray, pd.Categorical]:
    """Split a column of ``;``-lists in Arrow: (row position of each item, the items as a categorical).

    Empty and missing cells give no items.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    arr = pa.array(values, type=pa.string(), from_pandas=True)
    lists = pc.split_pattern(arr, LIST_SEP)
    parents = pc.list_parent_indices(lists)
    items = pc.list_flatten(lists)
    keep = pc.not_equal(items, "")
    if not pc.all(keep).as_py():
        parents, items = pc.filter(parents, keep), pc.filter(items, keep)
    encoded = pc.dictionary_encode(items).combine_chunks() if hasattr(items, "chunks") else pc.dictionary_encode(items)
    labels = pd.Categorical.from_codes(encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32),
                                       categories=pd.Index(encoded.dictionary.to_pylist(), dtype=object))
    return parents.to_numpy(zero_copy_only=False).astype(np.int64), labels


def event_actors(record: Record | pd.DataFrame, actors: pd.DataFrame | None = None) -> pd.DataFrame:
    """Long view: one row per (event, actor, role), with the actor's side.

    Roles are ``attacker`` and ``defender`` (the parties to the fighting) and
    ``other_party`` (a state that closed a border or hosted talks); helpers
    about fighting keep only the first two.

    Accepts a :class:`Record`, or an events frame (plus an optional actors
    frame for the sides; frames from ``from_acled`` carry ``attacker_side`` and
    ``defender_side`` columns that are used instead).

    >>> ea = event_actors(load_record())
    >>> list(ea.columns)
    ['event_id', 'actor_id', 'role', 'side']
    """
    return _event_actors_rows(record, actors).drop(columns="_row")


def _event_actors_rows(record: Record | pd.DataFrame, actors: pd.DataFrame | None = None, *,
                       in_order: bool = True) -> pd.DataFrame:
    """:func:`event_actors` plus ``_row``, each item's row position in the events frame (for helpers that join
    event columns by position instead of merging on ``event_id`` strings). With ``in_order=False`` the rows come
    grouped by role rather than in event order, and without ``event_id`` (for helpers that aggregate)."""
    if isinstance(record, Record):
        events, actors = record.events, record.actors
    else:
        events = record
    # Everything stays columnar: actors as categorical codes from Arrow, ids taken from their own string array;
    # no Python object per row (which cost about 2 s at a million ACLED rows).
    rows_parts, role_parts, item_parts, side_parts = [], [], [], []
    for code, (role, column) in enumerate((("attacker", "attackers"), ("defender", "defenders"),
                                           ("other_party", "other_parties"))):
        if column not in events.columns:
            continue
        rows, items = _split_lists(events[column])
        rows_parts.append(rows)
        role_parts.append(np.full(len(rows), code, dtype=np.int8))
        item_parts.append(items)
        side_col = f"{role}_side"
        if side_col in events.columns:
            side_codes = pd.Categorical(events[side_col], categories=list(SIDE)).codes
            side_parts.append(side_codes[rows])
        else:
            side_parts.append(np.full(len(rows), -1, dtype=np.int8))
    if rows_parts:
        rows = np.concatenate(rows_parts)
        roles = np.concatenate(role_parts)
        sides = np.concatenate(side_parts).astype(np.int8)
        items = pd.api.types.union_categoricals(item_parts) if len(item_parts) > 1 else item_parts[0]
    else:
        rows, roles, sides = np.zeros(0, np.int64), np.zeros(0, np.int8), np.zeros(0, np.int8)
        items = pd.Categorical([])
    # Row order of the events, then role order; items keep their listed order within a cell (stable sort).
    if in_order:
        order = np.lexsort((roles, rows))
        rows, roles, sides = rows[order], roles[order], sides[order]
        items = items.take(order) if len(order) else items
    names = [str(c) for c in items.categories]
    if actors is not None and len(actors):
        declared = list(dict.fromkeys(actors["actor_id"].astype(str)))
        extra = sorted(set(names) - set(declared))
        actor_id = items.set_categories(declared + extra, ordered=True)
        side_of = dict(zip(actors["actor_id"].astype(str), actors["side"].astype(str)))
        side_by_category = pd.Categorical([side_of.get(a) for a in actor_id.categories], categories=list(SIDE)).codes
        side_codes = side_by_category[actor_id.codes] if len(actor_id) else np.zeros(0, np.int8)
        side = pd.Categorical.from_codes(np.where(actor_id.codes < 0, -1, side_codes), categories=list(SIDE), ordered=True)
    else:
        actor_id = items.set_categories(pd.Index(sorted(names), dtype=str), ordered=False)
        side = pd.Categorical.from_codes(sides, categories=list(SIDE), ordered=True)
    columns = {}
    if in_order:
        columns["event_id"] = events["event_id"].astype("string").array.take(rows) if len(rows) else \
            pd.array([], dtype=events["event_id"].astype("string").dtype)
    return pd.DataFrame({
        **columns,
        "actor_id": actor_id,
        "role": pd.Categorical.from_codes(roles, categories=list(ROLE), ordered=True),
        "side": side,
        "_row": rows,
    })


def actor_rows(events: pd.DataFrame, column: str = "attackers") -> tuple[np.ndarray, pd.Categorical]:
    """Fast path for aggregation: (row position in ``events``, actor as a categorical) for every listed actor.

    >>> rows, actors = actor_rows(load_events())
    >>> len(rows) == len(actors)
    True
    """
    return _split_lists(events[column])
