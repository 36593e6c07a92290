"""Safe file output: atomic writes and spreadsheet-safe CSV cells.

Every file the package writes goes through :func:`atomic_write_bytes`, so a
failure half-way leaves the previous file intact, and every target is checked
first (:func:`check_file_target`, :func:`check_output_dir`): a folder, a
symbolic link or a device is refused with a message, never a traceback.
:func:`update_json_object` merges into a shared JSON file under a lock.

Example
-------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
>>> atomic_write_text(p, "hello")
>>> p.read_text()
'hello'
>>> neutralise_cell("=1+1")
"'=1+1"
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import sys
import tempfile
import warnings
from pathlib import Path

# Characters that make a spreadsheet treat a cell as a formula (OWASP list).
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")


class OutputError(OSError):
    """A file or folder cannot be written where asked; the message says why and what to give instead."""


def check_file_target(path: str | os.PathLike) -> Path:
    """``path`` as a :class:`Path` if a file may be (re)written there, else :class:`OutputError` saying why.

    Refused: a folder, a symbolic link (it would be replaced by a file, not followed), a device, pipe or socket,
    a parent that is a file, and a parent folder that is not writable.

    >>> import tempfile
    >>> check_file_target(tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    kachin_analysis.files.OutputError: ... is a folder; give a file name inside it ...
    """
    path = Path(path)
    if path.is_symlink():
        raise OutputError(
            f"{path} is a symbolic link (to {os.readlink(path)}); writing would replace the link "
            "with a file. Give the link's target or another file name"
        )
    if path.is_dir():
        raise OutputError(f"{path} is a folder; give a file name inside it (e.g. {path / 'out.csv'})")
    if path.exists() and not path.is_file():
        raise OutputError(f"{path} is not a regular file (a device, pipe or socket); give a file name")
    for parent in (path.parent, *path.parent.parents):
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(f"cannot write {path}: {parent} is a file, not a folder")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise OutputError(f"cannot write {path}: the folder {parent} is not writable")
            break
    return path


def check_output_dir(path: str | os.PathLike) -> Path:
    """``path`` as a :class:`Path` once it is a writable folder (created if missing), else :class:`OutputError`.

    >>> import tempfile, pathlib
    >>> check_output_dir(pathlib.Path(tempfile.mkdtemp()) / "new").is_dir()
    True
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path} is a file, not a folder; give a folder to write into")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder {path}: {exc.strerror}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputError(f"the folder {path} is not writable (read-only); give another folder with --out")
    return path


_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>[0-9]+)\.[^.]+\.tmp$")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_temps(folder: Path, name: str) -> None:
    """Remove temporary files of ``name`` left in ``folder`` by a writer that was killed (its process is gone)."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        m = _TEMP.match(entry.name)
        if m and m["name"] == name and int(m["pid"]) != os.getpid() and not _pid_alive(int(m["pid"])):
            try:
                entry.unlink()
            except OSError:
                pass


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and an atomic rename.

    The target is checked first (:func:`check_file_target`); an existing file keeps its permission bits (a new
    one gets 0644); an error or interrupt (Ctrl-C, SIGTERM via :mod:`kachin_analysis.interrupt`) removes the
    temporary file, and a temporary file left by a killed writer is removed by the next write.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "b.bin"
    >>> atomic_write_bytes(p, b"x"); p.read_bytes()
    b'x'
    """
    path = check_file_target(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder {path.parent}: {exc.strerror}") from None
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = 0o644
    _remove_stale_temps(path.parent, path.name)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_output(path: str | os.PathLike, data: bytes) -> str:
    """Write ``data`` to ``path`` atomically, or to standard output when ``path`` is ``-``; returns where it went.

    >>> import tempfile, pathlib
    >>> write_output(pathlib.Path(tempfile.mkdtemp()) / "o.txt", b"x").endswith("o.txt")
    True
    """
    if str(path) == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return "standard output"
    atomic_write_bytes(path, data)
    return str(path)


def read_json_object(path: str | os.PathLike) -> dict:
    """The JSON object in ``path``; ``{}`` when the file is missing. A file that is not a JSON object is
    treated as empty, with a warning naming it (it is a cache: the caller rebuilds what it listed).

    >>> read_json_object("/nonexistent/x.json")
    {}
    """
    path = Path(path)
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        warnings.warn(f"{path} is not readable JSON ({exc}); it is ignored and rewritten", stacklevel=2)
        return {}
    if not isinstance(value, dict):
        warnings.warn(
            f"{path} holds a JSON {type(value).__name__}, not an object; it is ignored and rewritten", stacklevel=2
        )
        return {}
    return value


@contextlib.contextmanager
def locked(path: str | os.PathLike):
    """Hold an exclusive lock on ``path`` + ``.lock`` (POSIX ``flock``; elsewhere no lock) for the block."""
    lock_path = Path(str(path) + ".lock")
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(lock_path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def update_json_object(path: str | os.PathLike, entries: dict) -> dict:
    """Merge ``entries`` into the JSON object in ``path`` under a lock and write it atomically; returns the result.

    Two processes updating the same file keep each other's entries (each re-reads the file inside the lock).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.json"
    >>> _ = update_json_object(p, {"a": 1}); update_json_object(p, {"b": 2})
    {'a': 1, 'b': 2}
    """
    with locked(path):
        current = read_json_object(path)
        current.update(entries)
        atomic_write_bytes(path, (json.dumps(current, indent=1, sort_keys=True) + "\n").encode())
    return current


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write UTF-8 text atomically (``\\n`` line endings kept as given).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.txt"
    >>> atomic_write_text(p, "é"); p.read_bytes()
    b'\\xc3\\xa9'
    """
    atomic_write_bytes(path, text.encode("utf-8"))


def neutralise_cell(value: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with ``'``; reversible.

    >>> neutralise_cell("-5"), neutralise_cell("KIA"), neutralise_cell("'=x")
    ("'-5", 'KIA', "''=x")
    """
    return "'" + value if _FORMULA.match(value) else value


def restore_cell(value: str) -> str:
    """Undo :func:`neutralise_cell`.

    >>> restore_cell("''=x"), restore_cell("'-5"), restore_cell("it's")
    ("'=x", '-5', "it's")
    """
    return value[1:] if value.startswith("'") and _FORMULA.match(value[1:]) else value
