"""What the loaders report: one :class:`Problem` per defect, gathered into one :class:`RecordError`.

Every module that reads or checks the record reports through these classes, so a message always names the
file, the line (the header is line 1), the column, the offending value and what was expected.

>>> str(Problem("events.csv", 3, "date", "2024-13-01", "a date YYYY-MM-DD"))
"events.csv, line 3, column 'date': found '2024-13-01', expected a date YYYY-MM-DD"
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["FORBIDDEN", "MAX_SHOWN", "Problem", "RecordError", "RecordWarning"]

MAX_SHOWN = 60  # characters of an offending value quoted in a message
# Characters no cell may hold: C0 and C1 controls (NUL, ESC, newline, tab …), bidirectional overrides and
# isolates (they reorder what a reader sees), line/paragraph separators, surrogates and private-use points.
FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ue000-\uf8ff\ufeff]")


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
        shown = shown.encode("ascii", "backslashreplace").decode("ascii") if FORBIDDEN.search(shown) else shown
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
