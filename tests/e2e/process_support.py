"""``topicsflow serve`` as a real child process, for tests that need the node on its own
event loop (races between client and server) or the command line exactly as users run it."""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import trio

REPOSITORY = Path(__file__).resolve().parents[2]
START_DEADLINE_S = 30
STOP_DEADLINE_S = 30


@dataclasses.dataclass
class ServedProcess:
    """A running node: its base URL, its process and what it logged up to now."""

    base_url: str
    process: trio.Process
    log: bytearray

    async def stop(self) -> int:
        """SIGTERM, then the exit status (the node drains first)."""
        self.process.send_signal(signal.SIGTERM)
        with trio.fail_after(STOP_DEADLINE_S):
            return await self.process.wait()


def node_environment(data_dir: Path, **variables: str) -> dict[str, str]:
    """The test runner's environment without its ``TOPICSFLOW_*`` variables, plus the data
    directory, the testing profile (unless ``variables`` name another) and ``variables``."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("TOPICSFLOW_")
    }
    environment.update(TOPICSFLOW_DATA_DIR=str(data_dir), TOPICSFLOW_PROFILE="testing")
    environment.update(variables)
    return environment


@asynccontextmanager
async def serve_process(
    data_dir: Path, command: Sequence[str] | None = None, **variables: str
) -> AsyncIterator[ServedProcess]:
    """Run ``command`` (default ``python -m topicsflow serve --port 0``) until the block
    ends; its standard error keeps being collected in :attr:`ServedProcess.log`."""
    process = await trio.lowlevel.open_process(
        list(command or [sys.executable, "-m", "topicsflow", "serve", "--port", "0"]),
        cwd=REPOSITORY, env=node_environment(data_dir, **variables),
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
    )
    assert process.stderr is not None
    log = bytearray()
    try:
        with trio.fail_after(START_DEADLINE_S):
            while not (match := re.search(rb"serving on (http://[\d.]+:\d+)", log)):
                chunk = await process.stderr.receive_some()
                assert chunk, f"serve exited before listening: {log.decode()}"
                log.extend(chunk)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(_collect, process.stderr, log)
            yield ServedProcess(match.group(1).decode(), process, log)
            nursery.cancel_scope.cancel()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def _collect(stream: trio.abc.ReceiveStream, log: bytearray) -> None:
    while chunk := await stream.receive_some():
        log.extend(chunk)
