"""``topicsflow bots seed --url`` then ``bots run``, as a user runs them, against nodes.

The commands run as child processes (``python -m topicsflow``) with none of the test
runner's ``TOPICSFLOW_*`` variables: they must find the node from their flags alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import trio

from tests.e2e.conftest import OPS_TOKEN, websocket_url
from tests.e2e.process_support import REPOSITORY, serve_process
from topicsflow.node import NodeHandle

COMMAND_DEADLINE_S = 120
# A test runs up to two commands, each within COMMAND_DEADLINE_S.
pytestmark = pytest.mark.timeout(300)


async def topicsflow(*arguments: str) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m topicsflow ARGUMENTS`` to completion, capturing its output."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("TOPICSFLOW_")
    }
    with trio.fail_after(COMMAND_DEADLINE_S):
        return await trio.run_process(
            [sys.executable, "-m", "topicsflow", *arguments], cwd=REPOSITORY, env=environment,
            capture_stdout=True, capture_stderr=True, check=False,
        )


async def seed(base_url: str, output: Path, *extra: str) -> None:
    """Seed two rooms (3 and 2 members) and one idle user on the node at ``base_url``."""
    seeded = await topicsflow(
        "bots", "seed", "--url", base_url, "--token", OPS_TOKEN, "--rooms", "3,2",
        "--idle-users", "1", "--output", str(output), *extra,
    )
    assert seeded.returncode == 0, seeded.stderr.decode()
    assert seeded.stdout.decode().startswith("seeded 2 rooms, 1 idle users")
    assert seeded.stderr == b""


def report_rows(stdout: bytes) -> dict[str, str]:
    """The report table printed by ``bots run``, as name → value."""
    rows = [line.split(None, 1) for line in stdout.decode().splitlines() if line.strip()]
    return {name: value.strip() for name, value in rows}


async def seed_and_run(base_url: str, ws_url: str, output: Path) -> None:
    await seed(base_url, output)
    written = trio.Path(output)
    accounts = json.loads(await written.read_text())
    assert [len(room["tokens"]) for room in accounts["rooms"]] == [3, 2]
    assert (await written.stat()).st_mode & 0o777 == 0o600
    ran = await topicsflow(
        "bots", "run", "--accounts", str(output), "--url", ws_url, "--workers", "1",
        "--duration", "1", "--publishers", "1", "--rate", "2", "--idle", "1",
    )
    assert ran.returncode == 0, ran.stderr.decode()
    assert b"Traceback" not in ran.stderr
    report = report_rows(ran.stdout)
    assert report["connections"] == "6"  # 3 + 2 room members and 1 idle connection
    assert report["errors"] == "0"
    assert int(report["sent"]) > 0
    assert report["received"] == report["expected"]


async def test_bots_seeded_over_rest_run_against_the_same_node(
    node: NodeHandle, tmp_path: Path
) -> None:
    await seed_and_run(node.base_url, websocket_url(node), tmp_path / "accounts.json")


@pytest.mark.redis
async def test_seeding_over_rest_works_when_sessions_live_in_redis(
    tmp_path: Path, redis_url: str, unique_name: str
) -> None:
    async with serve_process(
        tmp_path / "node", TOPICSFLOW_REDIS_URL=redis_url, TOPICSFLOW_REDIS_PREFIX=unique_name,
        TOPICSFLOW_OPS_TOKEN=OPS_TOKEN,
    ) as served:
        ws_url = served.base_url.replace("http://", "ws://") + "/ws"
        await seed_and_run(served.base_url, ws_url, tmp_path / "accounts.json")
        assert await served.stop() == 0


async def test_running_with_another_nodes_credentials_fails_with_one_line(
    node: NodeHandle, tmp_path: Path
) -> None:
    accounts = tmp_path / "accounts.json"
    await seed(node.base_url, accounts)
    async with serve_process(tmp_path / "other") as other:
        ws_url = other.base_url.replace("http://", "ws://") + "/ws"
        ran = await topicsflow(
            "bots", "run", "--accounts", str(accounts), "--url", ws_url, "--duration", "1"
        )
        assert await other.stop() == 0
    assert ran.returncode == 1
    assert ran.stdout == b""
    lines = ran.stderr.decode().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"topicsflow: error: {ws_url} refused the bot tokens from ")
    assert "401 unauthorized" in lines[0] and "bots seed --url" in lines[0]


async def test_seeding_a_node_with_a_wrong_token_fails_with_one_line(
    node: NodeHandle, tmp_path: Path
) -> None:
    output = tmp_path / "accounts.json"
    seeded = await topicsflow(
        "bots", "seed", "--url", node.base_url, "--token", "not-the-ops-token", "--rooms", "2",
        "--output", str(output),
    )
    assert seeded.returncode == 1
    assert seeded.stderr.decode().splitlines() == [
        f"topicsflow: error: {node.base_url} refused the operator token (401 unauthorized): "
        "pass the node's TOPICSFLOW_OPS_TOKEN or an admin's session token with --token"
    ]
    assert not await trio.Path(output).exists()
