"""Running a cluster of real ``topicsflow serve`` processes for the cluster tests.

Each node is a separate process on loopback sharing the real Redis and Mongo-wire
server under a per-test database and key prefix.  Users, sessions (in Redis, as the
nodes read them) and rooms are seeded straight into the shared stores.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import trio

from bots.client import Client
from bots.client_connection import ConnectionLost, RequestFailed
from protocol.client_frames import SendMessage
from protocol.control_frames import Ack, MessageAccepted
from protocol.errors import ErrorCode
from services.tokens import new_token
from storage import Store, open_store
from storage.keys import hash_token
from storage.realtime import Lease, Realtime, open_realtime

REPOSITORY = Path(__file__).resolve().parents[2]
START_DEADLINE_S = 60
SECRET = "cluster-test-secret-" + "x" * 24
OPS_TOKEN = "cluster-test-ops-token"
LEASE_SECONDS = 2.0
RETRYABLE = {ErrorCode.UNAVAILABLE, ErrorCode.TIMEOUT, ErrorCode.INTERNAL, ErrorCode.RATE_LIMITED}


@dataclasses.dataclass
class NodeProcess:
    """One node: its process, id, HTTP base URL and everything it logged."""

    node_id: str
    process: trio.Process
    base_url: str = ""
    log: bytearray = dataclasses.field(default_factory=bytearray)

    @property
    def websocket_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/ws"

    def kill(self) -> None:
        self.process.kill()

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    async def status(self) -> dict[str, object]:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=10) as client:
            reply = await client.get(
                "/ops/status", headers={"Authorization": f"Bearer {OPS_TOKEN}"}
            )
        reply.raise_for_status()
        status: dict[str, object] = reply.json()
        return status


@dataclasses.dataclass
class Cluster:
    """The running nodes and the shared stores the test seeds and inspects."""

    nodes: list[NodeProcess]
    store: Store
    realtime: Realtime
    prefix: str

    def node(self, node_id: str) -> NodeProcess:
        return next(node for node in self.nodes if node.node_id == node_id)

    async def owner_of(self, kind: str, actor_id: str) -> Lease | None:
        return await self.realtime.leases.current(f"{kind}/{actor_id}")

    async def user(self, name: str) -> tuple[str, str]:
        """A new user and a live session token: ``(user_id, token)``."""
        user = await self.store.users.create(
            username=name, email=f"{name}@example.org", password_hash="unused"
        )
        token = new_token()
        # The store holds sessions, as on the nodes; their Redis only caches them.
        await self.store.sessions.create(
            token_hash=hash_token(token), user_id=user.id, expires_at=time.time() + 3600
        )
        return user.id, token

    async def room(self, owner_id: str, member_ids: list[str]) -> str:
        room = await self.store.rooms.create(owner_id=owner_id, name=f"cluster {new_token()[:6]}")
        for member_id in member_ids:
            await self.store.rooms.members.join(room.id, member_id)
        return room.id


async def _start_node(
    nursery: trio.Nursery, node_id: str, environment: dict[str, str], data_dir: Path
) -> NodeProcess:
    environment = {**environment, "TOPICSFLOW_NODE_ID": node_id,
                   "TOPICSFLOW_DATA_DIR": str(data_dir / node_id)}
    process = await trio.lowlevel.open_process(
        [sys.executable, "-m", "topicsflow", "serve", "--port", "0"],
        cwd=REPOSITORY, env=environment, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
    )
    node = NodeProcess(node_id, process)
    listening = trio.Event()

    async def read_log() -> None:
        assert process.stderr is not None
        while chunk := await process.stderr.receive_some():
            node.log += chunk
            if not listening.is_set():
                match = re.search(rb"serving on (http://[\d.]+:\d+)", node.log)
                if match:
                    node.base_url = match.group(1).decode()
                    listening.set()
        listening.set()

    nursery.start_soon(read_log)
    with trio.fail_after(START_DEADLINE_S):
        await listening.wait()
    assert node.base_url, f"node {node_id} exited before listening:\n{node.log.decode()}"
    return node


@contextlib.asynccontextmanager
async def open_cluster_processes(
    count: int, *, redis_url: str, mongodb_url: str, name: str, data_dir: Path
) -> AsyncIterator[Cluster]:
    """Start ``count`` nodes; stop them (SIGKILL what is left) on exit."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("TOPICSFLOW_")
    }
    environment.update(
        TOPICSFLOW_PROFILE="testing", TOPICSFLOW_CLUSTER="true",
        TOPICSFLOW_REDIS_URL=redis_url, TOPICSFLOW_MONGODB_URL=mongodb_url,
        TOPICSFLOW_MONGODB_DATABASE=name, TOPICSFLOW_REDIS_PREFIX=name,
        TOPICSFLOW_SECRET_KEY=SECRET, TOPICSFLOW_OPS_TOKEN=OPS_TOKEN,
        TOPICSFLOW_LEASE_SECONDS=str(LEASE_SECONDS), TOPICSFLOW_SHUTDOWN_GRACE_SECONDS="2",
    )
    async with (
        open_store(mongodb_url, database=name) as store,
        open_realtime(redis_url, prefix=name) as realtime,
        trio.open_nursery() as nursery,
    ):
        nodes: list[NodeProcess] = []
        try:
            for index in range(count):
                nodes.append(await _start_node(
                    nursery, f"node-{index + 1}", environment, data_dir
                ))
            yield Cluster(nodes=nodes, store=store, realtime=realtime, prefix=name)
        except BaseException:
            for node in nodes:  # shown by pytest with the failure
                print(f"===== log of {node.node_id} =====\n{node.log.decode(errors='replace')}")
            raise
        finally:
            with trio.CancelScope(shield=True):
                for node in nodes:
                    if node.process.returncode is None:
                        node.resume()
                        node.process.send_signal(signal.SIGTERM)
                with trio.move_on_after(15):
                    for node in nodes:
                        await node.process.wait()
                for node in nodes:
                    if node.process.returncode is None:
                        node.kill()
                        await node.process.wait()
            nursery.cancel_scope.cancel()


@dataclasses.dataclass
class Sent:
    """What one sender had acknowledged: nonce -> seq."""

    acked: dict[str, int] = dataclasses.field(default_factory=dict)
    retries: int = 0
    acked_at: list[float] = dataclasses.field(default_factory=list)


async def send_until_acked(client: Client, channel: str, text: str, nonce: str,
                           sent: Sent) -> int:
    """Send with ``nonce``, retrying the same nonce until the server acknowledges."""
    while True:
        try:
            reply = await client.request(SendMessage, channel=channel, text=text, nonce=nonce)
        except RequestFailed as error:
            if error.code not in RETRYABLE:
                raise
        except ConnectionLost:
            pass
        else:
            assert isinstance(reply, Ack) and isinstance(reply.result, MessageAccepted)
            sent.acked[nonce] = reply.result.seq
            sent.acked_at.append(trio.current_time())
            return reply.result.seq
        sent.retries += 1
        await trio.sleep(0.05)  # retry pacing, not a timing assertion
