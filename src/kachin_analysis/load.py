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
import datetime as dt
import io
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from .files import atomic_write_text, neutralise_cell, restore_cell
from .paths import data_dir
from .schema import (
    EARLIEST_DATE,
    LIST_SEP,
    ROLE,
    SIDE,
    TABLES,
    Column,
    Table,
)

__all__ = [
    "Problem",
    "Record",
    "RecordError",
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
        return f"{where}: found {shown!r}, expected {self.expected}"


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

    frame = pd.DataFrame(kept, columns=header, dtype=object)[expected]
    frame = frame.map(restore_cell) if len(frame) else frame
    raw.frame = frame
    raw.lines = kept_starts
    return raw, problems


# --------------------------------------------------------------------------- cell checks


def _today() -> dt.date:
    return dt.date.today()


def _is_date(v: str, earliest: dt.date = EARLIEST_DATE) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        return False
    try:
        d = dt.date.fromisoformat(v)
    except ValueError:
        return False
    return earliest <= d <= _today()


def _is_int(v: str, col: Column) -> bool:
    if not re.fullmatch(r"\d+", v):
        return False
    n = int(v)
    return (col.minimum is None or n >= col.minimum) and (col.maximum is None or n <= col.maximum)


def _is_number(v: str, col: Column) -> bool:
    if not re.fullmatch(r"-?\d+(\.\d+)?", v):
        return False
    x = float(v)
    return math.isfinite(x) and (col.minimum is None or x >= col.minimum) and (col.maximum is None or x <= col.maximum)


def _is_list(v: str, col: Column) -> bool:
    items = v.split(LIST_SEP)
    if any(not i or i != i.strip() for i in items) or len(set(items)) != len(items):
        return False
    return col.pattern is None or all(re.fullmatch(col.pattern, i) for i in items)


def _expectation(col: Column) -> str:
    """What a valid cell of ``col`` looks like, in words."""
    if col.kind == "date":
        return f"a date YYYY-MM-DD between {col.earliest.isoformat()} and today"
    if col.kind == "integer":
        lo = "" if col.minimum is None else f" ≥ {int(col.minimum)}"
        return f"a whole number{lo}"
    if col.kind == "number":
        return f"a decimal number between {col.minimum} and {col.maximum}"
    if col.kind == "boolean":
        return "true or false"
    if col.kind == "category":
        return "one of " + ", ".join(col.vocabulary)
    if col.kind == "list":
        what = f" matching {col.pattern}" if col.pattern else ""
        return f"a ;-separated list of distinct items{what}, without spaces around ;"
    if col.pattern:
        return f"text matching {col.pattern}"
    return "text"


def _cell_ok(v: str, col: Column) -> bool:
    if v == "":
        return not col.required
    if v != v.strip() or len(v) > MAX_CELL:
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
        return re.fullmatch(col.pattern, v) is not None
    return True


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
        out[col.name] = [neutralise_cell(t) for t in text]
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


def _cache_dir() -> Path:
    if os.environ.get("KACHIN_CACHE_DIR"):
        return Path(os.environ["KACHIN_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kachin-analysis"


def _record_key(folder: Path) -> str | None:
    """Fingerprint of the six files and of the code that validates them; None if a file is missing."""
    import hashlib

    h = hashlib.sha256()
    for name, table in TABLES.items():
        path = folder / table.filename
        if not path.is_file():
            return None
        h.update(name.encode() + b"\0" + path.read_bytes())
    for module in ("schema.py", "load.py"):
        h.update((Path(__file__).parent / module).read_bytes())
    h.update(pd.__version__.encode())
    return h.hexdigest()


def _read_cached(key: str) -> Record | None:
    folder = _cache_dir() / key
    try:
        return Record(**{name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLES})
    except Exception:  # a missing, partial or unreadable cache is simply rebuilt
        return None


def _write_cached(key: str, record: Record) -> None:
    import shutil
    import tempfile

    root = _cache_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=root, prefix=".tmp-"))
        for name, frame in record.tables.items():
            frame.to_parquet(tmp / f"{name}.parquet", index=False)
        try:
            os.replace(tmp, root / key)  # atomic: a reader sees the whole cache or none
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError:
        pass  # a read-only home is not an error: the record just validates every time


def load_record(path: str | os.PathLike | None = None, *, cache: bool = True) -> Record:
    """Load and validate every table of the record, with all cross-table keys checked.

    Phases come back ordered by start date; ``events.phase_id`` is an ordered
    categorical in that order, and actors are ordered by side.

    A record that validated once is kept, typed, in a cache (``KACHIN_CACHE_DIR``,
    else ``~/.cache/kachin-analysis``) keyed by the exact bytes of its six files
    and of the validating code, so an unchanged record loads without validating
    again; any edit changes the key. ``cache=False`` always validates.

    >>> record = load_record()
    >>> list(record.events["phase_id"].cat.categories) == list(record.phases["phase_id"])
    True
    """
    folder = data_dir(path)
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
    problems += _foreign_keys(raws)
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
    return Record(**frames)


def write_table(frame: pd.DataFrame, path: str | os.PathLike, name: str) -> None:
    """Write a frame shaped like table ``name`` to CSV atomically, exactly as the loader reads it.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "actors.csv"
    >>> write_table(load_actors(), out, "actors")
    >>> load_actors(out).equals(load_actors())
    True
    """
    table = TABLES[name]
    text = _format(frame, table).to_csv(index=False, lineterminator="\n")
    atomic_write_text(path, text)


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
    if isinstance(record, Record):
        events, actors = record.events, record.actors
    else:
        events = record
    ids = events["event_id"].to_numpy()
    parts = []
    for role, column in (("attacker", "attackers"), ("defender", "defenders"), ("other_party", "other_parties")):
        if column not in events.columns:
            continue
        rows, items = _split_lists(events[column])
        items = np.asarray(items, dtype=object)
        side_col = f"{role}_side"
        side = events[side_col].astype(object).to_numpy()[rows] if side_col in events.columns else None
        parts.append(pd.DataFrame({"event_id": ids[rows], "actor_id": items, "role": role, "side": side, "_row": rows}))
    long = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["event_id", "actor_id", "role", "side", "_row"])
    long["event_id"] = long["event_id"].astype("string")
    long["role"] = pd.Categorical(long["role"], categories=list(ROLE), ordered=True)
    if actors is not None and len(actors):
        order = list(dict.fromkeys(actors["actor_id"].astype(str)))
        extra = sorted(set(long["actor_id"]) - set(order))
        side = dict(zip(actors["actor_id"].astype(str), actors["side"].astype(str)))
        long["side"] = pd.Categorical(long["actor_id"].map(side), categories=list(SIDE), ordered=True)
        long["actor_id"] = pd.Categorical(long["actor_id"], categories=order + extra, ordered=True)
    else:
        long["actor_id"] = pd.Categorical(long["actor_id"])
        long["side"] = pd.Categorical(long["side"], categories=list(SIDE), ordered=True)
    long = long.sort_values(["_row", "role"], kind="stable").reset_index(drop=True)
    return long.drop(columns="_row")


def actor_rows(events: pd.DataFrame, column: str = "attackers") -> tuple[np.ndarray, pd.Categorical]:
    """Fast path for aggregation: (row position in ``events``, actor as a categorical) for every listed actor.

    >>> rows, actors = actor_rows(load_events())
    >>> len(rows) == len(actors)
    True
    """
    return _split_lists(events[column])
