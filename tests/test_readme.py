"""The README's Python examples run as written, and say what they claim."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT


@pytest.mark.slow  # runs the README's code in a fresh interpreter
def test_the_python_examples_run_as_written():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    scope: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), scope)
    ka, record = scope["ka"], scope["record"]
    assert ka.holder_on(record, "Lweje", "2024-06-01")["event_id"] == "KO-0079"
    assert ka.holder_on(record, "Bhamo", "2025-06-01")["side"] == "unknown"
    assert set(scope["bhamo"].events["phase_id"].astype(str)) == {"bhamo"}
