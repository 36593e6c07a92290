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


class _Refused(Exception):
    """The file cannot be read as this table; ``problems`` says why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems


def read_raw(path: Path, table: Table) -> tuple[RawTable, list[Problem]]:
    """Read ``path`` as CSV text for ``table``: the file's bytes, its encoding, its CSV syntax and its header;
    no cell is judged here (see :mod:`kachin_analysis.checks`)."""
    raw = RawTable(table, path.name, None, [])
    try:
        rows, starts = _csv_rows(_text(path, table), path.name)
        _check_header(rows[0], table, path.name)
        kept, raw.lines = _data_rows(rows, starts, path.name)
    except _Refused as refused:
        return raw, refused.problems
    # Cells are kept exactly as written: nothing is trimmed, unquoted or restored.
    raw.frame = pd.DataFrame(kept, columns=rows[0], dtype=object)[table.column_names]
    return raw, []


def _text(path: Path, table: Table) -> str:
    file = path.name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _Refused([Problem(file, None, None, None, f"the file {path} to exist")]) from None
    except OSError as exc:
        raise _Refused([Problem(file, None, None, None, f"a readable file ({exc.strerror})")]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start : exc.start + 4]
        raise _Refused([Problem(file, line, None, repr(bad), "UTF-8 text (save the file as UTF-8)")]) from None
    if not text.strip():
        header = ",".join(table.column_names)
        raise _Refused(
            [Problem(file, None, None, None, f"a header row ({header}) and data rows, but the file is empty")]
        )
    return text


def _csv_rows(text: str, file: str) -> tuple[list[list[str]], list[int]]:
    """Every row of the file, and the line each starts on (a quoted cell may span lines)."""
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
        raise _Refused([Problem(file, reader.line_num or 1, None, None, f"well-formed CSV ({exc})")]) from None
    return rows, starts


def _check_header(header: list[str], table: Table, file: str) -> None:
    expected = table.column_names
    problems = [Problem(file, 1, c, None, f"a column named {c!r} in the header") for c in expected if c not in header]
    problems += [Problem(file, 1, c, c, f"only the columns {', '.join(expected)}") for c in header if c not in expected]
    problems += [Problem(file, 1, c, c, "each column once") for c in sorted({c for c in header if header.count(c) > 1})]
    if problems:
        raise _Refused(problems)


def _data_rows(rows: list[list[str]], starts: list[int], file: str) -> tuple[list[list[str]], list[int]]:
    """The rows below the header, each with as many fields as the header, and their lines."""
    width = len(rows[0])
    problems = []
    for record, start in zip(rows[1:], starts[1:]):
        if record == []:  # a blank line
            problems.append(Problem(file, start, None, "", "no blank lines inside the file"))
        elif len(record) != width:
            problems.append(Problem(file, start, None, ",".join(record)[:200], f"{width} fields, found {len(record)}"))
    if len(rows) == 1:
        problems.append(Problem(file, None, None, None, "at least one data row below the header"))
    if problems:
        raise _Refused(problems)
    return rows[1:], starts[1:]


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
