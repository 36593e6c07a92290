"""The cache of validated records: typed tables kept as Parquet, keyed by everything that shapes them.

A record that validated once is kept under ``KACHIN_CACHE_DIR`` (else ``$XDG_CACHE_HOME/kachin-analysis`` or
``~/.cache/kachin-analysis``), keyed by the exact bytes of its six files, of the code that reads them
(:data:`CACHE_CODE`) and of the library versions. Each entry carries checksums verified before it is served;
only the :data:`CACHE_KEEP` most recently used entries are kept. Nothing here judges the record: the
loader decides what goes in.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .errors import Problem
from .schema import TABLES

__all__ = ["CACHE_CODE", "CACHE_KEEP", "cache_dir", "read_cached", "record_key", "write_cached"]

#: Validated records kept in the cache; older entries are removed when a new one is written.
CACHE_KEEP = 8
#: Modules whose code shapes the values a load returns (parsing, validation, casting, ordering); the cache key
#: covers each of them, so an edit to any one is a new key. tests/test_writes.py checks this list
#: against the package modules load.py imports, directly or not
#: (the loading modules, and every package module they import).
CACHE_CODE = (
    "load.py",
    "errors.py",
    "parse.py",
    "checks.py",
    "rules.py",
    "cache.py",
    "schema.py",
    "files.py",
    "paths.py",
    "geo.py",
)


def cache_dir() -> Path:
    if os.environ.get("KACHIN_CACHE_DIR"):
        return Path(os.environ["KACHIN_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kachin-analysis"


def record_key(folder: Path) -> str | None:
    """Fingerprint of the six files, of the code that reads them and of the libraries that type them; None if a
    file is missing."""
    import hashlib
    import sys
    from importlib.metadata import version

    h = hashlib.sha256()
    for name, table in TABLES.items():
        path = folder / table.filename
        if not path.is_file():
            return None
        h.update(name.encode() + b"\0" + path.read_bytes())
    for module in CACHE_CODE:
        h.update(module.encode() + b"\0" + (Path(__file__).parent / module).read_bytes())
    for lib in ("pandas", "numpy", "pyarrow"):
        try:
            h.update(f"{lib}={version(lib)};".encode())
        except Exception:
            h.update(f"{lib}=?;".encode())
    h.update(sys.version.encode())
    return h.hexdigest()


_CACHE_INDEX = "index.json"  # per entry: sha256 of each parquet file, and the warnings


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_cached(key: str) -> tuple[dict[str, pd.DataFrame], list[Problem]] | None:
    """The cached tables and warnings for ``key``, or None when there is none or it fails its checksums (then it is removed)."""
    import json
    import shutil

    folder = cache_dir() / key
    if not folder.is_dir():
        return None
    try:
        index = json.loads((folder / _CACHE_INDEX).read_text(encoding="utf-8"))
        files = index["files"]
        if set(files) != {f"{name}.parquet" for name in TABLES}:
            raise ValueError("incomplete cache entry")
        for fname, digest in files.items():
            if _sha256(folder / fname) != digest:
                raise ValueError(f"{fname} changed since it was cached")
        tables = {name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLES}
        warned = [Problem(**w) for w in index["warnings"]]
        os.utime(folder)  # most recently used: pruned last
        return tables, warned
    except Exception:  # missing, partial, tampered or unreadable: never served, rebuilt from the CSV files
        shutil.rmtree(folder, ignore_errors=True)
        return None


def _prune_cache(root: Path, keep: int = CACHE_KEEP) -> None:
    """Remove all but the ``keep`` most recently used entries, and temp folders left by a crashed write."""
    import shutil
    import time

    try:
        entries = [p for p in root.iterdir() if p.is_dir()]
    except OSError:
        return
    stale = [p for p in entries if p.name.startswith(".tmp-") and time.time() - p.stat().st_mtime > 3600]
    live = sorted((p for p in entries if not p.name.startswith(".")), key=lambda p: p.stat().st_mtime, reverse=True)
    for p in stale + live[keep:]:
        shutil.rmtree(p, ignore_errors=True)


def write_cached(key: str, tables: dict[str, pd.DataFrame], warned: list[Problem]) -> None:
    """Keep a validated record's tables and warnings under ``key``; a folder that cannot be written is no error."""
    import dataclasses
    import json
    import shutil
    import tempfile

    root = cache_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=root, prefix=".tmp-"))
        try:
            files = {}
            for name, frame in tables.items():
                frame.to_parquet(tmp / f"{name}.parquet", index=False)
                files[f"{name}.parquet"] = _sha256(tmp / f"{name}.parquet")
            index = {"files": files, "warnings": [dataclasses.asdict(w) for w in warned]}
            (tmp / _CACHE_INDEX).write_text(json.dumps(index), encoding="utf-8")
            os.replace(tmp, root / key)  # atomic: a reader sees the whole entry or none
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _prune_cache(root)
    except OSError:
        pass  # a read-only home is not an error: the record just validates every time
