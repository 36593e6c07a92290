"""What the figure workers and the notebook runners share: reading their reports as they come, and importing a
library without an optional dependency that only slows its import.

Both fork worker processes from a ``ProcessPoolExecutor`` and hear from them over a queue inherited at the fork.

Example
-------
>>> import queue
>>> from concurrent.futures import Future
>>> q, done = queue.Queue(), Future()
>>> q.put("first"); q.put("second")
>>> list(reports(q, [done], 2))
['first', 'second']
"""

from __future__ import annotations

import importlib
import queue
import sys
from collections.abc import Iterator


def reports(inbox, futures, count: int, *, poll: float = 0.25) -> Iterator:
    """The next ``count`` reports from ``inbox``, each as it arrives; a worker's error is raised here as soon as
    nothing new has come in for ``poll`` seconds and that worker's future holds it.

    >>> from concurrent.futures import Future
    >>> failed = Future(); failed.set_exception(RuntimeError("worker failed"))
    >>> list(reports(queue.Queue(), [failed], 1, poll=0.01))
    Traceback (most recent call last):
    ...
    RuntimeError: worker failed
    """
    for _ in range(count):
        while True:
            try:
                yield inbox.get(timeout=poll)
                break
            except queue.Empty:  # nothing new: has a worker failed?
                for fut in futures:
                    if fut.done() and fut.exception() is not None:
                        fut.result()  # raises the worker's error


def import_without(module: str, missing: str, *, looked_for_by: str | None = None) -> None:
    """Import ``module`` as if ``missing`` were not installed; ``missing`` is importable again right after.

    Only for a process of ours (a worker), and only where ``module`` supports running without ``missing``.
    Nothing happens when ``missing``, or the module that looks for it (``looked_for_by``, default ``module``),
    is imported already: that choice was made.

    >>> import_without("json", "decimal")
    >>> "json" in sys.modules
    True
    """
    if missing in sys.modules or (looked_for_by or module) in sys.modules:
        return
    sys.modules[missing] = None  # type: ignore[assignment]  # None makes `import missing` fail
    try:
        importlib.import_module(module)
    finally:
        del sys.modules[missing]
