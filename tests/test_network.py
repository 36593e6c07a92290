"""No network at run time: the suite runs with every connection outside loopback blocked."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_an_outside_connection_fails_the_test():
    from pytest_socket import SocketConnectBlockedError

    # connect() is refused before any name lookup or packet: the host is not on the loopback allow-list
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s, pytest.raises(SocketConnectBlockedError):
        s.connect(("example.invalid", 80))


def test_loading_and_aggregating_need_no_network(record):
    import kachin_analysis as ka

    assert len(ka.count_captures(record, freq="M")) > 0


NO_NETWORK = Path(__file__).parent / "no_network"


def offline_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(NO_NETWORK), env.get("PYTHONPATH", "")]))
    return env


def test_the_guard_itself_refuses_outside_connections():
    code = "import socket; s = socket.socket(); s.connect(('example.invalid', 80))"
    done = subprocess.run([sys.executable, "-c", code], env=offline_env(), capture_output=True, text=True)
    assert done.returncode != 0 and "network disabled" in done.stderr


@pytest.mark.slow
def test_the_figures_command_runs_offline(tmp_path):
    done = subprocess.run(
        # every builder runs; SVG alone, as PDF and PNG writing is local (and runs under pytest-socket in test_figures)
        [sys.executable, "-m", "kachin_analysis.cli", "figures", "--force", "--format", "svg", "--out", str(tmp_path)],
        env=offline_env(),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert len(list(tmp_path.glob("*.svg"))) == len(__import__("kachin_analysis.figures").figures.REGISTRY)
