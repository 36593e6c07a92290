"""Safe file output: atomic writes and spreadsheet-safe CSV cells.

Every file the package writes goes through :func:`atomic_write_bytes`, so a
failure half-way leaves the previous file intact.

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

import os
import re
import tempfile
from pathlib import Path

# Characters that make a spreadsheet treat a cell as a formula (OWASP list).
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and an atomic rename.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "b.bin"
    >>> atomic_write_bytes(p, b"x"); p.read_bytes()
    b'x'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


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
