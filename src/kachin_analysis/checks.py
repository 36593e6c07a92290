"""Check a parsed table cell by cell and row by row, and the keys between tables.

Each check returns a list of :class:`~kachin_analysis.errors.Problem`, one per defect, never raising, so the
loader can report every defect of every table at once. The rules come from the schema (kind, vocabulary,
pattern, bounds, required, primary and foreign keys); the expectation in each message is written from the
same declaration (:func:`expectation`). Rules between rows and tables declared in ``schema.RULES`` live in
:mod:`kachin_analysis.rules`.

>>> from kachin_analysis.schema import TABLES
>>> cell_ok("2024-03-07", TABLES["events"].column("date")), cell_ok("07/03/2024", TABLES["events"].column("date"))
(True, False)
>>> expectation(TABLES["events"].column("date_precision"))
'one of day, week, month'
"""

from __future__ import annotations

import datetime as dt
import math
import re

from .errors import FORBIDDEN, Problem
from .parse import RawTable
from .schema import EARLIEST_DATE, LIST_SEP, Column

__all__ = ["MAX_CELL", "cell_ok", "check_cells", "check_keys", "check_rows", "expectation", "is_date"]

# A single cell may hold at most this many characters (a summary is one sentence).
MAX_CELL = 10_000
# A text cell a spreadsheet would run as a formula.
_FORMULA_START = ("=", "+", "-", "@")


# --------------------------------------------------------------------------- one cell


def _today() -> dt.date:
    return dt.date.today()


def is_date(v: str, earliest: dt.date = EARLIEST_DATE) -> bool:
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


def expectation(col: Column) -> str:
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


_TEXT_RULE = (
    ", with no control characters (tab, newline, NUL, escape, bidi override) and not starting with "
    "= + - @ (a spreadsheet would run it as a formula)"
)


def cell_ok(v: str, col: Column) -> bool:
    if v == "":
        return not col.required
    if v != v.strip() or len(v) > MAX_CELL or FORBIDDEN.search(v):
        return False
    if col.kind == "date":
        return is_date(v, col.earliest)
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


def check_cells(raw: RawTable) -> list[Problem]:
    """Every cell against its column's declaration, and the primary key's uniqueness; one problem per cell,
    in file order."""
    found: list[tuple[int, int, Problem]] = []
    for position, col in enumerate(raw.table.columns):
        found += [(line, position, p) for line, p in _column_problems(raw, col)]
    found.sort(key=lambda item: item[:2])
    return [p for _, _, p in found]


def _column_problems(raw: RawTable, col: Column) -> list[tuple[int, Problem]]:
    assert raw.frame is not None
    expected = expectation(col)
    blank = f"a value (the cell is required); {expected}"
    is_key = col.name == raw.table.primary_key
    verdict: dict[str, bool] = {}  # a column repeats few values: judge each distinct one once
    seen: set[str] = set()
    out = []
    for line, v in zip(raw.lines, raw.frame[col.name]):
        ok = verdict.get(v)
        if ok is None:
            ok = verdict[v] = cell_ok(v, col)
        if not ok:
            out.append((line, Problem(raw.file, line, col.name, v, blank if v == "" and col.required else expected)))
        elif is_key and v in seen:
            out.append((line, Problem(raw.file, line, col.name, v, "a unique value (this id is already used above)")))
        seen.add(v)
    return out


# --------------------------------------------------------------------------- one row


def check_rows(raw: RawTable) -> list[Problem]:
    """Rules within a row that involve more than one column: columns filled together, columns an event type
    may leave empty, a phase that ends before it starts."""
    assert raw.frame is not None
    problems: list[Problem] = []
    for line, row in zip(raw.lines, raw.frame.itertuples(index=False)):
        problems += _filled_together(raw, line, row)
        if raw.table.name == "events":
            problems += _required_unless(raw, line, row)
        if raw.table.name == "phases":
            problems += _phase_ends_after_start(raw, line, row)
    return problems


def _filled_together(raw: RawTable, line: int, row) -> list[Problem]:
    out = []
    for group in raw.table.filled_together:
        filled = [getattr(row, c) != "" for c in group]
        if any(filled) and not all(filled):
            gap = group[filled.index(False)]
            out.append(Problem(raw.file, line, gap, "", f"{', '.join(group)} all filled or all empty"))
    return out


def _required_unless(raw: RawTable, line: int, row) -> list[Problem]:
    if row.event_type not in raw.table.column("event_type").vocabulary:
        return []  # the event type's own problem is listed
    return [
        Problem(
            raw.file,
            line,
            col.name,
            "",
            f"a value for this {row.event_type} event (only {', '.join(col.required_unless)} events may leave it empty)",
        )
        for col in raw.table.columns
        if col.required_unless and getattr(row, col.name) == "" and row.event_type not in col.required_unless
    ]


def _phase_ends_after_start(raw: RawTable, line: int, row) -> list[Problem]:
    start_col, end_col = raw.table.column("start"), raw.table.column("end")  # each date against its own range
    if is_date(row.start, start_col.earliest) and is_date(row.end, end_col.earliest) and row.end < row.start:
        return [Problem(raw.file, line, "end", row.end, f"a date on or after start ({row.start})")]
    return []


# --------------------------------------------------------------------------- keys between tables


def check_keys(raws: dict[str, RawTable]) -> list[Problem]:
    """Every foreign key (and every item of a list of keys) names a row of the table it references."""
    keys = {name: set(raw.frame[raw.table.primary_key]) for name, raw in raws.items() if raw.frame is not None}
    problems: list[Problem] = []
    for raw in raws.values():
        if raw.frame is None:
            continue
        for col in raw.table.columns:
            ref_table = col.references.split(".")[0] if col.references else None
            if ref_table in keys:  # else no reference, or that table failed to parse and its problems are listed
                problems += _unknown_keys(raw, col, keys[ref_table] | set(col.also_allowed))
    return problems


def _unknown_keys(raw: RawTable, col: Column, known: set[str]) -> list[Problem]:
    assert raw.frame is not None and col.references is not None
    ref_table = col.references.split(".")[0]
    out = []
    for line, value in zip(raw.lines, raw.frame[col.name]):
        items = (value.split(LIST_SEP) if col.kind == "list" else [value]) if value else []
        out += [
            Problem(raw.file, line, col.name, item, f"an id listed in {ref_table}.csv ({col.references})")
            for item in items
            if item not in known
        ]
    return out
