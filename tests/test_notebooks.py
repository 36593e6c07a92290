"""Every notebook runs top to bottom in a fresh kernel, shows its figures, and is committed without outputs."""

from __future__ import annotations

import json
import re

import pytest

from kachin_analysis import notebooks

PATHS = notebooks.notebook_paths()


def test_there_is_a_notebook_per_question():
    names = [p.stem for p in PATHS]
    assert names == ["00-the-record", "01-outposts-captured-over-time", "02-offensive-phases", "03-actor-involvement",
                     "04-territorial-control-and-map", "05-claims-vs-record", "06-with-acled"]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    assert not notebooks.has_outputs(path), f"run: kachin-analysis notebooks --strip ({path.name})"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_notebooks_are_thin(path):
    """Prose plus one-line calls into the package: no function or class definitions."""
    cells = json.loads(path.read_text())["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    assert not re.search(r"^\s*(def|class|lambda)\b", code, re.M)
    assert sum(c["cell_type"] == "markdown" for c in cells) >= 3


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_notebook_runs_and_shows_its_figures(path, monkeypatch):
    from test_network import offline_env

    monkeypatch.setenv("PYTHONPATH", offline_env()["PYTHONPATH"])  # the kernel inherits it: no network inside
    nb = notebooks.execute(path, timeout=300)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    expected = sum("".join(c.source).count("figures.build(") for c in nb.cells if c.cell_type == "code")
    images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert images == expected
