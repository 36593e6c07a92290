"""Run and clean the project's notebooks (used by the tests, the benchmarks and the CLI).

Notebooks are committed without outputs; :func:`strip` removes them, and
:func:`execute` runs a notebook top to bottom in a fresh kernel.

Example
-------
>>> from kachin_analysis.notebooks import notebook_paths
>>> [p.name for p in notebook_paths()][:1]
['00-the-record.ipynb']
"""

from __future__ import annotations

import os
from pathlib import Path

from .files import atomic_write_text
from .paths import checkout_root

__all__ = ["execute", "has_outputs", "notebook_paths", "strip"]


def notebook_paths(folder: str | os.PathLike | None = None) -> list[Path]:
    """The numbered notebooks in ``folder`` (default: the checkout's ``notebooks/``), in order.

    >>> all(p.suffix == ".ipynb" for p in notebook_paths())
    True
    """
    root = Path(folder) if folder else (checkout_root() or Path.cwd()) / "notebooks"
    return sorted(p for p in root.glob("[0-9][0-9]-*.ipynb"))


def has_outputs(path: str | os.PathLike) -> bool:
    """True if any code cell of the notebook carries outputs or an execution count."""
    import json  # plain JSON: importing nbformat (and its schema validator) costs about a second

    cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    return any(c.get("cell_type") == "code" and (c.get("outputs") or c.get("execution_count")) for c in cells)


def strip(path: str | os.PathLike) -> None:
    """Remove outputs and execution counts, in place (atomically)."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    atomic_write_text(path, nbformat.writes(nb) + "\n")


def execute(path: str | os.PathLike, *, timeout: int = 600, save: bool = False):
    """Run a notebook top to bottom in a fresh kernel, from its own folder; returns the executed notebook.

    Raises nbclient's ``CellExecutionError`` naming the failing cell. With
    ``save`` the executed notebook replaces the file.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(str(path), as_version=4)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    if save:
        atomic_write_text(path, nbformat.writes(nb) + "\n")
    return nb
