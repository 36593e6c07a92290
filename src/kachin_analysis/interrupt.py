"""Ctrl-C and SIGTERM end a command cleanly: workers stopped, temporary files removed, no traceback.

:func:`handled` installs one handler for SIGINT and SIGTERM. In the process that
installed it, the handler terminates every worker process (``multiprocessing``
children, e.g. a ``ProcessPoolExecutor``'s) and raises :class:`Interrupted`, a
``KeyboardInterrupt``, so ``finally`` blocks and :func:`kachin_analysis.files.atomic_write_bytes`
clean up on the way out. A forked worker inherits the handler and simply exits,
silently: the parent reports once.

Example
-------
>>> with handled():
...     pass
"""

from __future__ import annotations

import contextlib
import os
import signal

__all__ = ["Interrupted", "handled", "stop_workers"]


class Interrupted(KeyboardInterrupt):
    """Raised in the main process on SIGINT or SIGTERM; ``signum`` says which."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def stop_workers() -> None:
    """Terminate, then reap, every live ``multiprocessing`` child of this process."""
    import multiprocessing

    children = multiprocessing.active_children()
    for child in children:
        child.terminate()
    for child in children:
        child.join(timeout=5)
        if child.is_alive():  # pragma: no cover - a worker that ignores SIGTERM
            child.kill()


@contextlib.contextmanager
def handled():
    """Within the block, SIGINT and SIGTERM stop the workers and raise :class:`Interrupted` in this process."""
    owner = os.getpid()

    def on_signal(signum, frame):
        if os.getpid() != owner:  # a forked worker: leave quietly, the owner reports
            os._exit(128 + signum)
        signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C while stopping is not a second traceback
        try:
            stop_workers()
        finally:
            signal.signal(signum, on_signal)
        raise Interrupted(signum)

    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[sig] = signal.signal(sig, on_signal)
        except ValueError:  # not the main thread: leave signals alone
            pass
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
