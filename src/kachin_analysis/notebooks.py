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
from typing import Any

from . import workers
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


def _kernel_manager():
    """A manager for one fresh kernel, over local sockets (IPC) where the system has them, so the kernel's traffic
    never goes through the network stack (and the kernel does not warn that TCP is unencrypted); TCP on Windows."""
    from jupyter_client.manager import AsyncKernelManager

    if os.name == "nt":
        return AsyncKernelManager(kernel_name="python3")
    import uuid

    from jupyter_core.paths import jupyter_runtime_dir

    folder = Path(jupyter_runtime_dir())
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    # An absolute socket path: the kernel runs from the notebook's folder, the client from anywhere.
    return AsyncKernelManager(
        kernel_name="python3", transport="ipc", ip=str(folder / f"kachin-{uuid.uuid4().hex[:12]}")
    )


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
    client = Client(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        shutdown_kernel="immediate",
    )
    client.km = _kernel_manager()  # set after construction, so the client still owns it and stops its kernel
    return nb, client


async def _started(path: Path, timeout: int):
    """A notebook and its client, with the kernel process launched (it boots while other work goes on)."""
    nb, client = _client(path, timeout)
    await client.async_start_new_kernel()
    return path, nb, client


async def _stop(started) -> None:
    """Stop the kernel of a notebook that was started but will not run (and remove its connection files)."""
    await started[2].km.shutdown_kernel(now=True)


async def _run_started(started, timeout: int, save: bool):
    """Run a started notebook; a cell that gets no reply within ``timeout`` is retried once, whole, in a fresh
    kernel."""
    import warnings

    import nbformat
    from nbclient.exceptions import CellTimeoutError

    path, nb, client = started
    try:
        await client.async_execute()
    except CellTimeoutError:
        message = f"{path.name}: a cell got no reply in {timeout} s; running the notebook again in a fresh kernel"
        warnings.warn(message, RuntimeWarning, stacklevel=2)
        path, nb, client = await _started(path, timeout)
        await client.async_execute()
    if save:
        atomic_write_text(path, nbformat.writes(nb) + "\n")
    return nb


async def _run_each(take, timeout: int, save: bool, report) -> None:
    """Run the notebooks ``take()`` hands out (``None``: no more), one after another, each in a fresh kernel,
    calling ``report(path, nb, seconds)`` as each finishes.

    Each notebook's kernel is launched as the notebook before it starts, so it has booted by the time it is
    needed: a runner otherwise sits idle ~0.35 s a notebook waiting for its kernel (the suite, two at a time:
    median 9.18 s before, 8.72 s after, in 5 alternating rounds). A kernel launched for a notebook that will
    not run is stopped.
    """
    import time

    upcoming = take()
    started = await _started(upcoming, timeout) if upcoming is not None else None
    while started is not None:
        current = started
        try:
            upcoming = take()
            started = await _started(upcoming, timeout) if upcoming is not None else None
        except BaseException:
            await _stop(current)
            raise
        begun = time.perf_counter()
        try:
            nb = await _run_started(current, timeout, save)
        except BaseException:
            if started is not None:
                await _stop(started)
            raise
        report(current[0], nb, time.perf_counter() - begun)


def execute(path: str | os.PathLike, *, timeout: int = CELL_TIMEOUT, save: bool = False):
    """Run a notebook top to bottom in a fresh kernel, from its own folder; returns the executed notebook.

    Raises nbclient's ``CellExecutionError`` naming the failing cell. A cell that gets no reply within
    ``timeout`` seconds is retried once, with the whole notebook, in a fresh kernel (with a warning). With
    ``save`` the executed notebook replaces the file.
    """
    return execute_all([path], jobs=1, timeout=timeout, save=save)[0]


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


#: Set before the runners fork, so they are inherited, never pickled: the notebooks to run (longest first), the
#: shared position of the next one to hand out, and the queue a runner reports each finished notebook on.
_TODO: list[Path] = []
_NEXT: Any = None
_FINISHED: Any = None


