"""End to end: every notebook opened and run in a real JupyterLab, driven by headless Chromium.

Marked ``e2e``. Needs Debian's Chromium (``apt-get install chromium``, which .ci/run does); without it
the test is skipped with that instruction. Each notebook must show no error, no warning text and no raw
missing value (NaN, NaT, <NA>) to the reader, its figures, and its widget where it has one.

Each notebook is scrolled page by page, as a reader would, so every output is drawn before it is checked.
With ``$KACHIN_E2E_SHOTS`` set to a folder, a screenshot of each page is written there (never by default).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kachin_analysis import notebooks

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: What a reader must never see in an output.
NOT_FOR_READERS = re.compile(r"\bNaN\b|\bNaT\b|<NA>|\bnan\b|\bNone\b|Warning|Traceback|object at 0x")
MAX_PAGES = 14
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Chromium not found: install Debian's chromium (apt-get install chromium) to run the JupyterLab end-to-end test",
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on 127.0.0.1 with a random port and token, serving a copy of the notebooks."""
    folder = tmp_path_factory.mktemp("lab")
    for path in notebooks.notebook_paths():
        shutil.copy(path, folder / path.name)
    port, token = free_port(), secrets.token_hex(16)
    settings = folder.parent / f"{folder.name}-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)  # no "get notified of Jupyter news?" toast over the screenshots
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={folder}",
        "--expose-app-in-browser",
        "--ServerApp.disable_check_xsrf=False",
        "--LabApp.news_url=",
        f"--LabApp.user_settings_dir={settings.parents[1]}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(folder / "lab.log", "w")
    from test_network import offline_env  # kernels inherit the server's environment: no network inside them

    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=offline_env())
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError((folder / "lab.log").read_text()) from None
            time.sleep(0.5)
    else:
        os.killpg(proc.pid, signal.SIGTERM)
        raise RuntimeError("JupyterLab did not start in 90 s:\n" + (folder / "lab.log").read_text())
    yield url, token, folder
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()


@pytest.fixture(scope="module")
def shots():
    """Where screenshots go, or None: taken only when ``$KACHIN_E2E_SHOTS`` names a folder (a page at 2x density
    costs about half a second to encode; the checks read the page, not the pictures)."""
    if not os.environ.get("KACHIN_E2E_SHOTS"):
        return None
    folder = Path(os.environ["KACHIN_E2E_SHOTS"])
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nJupyterLab screenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


STATE_JS = """(name) => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  if (!panel || !panel.context || panel.context.path !== name || !panel.sessionContext.session) return null;
  const kernel = panel.sessionContext.session.kernel;
  const cells = panel.content.widgets.filter(c => c.model.type === 'code');
  const outputs = cells.flatMap(c => c.model.outputs.toJSON());
  return {
    kernel: kernel ? kernel.status : 'none',
    pending: cells.filter(c => c.model.executionCount === null).length,
    errors: outputs.filter(o => o.output_type === 'error').map(o => o.ename + ': ' + o.evalue),
    stderr: outputs.filter(o => o.output_type === 'stream' && o.name === 'stderr').map(o => o.text),
    images: outputs.filter(o => o.data && Object.keys(o.data).some(k => k.startsWith('image/'))).length,
    first: String(((outputs.find(o => o.data) || {}).data || {})['text/html'] || ''),
  };
}"""

# What the reader sees: the text of every output (widget outputs included), without style sheets.
SHOWN_JS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  return Array.from(panel.content.node.querySelectorAll('.jp-OutputArea-output')).map(n => {
    const c = n.cloneNode(true);
    c.querySelectorAll('style, script').forEach(s => s.remove());
    return c.textContent;
  });
}"""

SCROLLER_JS = """() => { const n = window.jupyterapp.shell.currentWidget.content.node;
  return n.querySelector('.jp-WindowedPanel-outer') || n; }"""


# With pytest -n, the notebooks go to two groups (two workers, each with its own JupyterLab and browser), so the
# slowest part of the suite is shared between the cores instead of one worker running it alone.
@pytest.mark.parametrize(
    "i,path",
    [
        pytest.param(i, p, marks=pytest.mark.xdist_group(f"jupyterlab-{i % 2}"))
        for i, p in enumerate(notebooks.notebook_paths())
    ],
    ids=lambda v: getattr(v, "stem", str(v)),
)
def test_notebook_runs_in_jupyterlab(lab, browser, shots, i, path):
    url, token, _ = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, device_scale_factor=2)
    try:
        # a workspace of its own, reset, so that only this notebook is open
        page.goto(f"{url}/lab/workspaces/e2e-{i}/tree/{path.name}?reset&token={token}", timeout=120_000)
        page.wait_for_function(
            f"() => ({STATE_JS})({path.name!r}) && ({STATE_JS})({path.name!r}).kernel === 'idle'", timeout=120_000
        )
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_function(
            f"() => {{ const s = ({STATE_JS})({path.name!r}); return s && s.pending === 0 && s.kernel === 'idle'; }}",
            timeout=300_000,
        )
        state = page.evaluate(f"() => ({STATE_JS})({path.name!r})")
        assert state["errors"] == [], f"{path.name}: {state['errors']}"
        assert state["stderr"] == [], f"{path.name}: warnings shown: {state['stderr']}"
        source = path.read_text()
        expected = source.count("figures.build(")
        assert state["images"] == expected, f"{path.name}: {state['images']} figures shown, {expected} expected"
        assert "ka-key-numbers" in state["first"], f"{path.name}: the first thing shown is not the key numbers"
        if "tables.explore(" in source:  # the widget draws, and draws its figure or table inside
            page.wait_for_selector(".jp-OutputArea-output .widget-dropdown", timeout=60_000)
            page.wait_for_function(
                "() => document.querySelectorAll('.widget-output .jp-OutputArea-output').length > 0", timeout=120_000
            )
        page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
        page.wait_for_timeout(500)
        # page by page, as a reader scrolls
        scroller = page.evaluate_handle(SCROLLER_JS)
        total = page.evaluate("(el) => el.scrollHeight", scroller)
        step = page.evaluate("(el) => el.clientHeight", scroller) - 60
        pages = []
        for k in range(min(MAX_PAGES, 1 + max(0, total - 1) // max(step, 1))):
            page.evaluate("([el, y]) => { el.scrollTop = y; }", [scroller, k * step])
            page.wait_for_timeout(250)
            if shots is not None:
                page.screenshot(path=str(shots / f"{path.stem}-{k + 1:02d}.png"))
            pages.append(k)
        assert pages
        shown = page.evaluate(SHOWN_JS)
        bad = [
            m.group(0) + " in …" + t[max(0, m.start() - 60) : m.end() + 60]
            for t in shown
            for m in [NOT_FOR_READERS.search(t)]
            if m
        ]
        assert bad == [], f"{path.name}: shown to the reader: {bad}"
    finally:
        page.close()
