"""Cluster nodes ride out a Redis restart: they stay up, keep users logged in, relay again."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trio

from bots.client import open_client
from protocol.chat_events import MessageCreated
from tests.e2e.cluster_support import Sent, open_cluster_processes, send_until_acked

# Starting the nodes may take 60 s, and the relay then has 60 s to come back.
pytestmark = [pytest.mark.redis, pytest.mark.mongo, pytest.mark.timeout(180)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextlib.contextmanager
def private_redis(port: int) -> Iterator[subprocess.Popen[bytes]]:
    """A redis-server of this test's own, so the test may kill it."""
    binary = shutil.which("redis-server")
    assert binary is not None, "redis-server is installed by scripts/services.py"
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        process.kill()
        process.wait()


async def _wait_for_port(port: int) -> None:
    for _ in range(500):
        try:
            stream = await trio.open_tcp_stream("127.0.0.1", port)
        except OSError:
            await trio.sleep(0.01)
            continue
        await stream.aclose()
        return
    raise AssertionError(f"nothing listens on {port}")


async def test_nodes_survive_a_redis_restart_and_relay_again(
    mongodb_url: str, unique_name: str, tmp_path: Path
) -> None:
    port = _free_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    with private_redis(port) as first_redis:
        await _wait_for_port(port)
        async with open_cluster_processes(
            2, redis_url=redis_url, mongodb_url=mongodb_url, name=unique_name,
            data_dir=tmp_path,
        ) as cluster:
            (a_id, a_token), (b_id, b_token) = [
                await cluster.user(f"r{index}{unique_name[-6:]}") for index in range(2)
            ]
            room_id = await cluster.room(a_id, [b_id])
            channel = f"chat_room:{room_id}"
            first_redis.kill()
            first_redis.wait()
            for node in cluster.nodes:
                async with httpx.AsyncClient(base_url=node.base_url) as client:
                    assert (await client.get("/healthz")).status_code == 200
            with private_redis(port):
                await _wait_for_port(port)
                # Redis only cached the sessions: the tokens from before still log in.
                with trio.fail_after(60):
                    async with (
                        open_client(cluster.nodes[0].websocket_url, token=a_token) as on_first,
                        open_client(cluster.nodes[1].websocket_url, token=b_token) as on_second,
                    ):
                        await on_first.subscribe(channel)
                        seq = await send_until_acked(on_second, channel, "after", "n-1", Sent())
                        while True:
                            event = await on_first.next_event()
                            if isinstance(event, MessageCreated) and event.seq == seq:
                                break
            assert all(node.process.returncode is None for node in cluster.nodes)
