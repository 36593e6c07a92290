"""Importing the package is cheap and has no plotting side effects."""

from __future__ import annotations

import subprocess
import sys


def test_import_does_not_load_plotting_libraries():
    code = "import sys, kachin_analysis; print(sorted(m for m in ('matplotlib', 'seaborn', 'pandera') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_public_api_is_exported():
    import kachin_analysis as ka

    for name in ka.__all__:
        assert hasattr(ka, name), name
    assert ka.__version__
