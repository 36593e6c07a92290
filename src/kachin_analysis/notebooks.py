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

__all__ = ["CELL_TIMEOUT", "execute", "execute_all", "has_outputs", "notebook_paths", "strip"]


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


#: Seconds a cell may run before it is taken to be stuck. Every cell here finishes in a few seconds; the limit is for a
#: kernel that truly stops answering, not for slow work (a reply the client missed is caught by _poll_in_steps).
CELL_TIMEOUT = 60


#: Longest a client waits on a kernel socket before checking it directly (see :func:`_poll_in_steps`).
POLL_STEP = 0.2


def _poll_in_steps(channel, step: float = POLL_STEP) -> None:
    """Make ``channel.get_msg`` wait in polls of at most ``step`` seconds, however long its timeout.

    ZeroMQ tells the event loop that a socket is readable through an edge-triggered descriptor. On the shell
    socket, which sends each request and receives its reply, a send can swallow the edge of a reply arriving at
    the same moment; one long wait then sleeps through a reply that is already there. That was the notebook
    "stall": a cell whose outputs and idle status were in, but whose reply was read only when the 60 s cell
    timeout ran out (logged message by message: the reply had arrived 55 s before). A poll that times out ends
    with a direct, level-triggered check of the socket, so short polls pick such a reply up within ``step``.
    """
    import time
    from queue import Empty

    wait = channel.get_msg

    async def get_msg(timeout: float | None = None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                return await wait(timeout=step if left is None else min(step, left))
            except Empty:
                if left is not None and left <= step:
                    raise

    channel.get_msg = get_msg


def _client(path: Path, timeout: int):
    import nbformat
    from nbclient import NotebookClient

    class Client(NotebookClient):
        async def async_start_new_kernel_client(self):
            kc = await super().async_start_new_kernel_client()
            _poll_in_steps(kc.shell_channel)
            _poll_in_steps(kc.iopub_channel)
            return kc

    nb = nbformat.read(str(path), as_version=4)
    # Every output has arrived by the time the client shuts the kernel down, so it is stopped at once rather
    # than asked to exit (0.2-0.3 s a notebook, and no "KeyboardInterrupt caught in kernel" on stderr).
    return nb, Client(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        shutdown_kernel="immediate",
    )


async def _execute(path: Path, timeout: int, save: bool):
    """Run one notebook; a cell that gets no reply within ``timeout`` is retried once, whole, in a fresh kernel."""
    import warnings

    import nbformat
    from nbclient.exceptions import CellTimeoutError

    for attempt in (1, 2):
        nb, client = _client(path, timeout)
        try:
            await client.async_execute()
            break
        except CellTimeoutError:
            if attempt == 2:
                raise
            message = f"{path.name}: a cell got no reply in {timeout} s; running the notebook again in a fresh kernel"
            warnings.warn(message, RuntimeWarning, stacklevel=2)
    if save:
        atomic_write_text(path, nbformat.writes(nb) + "\n")
    return nb


def execute(path: str | os.PathLike, *, timeout: int = CELL_TIMEOUT, save: bool = False):
    """Run a notebook top to bottom in a fresh kernel, from its own folder; returns the executed notebook.

    Raises nbclient's ``CellExecutionError`` naming the failing cell. A cell that gets no reply within
    ``timeout`` seconds is retried once, with the whole notebook, in a fresh kernel (with a warning). With
    ``save`` the executed notebook replaces the file.
    """
    from jupyter_core.utils import run_sync  # works inside a running event loop too (a notebook, say)

    return run_sync(_execute)(Path(path), timeout, save)


def _execute_in_worker(path: str, timeout: int, save: bool):
    import time

    started = time.perf_counter()
    return execute(path, timeout=timeout, save=save), time.perf_counter() - started


def _expected_work(path: Path) -> int:
    """A rough measure of how long a notebook runs, to start the longest first: its code cells, with a cell that
    draws (builds a figure, plots, opens the page explorer) counted as five; a widget explorer opens on the figure
    just shown, so it does not count. Read from the JSON, no kernel needed.

    >>> _expected_work(notebook_paths()[4]) > _expected_work(notebook_paths()[6])
    True
    """
    import json

    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    code = ["".join(c.get("source", "")) for c in cells if c.get("cell_type") == "code"]
    return len(code) + 4 * sum(any(call in src for call in ("build(", "plot_", "explorer.explore(")) for src in code)


def execute_all(paths, *, jobs: int = 2, timeout: int = CELL_TIMEOUT, save: bool = False, progress=None) -> list:
    """Run many notebooks, ``jobs`` at a time, each in a fresh kernel; returns them executed, in order.

    With ``jobs`` > 1 each runner is a process of its own (forked, Linux), driving one kernel at a time, and the
    notebooks that look longest (:func:`_expected_work`) start first; the list returned keeps the order given.
    ``progress(path, seconds)`` is called as each notebook finishes. The first failure is raised; notebooks not
    yet started are not run.

    >>> [nb.metadata["kernelspec"]["name"] for nb in execute_all(notebook_paths()[:1])]
    ['python3']
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    paths = [Path(p) for p in paths]
    done: dict[Path, object] = {}
    if jobs <= 1 or len(paths) <= 1:
        for path in paths:
            nb, seconds = _execute_in_worker(str(path), timeout, save)
            done[path] = nb
            if progress:
                progress(path, seconds)
        return [done[p] for p in paths]
    # The longest first, so that no runner is left with a long notebook while the other has finished (~1 s of
    # the eight, measured); results still come back in the order given.
    longest_first = sorted(paths, key=_expected_work, reverse=True)
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(paths)), mp_context=multiprocessing.get_context("fork"))
    with pool:
        futures = {pool.submit(_execute_in_worker, str(p), timeout, save): p for p in longest_first}
        try:
            for future in as_completed(futures):
                nb, seconds = future.result()
                done[futures[future]] = nb
                if progress:
                    progress(futures[future], seconds)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return [done[p] for p in paths]
