"""No network at run time: the suite runs with every connection outside loopback blocked."""

from __future__ import annotations

import socket

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
