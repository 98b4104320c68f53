"""Redis and FerretDB processes of a test's own, to stop (SIGSTOP), resume, kill and
replace; and the outage length of the suite's short and long forms."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import trio

from tests.ferretdb_support import own_ferretdb_command

OUTAGE_SECONDS = float(os.environ.get("TOPICSFLOW_FAULT_SECONDS", "3"))
"""How long each outage lasts: 3 s in ``scripts/test``, 30 s in the long form."""

START_DEADLINE_S = 30.0

DEADLINE_S = 1.0
"""The dependency deadline the fault tests give their nodes."""
ANSWERED_WITHIN_S = 2 * DEADLINE_S + 1.0
"""What an answer during an outage must come within: one deadline, generously (a loaded
machine), never the former 15 s of retries."""


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Dependency:
    """One server process of the test's, restartable on the same port and data."""

    def __init__(self, name: str, command: list[str], port: int, log: Path) -> None:
        self.name = name
        self.command = command
        self.port = port
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def _spawn(self) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as output:
            return subprocess.Popen(
                self.command, stdout=output, stderr=output, stdin=subprocess.DEVNULL
            )

    async def start(self) -> None:
        """Start the process and wait until it accepts connections."""
        self.process = self._spawn()
        with trio.fail_after(START_DEADLINE_S):
            while True:
                try:
                    stream = await trio.open_tcp_stream("127.0.0.1", self.port)
                except OSError:
                    assert self.process.poll() is None, f"{self.name} exited, see {self.log}"
                    await trio.sleep(0.05)
                else:
                    await stream.aclose()
                    return

    def pause(self) -> None:
        """SIGSTOP: the server keeps its sockets but answers nothing (a hung dependency)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """SIGCONT after :meth:`pause`."""
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        """SIGKILL, and reap it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait()


@contextlib.contextmanager
def own_redis(tmp_path: Path) -> Iterator[Dependency]:
    """A redis-server without persistence: killing it loses everything it held."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is missing: scripts/services.py installs it", pytrace=False)
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no"]
    dependency = Dependency("redis", command, port, tmp_path / "redis.log")
    try:
        yield dependency
    finally:
        dependency.kill()


@contextlib.contextmanager
def own_ferretdb(tmp_path: Path) -> Iterator[Dependency]:
    """A FerretDB (Mongo wire) of the test's own, over its own PostgreSQL database."""
    port = free_port()
    dependency = Dependency("ferretdb", own_ferretdb_command(port), port,
                            tmp_path / "ferretdb.log")
    try:
        yield dependency
    finally:
        dependency.kill()
