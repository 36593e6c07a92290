"""Shared fixtures: a tiny valid record to corrupt, and the real one."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

import kachin_analysis as ka

# The loader's cache of validated records goes to a throw-away folder, never the user's ~/.cache.
os.environ["KACHIN_CACHE_DIR"] = tempfile.mkdtemp(prefix="kachin-cache-")

FIXTURES = Path(__file__).parent / "fixtures"
MINIMAL = FIXTURES / "minimal"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def minimal_dir(tmp_path: Path) -> Path:
    """A writable copy of the tiny valid record in tests/fixtures/minimal."""
    dest = tmp_path / "record"
    shutil.copytree(MINIMAL, dest)
    return dest


@pytest.fixture(scope="session")
def minimal_record() -> ka.Record:
    return ka.load_record(MINIMAL)


@pytest.fixture(scope="session")
def record() -> ka.Record:
    """The shipped record, loaded once."""
    return ka.load_record()


def edit_cell(folder: Path, table: str, line: int, column: str, value: str) -> None:
    """Set one cell of ``table``.csv (line numbers as in the file, header = 1), keeping everything else byte-identical."""
    import csv
    import io

    path = folder / f"{table}.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[line - 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
