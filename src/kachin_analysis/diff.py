"""What changed in the record between two versions: rows added, removed and changed, field by field.

Each side is a folder holding the record's CSV files, a git revision of this
checkout (``HEAD~1``, ``main``, a tag), or a :class:`~kachin_analysis.load.Record`.
Tables are compared as the text in their cells, keyed by their primary key,
so two versions with different columns still compare: a column only one side
has shows as changed cells from or to empty.

Example
-------
>>> import shutil, tempfile, pathlib
>>> from kachin_analysis.paths import data_dir
>>> new = pathlib.Path(tempfile.mkdtemp()) / "data"
>>> _ = shutil.copytree(data_dir(), new)
>>> text = (new / "actors.csv").read_text(encoding="utf-8")
>>> _ = (new / "actors.csv").write_text(text.replace("Kachin Independence Army,", "Kachin Independence Army (KIA),", 1), encoding="utf-8")
>>> record_diff(data_dir(), new)[["table", "id", "change", "column"]].to_dict("records")
[{'table': 'actors', 'id': 'KIA', 'change': 'changed', 'column': 'name'}]
"""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pandas as pd

from .load import Record
from .paths import checkout_root
from .schema import TABLES

__all__ = ["diff_text", "record_diff", "record_digest", "tables_at"]

_COLUMNS = ["table", "id", "change", "column", "old", "new"]


def _frame_of(record: Record, name: str) -> pd.DataFrame:
    from .parse import format_table  # the exact text the loader reads back

    return format_table(getattr(record, name), TABLES[name]).astype(str)


def tables_at(version: str | os.PathLike | Record) -> dict[str, pd.DataFrame]:
    """Every table of one version as text frames (``""`` for empty cells), by table name.

    ``version`` is a folder, a git revision of this checkout, or a Record.
    A table missing from that version is an empty frame.

    >>> sorted(tables_at("HEAD"))[:2]
    ['actors', 'claims']
    """
    if isinstance(version, Record):
        return {name: _frame_of(version, name) for name in TABLES}
    folder = Path(version)
    out = {}
    if folder.is_dir():
        for name, table in TABLES.items():
            path = folder / table.filename
            out[name] = _read(path.read_text(encoding="utf-8")) if path.exists() else pd.DataFrame()
        return out
    root = checkout_root()
    if root is None:
        raise FileNotFoundError(f"{version!s} is neither a folder nor a git revision (no git checkout here)")
    for name, table in TABLES.items():
        text = _git_show(root, str(version), f"data/{table.filename}")
        out[name] = _read(text) if text is not None else pd.DataFrame()
    return out


def _git_show(root: Path, rev: str, path: str) -> str | None:
    check = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
        capture_output=True,
        text=True,
    )
    if check.returncode != 0:
        raise FileNotFoundError(f"{rev!r} is neither a folder nor a git revision of {root}")
    shown = subprocess.run(["git", "-C", str(root), "show", f"{rev}:{path}"], capture_output=True)
    return shown.stdout.decode("utf-8") if shown.returncode == 0 else None


def _read(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)


def record_diff(old: str | os.PathLike | Record, new: str | os.PathLike | Record) -> pd.DataFrame:
    """Rows added, removed and changed (one row per changed field) between two versions of the record.

    Returns columns ``table``, ``id``, ``change`` (``added``, ``removed`` or
    ``changed``), ``column`` (the changed field; empty for whole rows),
    ``old`` and ``new`` (the cell texts), ordered by table and id.

    >>> record_diff("HEAD", "HEAD").empty
    True
    """
    before, after = tables_at(old), tables_at(new)
    rows: list[dict] = []
    for name, table in TABLES.items():
        a, b = before[name], after[name]
        key = table.primary_key
        a = a.set_index(key) if key in a.columns else pd.DataFrame(index=pd.Index([], name=key))
        b = b.set_index(key) if key in b.columns else pd.DataFrame(index=pd.Index([], name=key))
        for rid in b.index.difference(a.index, sort=False):
            rows.append(
                {"table": name, "id": rid, "change": "added", "column": "", "old": "", "new": _summary(b.loc[rid])}
            )
        for rid in a.index.difference(b.index, sort=False):
            rows.append(
                {"table": name, "id": rid, "change": "removed", "column": "", "old": _summary(a.loc[rid]), "new": ""}
            )
        common = a.index.intersection(b.index, sort=False)
        cols = list(dict.fromkeys([*a.columns, *b.columns]))
        left = a.reindex(index=common, columns=cols, fill_value="")
        right = b.reindex(index=common, columns=cols, fill_value="")
        diff = left.ne(right)
        for rid, col in zip(*diff.to_numpy().nonzero()):
            rows.append(
                {
                    "table": name,
                    "id": common[rid],
                    "change": "changed",
                    "column": cols[col],
                    "old": left.iat[rid, col],
                    "new": right.iat[rid, col],
                }
            )
    out = pd.DataFrame(rows, columns=_COLUMNS)
    order = {n: i for i, n in enumerate(TABLES)}
    return out.sort_values(
        ["table", "id", "column"], key=lambda s: s.map(order) if s.name == "table" else s, kind="stable"
    ).reset_index(drop=True)


def _summary(row: pd.Series, width: int = 80) -> str:
    text = " | ".join(str(v) for v in row.to_numpy() if str(v))
    return text if len(text) <= width else text[: width - 1] + "…"


def diff_text(diff: pd.DataFrame) -> str:
    """The diff as lines a person reads: a count per table, then each change.

    >>> diff_text(record_diff("HEAD", "HEAD"))
    'No differences.'
    """
    if diff.empty:
        return "No differences."
    lines = []
    for table, g in diff.groupby("table", sort=False):
        counts = g.drop_duplicates(["id", "change"])["change"].value_counts()
        lines.append(f"{table}: " + ", ".join(f"{counts.get(c, 0)} {c}" for c in ("added", "removed", "changed")))
        for r in g.itertuples(index=False):
            if r.change == "changed":
                lines.append(f"  ~ {r.id}.{r.column}: {r.old!r} → {r.new!r}")
            else:
                lines.append(f"  {'+' if r.change == 'added' else '-'} {r.id}: {r.new or r.old}")
    return "\n".join(lines)


def record_digest(folder: str | os.PathLike | None = None) -> str:
    """The fingerprint of one version of the record: sha256 over the six CSV files' names and exact bytes.

    CHANGELOG.md records it under each data version, and a test recomputes it, so a change to data/ cannot
    land without a new data version and a changelog entry.

    >>> len(record_digest())
    64
    """
    import hashlib

    from .paths import data_dir

    root = data_dir(folder)
    h = hashlib.sha256()
    for table in TABLES.values():
        h.update(table.filename.encode() + b"\0" + (root / table.filename).read_bytes())
    return h.hexdigest()
