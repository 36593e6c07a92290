"""Loaded by any Python started with this folder on PYTHONPATH: refuse every connection outside loopback.

The test suite puts it in front of the figures command and the notebook kernels, so that they are
shown to need no network (pytest-socket guards only the test process itself).
"""

import socket

_ALLOWED = {"127.0.0.1", "::1", "localhost"}
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def _host(address):
    return address[0] if isinstance(address, tuple) else None


def _guard(original):
    def guarded(self, address):
        host = _host(address)
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in _ALLOWED:
            raise ConnectionRefusedError(f"network disabled for this run: refused a connection to {host!r}")
        return original(self, address)

    return guarded


socket.socket.connect = _guard(_connect)
socket.socket.connect_ex = _guard(_connect_ex)
