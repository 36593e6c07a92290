"""CSV text ↔ frames: read a table's file exactly as written, cast checked text to typed columns, and back.

Parsing judges the file (bytes, encoding, CSV syntax, header, field counts) but no cell: a cell's text is kept
exactly, to be checked by :mod:`kachin_analysis.checks` and cast by :func:`cast_table` only once it passed.

>>> from kachin_analysis.schema import TABLES
>>> from kachin_analysis.paths import data_dir
>>> raw, problems = read_raw(data_dir() / "actors.csv", TABLES["actors"])
>>> problems, raw.lines[0]
([], 2)
>>> bool((format_table(cast_table(raw.frame, raw.table), raw.table) == raw.frame).all(axis=None))
True
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import Problem
from .schema import Table

__all__ = ["RawTable", "cast_table", "format_table", "read_raw"]


@dataclass
class RawTable:
    """One table as read: every cell the exact text of the file, with the line each row starts on."""

    table: Table
    file: str
    frame: pd.DataFrame | None  # every cell a str, "" for empty
    lines: list[int]  # line number (1-based, header = 1) where each row starts


def read_raw(path: Path, table: Table) -> tuple[RawTable, list[Problem]]:
    """Read ``path`` as CSV text for ``table``: the file's bytes, its encoding, its CSV syntax and its header;
    no cell is judged here (see :mod:`kachin_analysis.checks`)."""
    file = path.name
    problems: list[Problem] = []
    raw = RawTable(table, file, None, [])
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



def cast_table(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Checked text cells → typed columns as the schema declares them (empty cells become missing values)."""
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


def format_table(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """The inverse of :func:`cast_table`: every cell back to its CSV text."""
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
