"""``topicsflow status`` against a live node: the tree, and a clear failure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import trio

from tests.e2e.conftest import OPS_TOKEN
from topicsflow.node import NodeHandle

REPOSITORY = Path(__file__).resolve().parents[2]


async def run_status(*arguments: str) -> subprocess.CompletedProcess[str]:
    return await trio.run_process(
        [sys.executable, "-m", "topicsflow", "status", *arguments],
        capture_stdout=True, capture_stderr=True, check=False, cwd=REPOSITORY,
        env={"PATH": "/usr/bin:/bin"},
    )  # type: ignore[return-value]


async def test_status_prints_the_supervision_tree(node: NodeHandle) -> None:
    result = await run_status("--url", node.base_url, "--token", OPS_TOKEN)
    output = result.stdout.decode()
    assert result.returncode == 0, result.stderr
    assert output.startswith("node ")
    assert "supervisor actors (one_for_one" in output
    assert "kind chat_room:" in output
    assert "gc collections: gen 0: " in output


async def test_status_with_a_wrong_token_fails_with_one_line(node: NodeHandle) -> None:
    result = await run_status("--url", node.base_url, "--token", "wrong")
    assert result.returncode == 1
    assert result.stderr.decode().strip().endswith("answered 401 (is the ops token right?)")
