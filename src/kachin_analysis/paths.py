"""Where the record and the figures live.

The record is found, in this order: a directory passed in, the
``KACHIN_DATA_DIR`` environment variable, the ``data/`` folder of a source
checkout, and the copy shipped inside the installed wheel.

Example
-------
>>> from kachin_analysis.paths import data_dir
>>> (data_dir() / "events.csv").exists()
True
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

ENV_VAR = "KACHIN_DATA_DIR"
_CHECKOUT = Path(__file__).resolve().parents[2]


def checkout_root() -> Path | None:
    """The repository root when running from a source checkout, else ``None``.

    >>> root = checkout_root()
    >>> root is None or (root / "pyproject.toml").exists()
    True
    """
    return _CHECKOUT if (_CHECKOUT / "pyproject.toml").exists() and (_CHECKOUT / "data").is_dir() else None


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """Folder holding ``events.csv`` and the other tables.

    >>> data_dir("/tmp/somewhere")
    PosixPath('/tmp/somewhere')
    """
    if path is not None:
        return Path(path)
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    root = checkout_root()
    if root is not None:
        return root / "data"
    return Path(str(resources.files("kachin_analysis") / "data"))


def figures_dir(path: str | os.PathLike | None = None) -> Path:
    """Folder the publication figures are written to (``figures/`` of the checkout, else ``./figures``).

    >>> figures_dir("out").name
    'out'
    """
    if path is not None:
        return Path(path)
    root = checkout_root()
    return (root / "figures") if root is not None else Path.cwd() / "figures"
