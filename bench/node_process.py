"""A TopicsFlow node as a child process on a free loopback port, for benchmarks.

:func:`start_node` runs ``python -m topicsflow serve --port 0`` with the ``testing``
profile and the embedded SQLite store in ``data_dir`` (every other ``TOPICSFLOW_*``
variable of the caller is dropped), behind ``taskset -c <cpu>`` when ``cpu`` is given
and ``taskset`` exists, and yields a :class:`NodeProcess` once the node logs
``serving on``.  The node's stderr is drained in the background (so a chatty log can
never block it), into ``log_path`` when given.  On exit the node gets SIGTERM, then
SIGKILL after ``stop_timeout``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import trio

REPOSITORY = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 60.0


@dataclasses.dataclass(frozen=True)
class NodeProcess:
    """A running node: its process id, HTTP base URL and WebSocket URL."""

    pid: int
    base_url: str

    @property
    def websocket_url(self) -> str:
        """``ws://host:port/ws``."""
        return self.base_url.replace("http://", "ws://") + "/ws"


def pinned(command: list[str], cpu: int | None) -> list[str]:
    """``command`` behind ``taskset -c cpu`` when asked for and available."""
    if cpu is None or shutil.which("taskset") is None or (os.cpu_count() or 1) <= cpu:
        return command
    return ["taskset", "-c", str(cpu), *command]


def bench_overrides() -> dict[str, str]:
    """The node settings a benchmark's A/B run sets as ``BENCH_TOPICSFLOW_<NAME>``, named as
    the node reads them (``TOPICSFLOW_<NAME>``)."""
    return {key.removeprefix("BENCH_"): value for key, value in os.environ.items()
            if key.startswith("BENCH_TOPICSFLOW_")}


def node_environment(data_dir: Path) -> dict[str, str]:
    """The caller's environment without ``TOPICSFLOW_*``, plus the node's own settings and
    :func:`bench_overrides`."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("TOPICSFLOW_")
    }
    environment.update(
        bench_overrides(),
        TOPICSFLOW_DATA_DIR=str(data_dir), TOPICSFLOW_PROFILE="testing",
        TOPICSFLOW_LOG_LEVEL="INFO",  # the "serving on" line start_node waits for is INFO
    )
    return environment


def rss_kib(pid: int) -> int:
    """``VmRSS`` of process ``pid`` in KiB, from ``/proc/<pid>/status``."""
    status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"no VmRSS for process {pid}")
    return int(match.group(1))


async def _drain(stream: trio.abc.ReceiveStream, log_path: Path | None) -> None:
    log = open(log_path, "ab") if log_path is not None else None  # noqa: SIM115, ASYNC230
    try:
        while chunk := await stream.receive_some(65536):
            if log is not None:
                log.write(chunk)
    finally:
        if log is not None:
            log.close()


@contextlib.asynccontextmanager
async def start_node(
    data_dir: Path, *, cpu: int | None = 0, stop_timeout: float = 15.0,
    log_path: Path | None = None,
) -> AsyncIterator[NodeProcess]:
    """Run a node until the block ends; see the module docstring."""
    environment = node_environment(data_dir)
    command = pinned([sys.executable, "-m", "topicsflow", "serve", "--port", "0"], cpu)
    process = await trio.lowlevel.open_process(
        command, cwd=REPOSITORY, env=environment, stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    )
    assert process.stderr is not None
    try:
        output = b""
        with trio.fail_after(START_TIMEOUT_S):
            while not (match := re.search(rb"serving on (http://[\d.]+:\d+)", output)):
                chunk = await process.stderr.receive_some(65536)
                if not chunk:
                    raise RuntimeError(f"the node exited before serving: {output.decode()}")
                output += chunk
        async with trio.open_nursery() as nursery:
            nursery.start_soon(_drain, process.stderr, log_path)
            yield NodeProcess(pid=process.pid, base_url=match.group(1).decode())
            process.send_signal(signal.SIGTERM)
            with trio.move_on_after(stop_timeout):
                await process.wait()
            nursery.cancel_scope.cancel()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
