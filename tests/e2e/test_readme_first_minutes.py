"""The README's "First ten minutes", run as written against a node started by
``scripts/run`` in the development profile.

The section's first shell block is ``scripts/run`` (run here with a free port and a
temporary data directory); the blocks after it are the second terminal's commands, run
verbatim, in order, by one bash with ``URL`` pointing at that node.
"""

from __future__ import annotations

import re
import socket
import subprocess
from pathlib import Path

import trio

from tests.e2e.process_support import REPOSITORY, node_environment, serve_process

SECTION = re.compile(r"^## First ten minutes\n(.*?)^## ", re.MULTILINE | re.DOTALL)
SHELL_BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.MULTILINE | re.DOTALL)
RUN_SECONDS = 120


def readme_blocks() -> list[str]:
    """The shell blocks of the README's first-ten-minutes section."""
    section = SECTION.search((REPOSITORY / "README.md").read_text())
    assert section is not None, "README.md has no '## First ten minutes' section"
    return SHELL_BLOCK.findall(section.group(1))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_first_ten_minutes_work_as_written(tmp_path: Path) -> None:
    serve_block, *command_blocks = readme_blocks()
    commands = "\n".join(command_blocks)
    assert serve_block.strip() == "scripts/run"
    port = free_port()
    async with serve_process(
        tmp_path, ["bash", "scripts/run", "--port", str(port)], TOPICSFLOW_PROFILE="development"
    ) as served:
        assert served.base_url == f"http://127.0.0.1:{port}"
        environment = node_environment(tmp_path, URL=served.base_url)
        with trio.fail_after(RUN_SECONDS):
            result = await trio.run_process(
                ["bash", "-eu", "-o", "pipefail", "-c", commands], cwd=REPOSITORY,
                env=environment, capture_stdout=True, capture_stderr=True, check=False,
                stdin=subprocess.DEVNULL,
            )
        output = result.stdout.decode()
        assert result.returncode == 0, output + result.stderr.decode()
        assert '"status":"accepted"' in output
        assert f"{served.base_url}/verify-email?token=" in output
        assert "confirmed: 200" in output
        assert "over the WebSocket, seq 1: Hello from the SDK" in output
        assert output.count("Hello from the SDK") == 2
        assert '"token":"tfp_' in output.replace(" ", ""), "the personal access token block"
        assert b"topicsflow.dev_mail" in served.log
        assert await served.stop() == 0
