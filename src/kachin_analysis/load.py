"""Read the record's CSV files, validate them against the schema, return typed frames.

Invalid input raises one :class:`RecordError` that lists every problem found,
each with file, line (the header is line 1), column, the offending value and
what was expected. Nothing is dropped, trimmed or coerced: a file either loads
whole and exactly, or does not load.

This module holds the public loaders and the :class:`Record`; the work is done,
one job per module, by :mod:`~kachin_analysis.parse` (CSV text ↔ frames),
:mod:`~kachin_analysis.checks` (cells, rows, keys), :mod:`~kachin_analysis.rules`
(``schema.RULES``), :mod:`~kachin_analysis.cache` (validated records kept as
Parquet) and :mod:`~kachin_analysis.errors` (what a problem report says).

Example
-------
>>> from kachin_analysis import load_record
>>> record = load_record()
>>> record.events["event_type"].dtype.ordered
True
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .cache import read_cached, record_key, write_cached
from .checks import check_cells, check_keys, check_rows
from .errors import Problem, RecordError, RecordWarning
from .files import atomic_write_text
from .parse import RawTable, cast_table, format_table, read_raw
from .paths import data_dir
from .rules import check_declared_rules
from .schema import TABLES, Table

__all__ = [
    "Problem",
    "Record",
    "RecordError",
    "RecordWarning",
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
    ) -> Record:
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



# --------------------------------------------------------------------------- public API


def _read_checked(table: Table, path: Path) -> tuple[RawTable, list[Problem]]:
    """One table's file, parsed, with every problem of its cells and rows."""
    raw, problems = read_raw(path, table)
    if raw.frame is not None:
        problems += check_cells(raw)
        problems += check_rows(raw)
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
    raw, problems = _read_checked(table, p)
    if problems:
        raise RecordError(problems)
    assert raw.frame is not None
    return cast_table(raw.frame, table)


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
    key = record_key(folder) if cache else None
    cached = read_cached(key) if key is not None else None
    if cached is not None:
        tables, warned = cached
        return Record(**tables, warnings=warned)
    record = _validate_record(folder)
    if key is not None:
        write_cached(key, record.tables, record.warnings)
    return record


def _validate_record(folder: Path) -> Record:
    raws: dict[str, RawTable] = {}
    problems: list[Problem] = []
    for name, table in TABLES.items():
        raw, found = _read_checked(table, folder / table.filename)
        raws[name] = raw
        problems += found
    flagged = {(p.file, p.line, p.column) for p in problems}
    problems += [p for p in check_keys(raws) if (p.file, p.line, p.column) not in flagged]  # one message per cell
    bad_cells = {(p.file, p.line) for p in problems}
    errors, warned = check_declared_rules(raws)
    # A rule's finding on a row that already has a listed problem would only repeat it.
    problems += [p for p in errors if (p.file, p.line) not in bad_cells]
    if problems:
        raise RecordError(problems)
    frames = {name: cast_table(raw.frame, TABLES[name]) for name, raw in raws.items() if raw.frame is not None}

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
    formatted = format_table(frame, table)
    raw = RawTable(table, Path(path).name, formatted, list(range(2, len(formatted) + 2)))
    problems = check_cells(raw) + check_rows(raw) if len(formatted) else []
    if problems:  # the loader would refuse the file: say so now, and leave any existing file as it is
        raise RecordError(problems)
    atomic_write_text(path, formatted.to_csv(index=False, lineterminator="\n"))
