"""``topicsflow serve`` as a real process: it listens, answers, and drains on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import trio

REPOSITORY = Path(__file__).resolve().parents[2]
START_DEADLINE_S = 30
STOP_DEADLINE_S = 30


async def test_serve_answers_healthz_and_exits_cleanly_on_sigterm(tmp_path: Path) -> None:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("TOPICSFLOW_")
    }
    environment.update(TOPICSFLOW_DATA_DIR=str(tmp_path), TOPICSFLOW_PROFILE="testing")
    process = await trio.lowlevel.open_process(
        [sys.executable, "-m", "topicsflow", "serve", "--port", "0"],
        cwd=REPOSITORY, env=environment, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
    )
    assert process.stderr is not None
    try:
        output = b""
        with trio.fail_after(START_DEADLINE_S):
            while not (match := re.search(rb"serving on (http://[\d.]+:\d+)", output)):
                chunk = await process.stderr.receive_some()
                assert chunk, f"serve exited before listening: {output.decode()}"
                output += chunk
        base_url = match.group(1).decode()
        async with httpx.AsyncClient(base_url=base_url) as client:
            health = await client.get("/healthz")
            missing = await client.get("/no-such-route")
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "not_found"
        process.send_signal(signal.SIGTERM)
        with trio.fail_after(STOP_DEADLINE_S):
            assert await process.wait() == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