def _take_shared() -> Path | None:
    """In a runner: the next notebook nobody has taken yet, or None (all taken, or a runner failed)."""
    with _NEXT.get_lock():
        i = _NEXT.value
        if i >= len(_TODO):
            return None
        _NEXT.value = i + 1
    return _TODO[i]


def _import_nbformat_in_runner() -> None:
    """In a runner process: import nbformat as if rfc3987-syntax were not installed.

    jsonschema, which nbformat imports, uses that package only to check strings of the "iri" format, and the
    package builds its parser as it is imported: 0.73 s of nbformat's 0.87 s import, in every runner. The
    notebook schemas check no string format. Only runners, processes of ours, do this; a user's process is never
    changed, and the package can be imported again right after.
    """
    workers.import_without("nbformat", "rfc3987_syntax", looked_for_by="jsonschema")


def _runner(timeout: int, save: bool) -> dict[str, Any]:
    """In a runner process: run notebooks from the shared list until none is left; returns them by path."""
    from jupyter_core.utils import run_sync

    _import_nbformat_in_runner()
    done: dict[str, Any] = {}

    def report(path, nb, seconds):
        done[str(path)] = nb
        _FINISHED.put((str(path), seconds))

    try:
        run_sync(_run_each)(_take_shared, timeout, save, report)
    except BaseException:
        with _NEXT.get_lock():  # the other runners start nothing new
            _NEXT.value = len(_TODO)
        raise
    return done


def execute_all(paths, *, jobs: int = 2, timeout: int = CELL_TIMEOUT, save: bool = False, progress=None) -> list:
    """Run many notebooks, ``jobs`` at a time, each in a fresh kernel; returns them executed, in order.

    With ``jobs`` > 1 each runner is a process of its own (forked, Linux) that takes the next notebook from a
    shared list as it starts one, so that notebook's kernel boots in the meantime; the notebooks that look longest
    (:func:`_expected_work`) are handed out first, and the list returned keeps the order given.
    ``progress(path, seconds)`` is called as each notebook finishes. The first failure is raised; notebooks not
    yet started are not run.

    >>> [nb.metadata["kernelspec"]["name"] for nb in execute_all(notebook_paths()[:1])]
    ['python3']
    """
    from jupyter_core.utils import run_sync  # works inside a running event loop too (a notebook, say)

    paths = [Path(p) for p in paths]
    if jobs > 1 and len(paths) > 1:
        done = _run_in_runners(paths, min(jobs, len(paths)), timeout, save, progress)
        return [done[str(p)] for p in paths]
    done, todo = {}, list(reversed(paths))

    def report(path, nb, seconds):
        done[str(path)] = nb
        if progress:
            progress(path, seconds)

    run_sync(_run_each)(lambda: todo.pop() if todo else None, timeout, save, report)
    return [done[str(p)] for p in paths]


def _run_in_runners(paths: list[Path], runners: int, timeout: int, save: bool, progress) -> dict[str, Any]:
    """:func:`execute_all` with ``runners`` forked processes; returns the executed notebooks by path."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _TODO, _NEXT, _FINISHED
    # The longest first, so that no runner is left with a long notebook while the other has finished (~1 s of
    # the eight, measured).
    fork = multiprocessing.get_context("fork")
    _TODO, _NEXT, _FINISHED = sorted(paths, key=_expected_work, reverse=True), fork.Value("i", 0), fork.Queue()
    try:
        pool = ProcessPoolExecutor(max_workers=runners, mp_context=fork)
        futures = [pool.submit(_runner, timeout, save) for _ in range(runners)]  # forks the runners
        finished = _FINISHED
    finally:
        _TODO, _NEXT, _FINISHED = [], None, None
    done: dict[str, Any] = {}
    with pool:
        for path, seconds in workers.reports(finished, futures, len(paths)):  # a runner's error is raised here
            if progress:
                progress(Path(path), seconds)
        for fut in futures:
            done.update(fut.result())
    return done
