"""Every notebook runs top to bottom in a fresh kernel, reads as question → key numbers → figures → try it
yourself, shows nothing a reader should not see (errors, warnings, NaN), and is committed without outputs."""

from __future__ import annotations

import json
import os
import re

import pytest

from kachin_analysis import notebooks

PATHS = notebooks.notebook_paths()
#: What a reader must never see in an output: raw missing values, warnings, tracebacks.
NOT_FOR_READERS = re.compile(r"\bNaN\b|\bNaT\b|<NA>|\bnan\b|\bNone\b|Warning|Traceback|object at 0x")


def _readable(text: str) -> str:
    """What a reader sees of an output: scripts, style sheets and a framed page's source left out (the explorer's
    page is checked as shown, in a browser, by tests/test_explorer.py)."""
    return re.sub(r"<(script|style)\b.*?</\1>|\bsrcdoc=\"[^\"]*\"", "", text, flags=re.S | re.I)


def cells(path):
    return json.loads(path.read_text())["cells"]


def code(path) -> list[str]:
    return ["".join(c["source"]) for c in cells(path) if c["cell_type"] == "code"]


def test_there_is_a_notebook_per_question():
    names = [p.stem for p in PATHS]
    assert names == [
        "00-the-record",
        "01-outposts-captured-over-time",
        "02-offensive-phases",
        "03-actor-involvement",
        "04-territorial-control-and-map",
        "05-claims-vs-record",
        "06-with-acled",
        "07-explore",
    ]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    assert not notebooks.has_outputs(path), f"run: kachin-analysis notebooks --strip ({path.name})"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_notebooks_are_thin(path):
    """Prose plus one-line calls into the package: no function or class definitions."""
    text = "\n".join(code(path))
    assert not re.search(r"^\s*(def|class|lambda)\b", text, re.M)
    assert sum(c["cell_type"] == "markdown" for c in cells(path)) >= 3


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_the_story_is_question_numbers_and_try_it_yourself(path):
    """A question first, key numbers computed in the first cell after the setup, a try-it-yourself section last."""
    md = ["".join(c["source"]) for c in cells(path) if c["cell_type"] == "markdown"]
    assert "**Question:**" in md[0]
    first_analysis = next(c for c in code(path)[1:] if c.strip())
    assert "tables.key_numbers(" in first_analysis
    tail = "".join("".join(c["source"]) for c in cells(path)[-4:])
    assert "## Try it yourself" in "".join(md[-3:])
    assert ".filter(" in tail
    # tables go through the shared display helper, never as bare frames
    for block in code(path):
        last = block.strip().splitlines()[-1]
        assert not re.match(r"^(ka\.\w+\(|record\.\w+\[)", last), f"bare frame shown: {last}"


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_notebook_runs_and_shows_its_figures(path, monkeypatch):
    """Run by nbclient when the JupyterLab end-to-end test is not part of this run (no Chromium, or ``-m "not e2e"``);
    otherwise skipped, as test_e2e_jupyterlab runs each notebook once with the same checks (see conftest)."""
    from test_network import offline_env

    monkeypatch.setenv("PYTHONPATH", offline_env()["PYTHONPATH"])  # the kernel inherits it: no network inside
    nb = notebooks.execute(path, timeout=300)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert [o for o in outputs if o.output_type == "error"] == []
    assert [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"] == []
    expected = sum("".join(c.source).count("figures.build(") for c in nb.cells if c.cell_type == "code")
    images = sum(any(k.startswith("image/") for k in o.get("data", {})) for o in outputs)
    assert images == expected
    shown = [
        t
        for o in outputs
        for t in (
            [o.text]
            if o.output_type == "stream"
            else [_readable(v) for k, v in o.get("data", {}).items() if k.startswith("text/")]
        )
    ]
    bad = [
        m.group(0) + " in …" + t[max(0, m.start() - 60) : m.end() + 60]
        for t in shown
        for m in [NOT_FOR_READERS.search(t)]
        if m
    ]
    assert bad == [], bad
    first = next(o for o in outputs if o.get("data"))
    assert "ka-key-numbers" in first["data"].get("text/html", ""), "the first thing shown is the key numbers"
    for c in nb.cells:  # the widget degrades to words in a plain run
        if c.cell_type == "code" and "tables.explore(" in "".join(c.source):
            assert "Interactive: pick a phase" in c.outputs[-1]["data"]["text/plain"]


def _tiny_notebook(folder, name: str, *sources: str):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    path = folder / name
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_running_many_notebooks_reports_each_and_raises_the_first_failure(tmp_path):
    from nbclient.exceptions import CellExecutionError

    good = _tiny_notebook(tmp_path, "01-good.ipynb", "x = 2", "print(x * 21)")
    bad = _tiny_notebook(tmp_path, "02-bad.ipynb", "1 / 0")
    seen = []
    (nb,) = notebooks.execute_all([good], jobs=2, progress=lambda p, s: seen.append(p.name))
    assert nb.cells[1].outputs[0]["text"] == "42\n" and seen == ["01-good.ipynb"]
    with pytest.raises(CellExecutionError, match="ZeroDivisionError"):
        notebooks.execute_all([good, bad], jobs=2)


@pytest.mark.slow
def test_a_cell_with_no_reply_is_retried_once_in_a_fresh_kernel_then_reported(tmp_path):
    from nbclient.exceptions import CellTimeoutError

    stuck = _tiny_notebook(tmp_path, "01-stuck.ipynb", "import time\ntime.sleep(30)")
    with pytest.warns(RuntimeWarning, match="got no reply in 2 s; running the notebook again"):
        with pytest.raises(CellTimeoutError):
            notebooks.execute(stuck, timeout=2)


class _ChannelThatSleepsThroughItsWakeUp:
    """A kernel socket whose message is already there but whose readiness signal was lost: a wait ends only when
    its timeout runs out, and then finds the message (what a timed-out ZeroMQ poll does)."""

    def __init__(self, has_message: bool):
        self.has_message = has_message
        self.waits: list[float] = []

    async def get_msg(self, timeout=None):
        import asyncio
        from queue import Empty

        self.waits.append(timeout)
        await asyncio.sleep(timeout)
        if self.has_message:
            return {"msg_type": "execute_reply"}
        raise Empty


def test_a_reply_whose_wake_up_was_lost_is_read_within_one_poll_step():
    import asyncio
    import time

    channel = _ChannelThatSleepsThroughItsWakeUp(has_message=True)
    notebooks._poll_in_steps(channel, step=0.05)
    started = time.monotonic()
    reply = asyncio.run(channel.get_msg(timeout=30))
    assert reply == {"msg_type": "execute_reply"} and time.monotonic() - started < 1 and channel.waits == [0.05]


def test_polling_in_steps_still_gives_up_when_the_timeout_runs_out():
    import asyncio
    from queue import Empty

    channel = _ChannelThatSleepsThroughItsWakeUp(has_message=False)
    notebooks._poll_in_steps(channel, step=0.05)
    with pytest.raises(Empty):
        asyncio.run(channel.get_msg(timeout=0.12))
    assert 3 <= len(channel.waits) <= 4 and max(channel.waits) <= 0.05


def test_the_longest_looking_notebooks_start_first():
    work = {p.stem[:2]: notebooks._expected_work(p) for p in PATHS}
    assert max(work, key=work.get) == "04"  # control and maps: the most figures
    assert min(work, key=work.get) == "06"  # the ACLED notebook draws nothing


def _fake_runs(monkeypatch, failing: str | None = None, unlaunchable: str | None = None) -> list[str]:
    """Replace kernel start, run and stop with steps that only log what happened, in order."""
    log: list[str] = []

    async def started(path, timeout):
        if path == unlaunchable:
            raise OSError(f"{path}: no kernel")
        log.append(f"start {path}")
        return path, None, None

    async def run(started, timeout, save):
        log.append(f"run {started[0]}")
        if started[0] == failing:
            raise RuntimeError(f"{failing} failed")
        return f"nb {started[0]}"

    async def stop(started):
        log.append(f"stop {started[0]}")

    monkeypatch.setattr(notebooks, "_started", started)
    monkeypatch.setattr(notebooks, "_run_started", run)
    monkeypatch.setattr(notebooks, "_stop", stop)
    return log


def _run_each(todo: list[str]) -> list[tuple[str, str]]:
    import asyncio

    todo, reported = list(reversed(todo)), []
    take = lambda: todo.pop() if todo else None
    asyncio.run(notebooks._run_each(take, 5, False, lambda p, nb, s: reported.append((p, nb))))
    return reported


def test_each_notebooks_kernel_is_launched_while_the_one_before_it_runs(monkeypatch):
    log = _fake_runs(monkeypatch)
    reported = _run_each(["a", "b", "c"])
    assert log == ["start a", "start b", "run a", "start c", "run b", "run c"]
    assert reported == [("a", "nb a"), ("b", "nb b"), ("c", "nb c")]


def test_a_failing_notebook_stops_the_kernel_launched_for_the_next_and_nothing_more_starts(monkeypatch):
    log = _fake_runs(monkeypatch, failing="a")
    with pytest.raises(RuntimeError, match="a failed"):
        _run_each(["a", "b", "c"])
    assert log == ["start a", "start b", "run a", "stop b"]


@pytest.mark.skipif(os.name == "nt", reason="Windows kernels use TCP")
def test_kernels_talk_over_local_sockets_at_an_absolute_path():
    km = notebooks._kernel_manager()
    assert km.transport == "ipc" and os.path.isabs(km.ip) and km.kernel_name == "python3"


def test_a_runner_imports_nbformat_without_the_iri_checker_and_leaves_it_importable():
    import subprocess
    import sys

    probe = (
        "import sys; from kachin_analysis import notebooks; notebooks._import_nbformat_in_runner(); "
        "print('nbformat' in sys.modules, 'rfc3987_syntax' in sys.modules); import rfc3987_syntax; print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "False", "ok"]


def test_a_kernel_that_cannot_be_launched_stops_the_one_already_waiting(monkeypatch):
    log = _fake_runs(monkeypatch, unlaunchable="b")
    with pytest.raises(OSError, match="b: no kernel"):
        _run_each(["a", "b", "c"])
    assert log == ["start a", "stop a"]


@pytest.mark.slow
def test_a_started_kernel_that_will_not_run_is_stopped_and_its_files_removed(tmp_path):
    import asyncio
    import glob

    path = _tiny_notebook(tmp_path, "01-never.ipynb", "1 + 1")

    async def start_then_stop():
        started = await notebooks._started(path, 10)
        km = started[2].km
        for _ in range(100):  # until the kernel has bound its sockets
            if len(glob.glob(f"{km.ip}-*")) >= 5:
                break
            await asyncio.sleep(0.1)
        alive_before, files = await km.is_alive(), [km.connection_file, *glob.glob(f"{km.ip}-*")]
        await notebooks._stop(started)
        return alive_before, await km.is_alive(), files

    alive_before, alive_after, files = asyncio.run(start_then_stop())
    assert alive_before and not alive_after and len(files) == 6, files
    assert not [f for f in files if os.path.exists(f)], "connection file and sockets removed"
