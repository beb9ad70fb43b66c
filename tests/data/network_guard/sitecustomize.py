"""A network guard for tests (tests/test_app.py): with NETWORK_GUARD_LOG set, every attempt of this process (and of
the processes it starts with the same environment) to resolve or connect to anything but this machine is refused
and written to that file. Python imports `sitecustomize` at start from PYTHONPATH, so the guard is in place before
the code under test runs, and survives an exec."""

import os
import socket

LOG = os.environ.get("NETWORK_GUARD_LOG")


def _local(host) -> bool:
    host = str(host or "")
    return host in ("", "localhost", "::1", "0.0.0.0", "::") or host.startswith("127.")


def _note(what: str) -> None:
    with open(LOG, "a", encoding="utf-8") as out:
        out.write(f"{os.getpid()} {what}\n")


if LOG:
    _connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def connect(self, address):
        if isinstance(address, tuple) and not _local(address[0]):
            _note(f"connect {address!r}")
            raise ConnectionRefusedError(f"network guard: no connection to {address!r}")
        return _connect(self, address)

    def connect_ex(self, address):
        if isinstance(address, tuple) and not _local(address[0]):
            _note(f"connect_ex {address!r}")
            return 111   # ECONNREFUSED
        return _connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if not _local(host):
            _note(f"getaddrinfo {host!r}")
            raise socket.gaierror(socket.EAI_NONAME, f"network guard: {host!r} is not looked up")
        return _getaddrinfo(host, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
