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


@pytest.fixture(scope="session")
def built_figure(record):
    """``built_figure(key)``: the publication figure for ``key``, built once per session from the shipped record
    and shared by every test that only reads it (the figure, layout and alt-text tests)."""
    from kachin_analysis import figures

    cache = {}

    def get(key):
        if key not in cache:
            cache[key] = figures.build(key, record)
        return cache[key]

    return get


#: Doctests that render or build whole publication figures, or run a notebook: part of the slow suite.
SLOW_DOCTESTS = {
    "kachin_analysis.figures.render",
    "kachin_analysis.figures.render_all",
    "kachin_analysis.figures.build",
    "kachin_analysis.figures.chart_data_csv",
    "kachin_analysis.notebooks.execute_all",  # starts a kernel and runs a notebook
}


@pytest.hookimpl(trylast=True)  # after -m has deselected what this run leaves out
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.name in SLOW_DOCTESTS:
            item.add_marker(pytest.mark.slow)
    # Each notebook runs once per suite: in JupyterLab when the end-to-end test runs (same checks, plus the
    # browser's view), else in nbclient.
    if _e2e_runs(items):
        skip = pytest.mark.skip(reason="run once, in JupyterLab, by test_e2e_jupyterlab (the same checks)")
        for item in items:
            if getattr(item, "originalname", None) == "test_notebook_runs_and_shows_its_figures":
                item.add_marker(skip)


def _e2e_runs(items) -> bool:
    import shutil

    has_browser = bool(shutil.which("chromium") or shutil.which("chromium-browser"))
    return has_browser and any(item.get_closest_marker("e2e") and not item.get_closest_marker("skip") for item in items)


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
