"""Cluster mode with real processes: three nodes on loopback, the real Redis and the
Mongo-wire server.  Clients on different nodes share a room in one order; killing the
room's owner loses no acknowledged message; a paused owner cannot write after resuming.
"""

from __future__ import annotations

import collections
import dataclasses
from pathlib import Path

import pytest
import trio

from bots.client import Client
from bots.client_connection import ConnectionLost, RequestFailed
from protocol.chat_events import MessageCreated
from protocol.client_frames import SendMessage
from protocol.control_frames import Ack, MessageAccepted
from protocol.errors import ErrorCode
from tests.e2e.cluster_support import Cluster, open_cluster_processes

pytestmark = [pytest.mark.redis, pytest.mark.mongo]

DEADLINE_S = 120
RETRYABLE = {ErrorCode.UNAVAILABLE, ErrorCode.TIMEOUT, ErrorCode.INTERNAL}


@dataclasses.dataclass
class Sent:
    """What one sender had acknowledged: nonce -> seq."""

    acked: dict[str, int] = dataclasses.field(default_factory=dict)
    retries: int = 0


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
            return reply.result.seq
        sent.retries += 1
        await trio.sleep(0.05)  # retry pacing, not a timing assertion


async def collect(client: Client, channel: str, seqs: list[int], until: int) -> None:
    """Append the seq of every ``message_created`` on ``channel`` until seq ``until``."""
    while not seqs or seqs[-1] < until:
        event = await client.next_event()
        if isinstance(event, MessageCreated) and event.channel == channel:
            seqs.append(event.seq)


async def stored_nonces(cluster: Cluster, room_id: str) -> collections.Counter[str]:
    messages = await cluster.store.messages.since(room_id, after_seq=0, limit=1000)
    return collections.Counter(message.nonce for message in messages if message.nonce)


async def test_clients_on_three_nodes_share_one_room_order(
    redis_url: str, mongodb_url: str, unique_name: str, tmp_path: Path
) -> None:
    async with open_cluster_processes(
        3, redis_url=redis_url, mongodb_url=mongodb_url, name=unique_name, data_dir=tmp_path
    ) as cluster:
        users = [await cluster.user(f"u{index}{unique_name[-6:]}") for index in range(6)]
        room_id = await cluster.room(users[0][0], [user_id for user_id, _ in users[1:]])
        channel = f"chat_room:{room_id}"
        per_user = 5
        total = per_user * len(users)
        received: dict[int, list[tuple[int, str]]] = {}
        with trio.fail_after(DEADLINE_S):
            async with trio.open_nursery() as nursery:
                clients: list[Client] = []
                for index, (_, token) in enumerate(users):
                    node = cluster.nodes[index % 3]
                    client = Client(node.websocket_url, token=token)
                    await nursery.start(client.run)
                    await client.subscribe(channel)
                    clients.append(client)

                async def read(index: int, client: Client) -> None:
                    order = received[index] = []
                    while len(order) < total:
                        event = await client.next_event()
                        if isinstance(event, MessageCreated) and event.channel == channel:
                            order.append((event.seq, event.message.message_id))

                async def write(index: int, client: Client) -> None:
                    sent = Sent()
                    for number in range(per_user):
                        await send_until_acked(
                            client, channel, f"hello {number} from {index}",
                            f"n{index}-{number}", sent,
                        )

                async with trio.open_nursery() as traffic:
                    for index, client in enumerate(clients):
                        traffic.start_soon(read, index, client)
                        traffic.start_soon(write, index, client)
                for client in clients:
                    await client.close()
                nursery.cancel_scope.cancel()
        orders = list(received.values())
        assert all(order == orders[0] for order in orders), "clients saw different orders"
        assert [seq for seq, _ in orders[0]] == sorted({seq for seq, _ in orders[0]})
        assert len(orders[0]) == total
        statuses = [await node.status() for node in cluster.nodes]  # node-3 joined last
        forwarded = [status["cluster"]["forwarded"] for status in statuses]  # type: ignore[index]
        assert sum(1 for count in forwarded if count > 0) >= 2, forwarded
        assert {node["node_id"] for node in statuses[-1]["cluster"]["nodes"]} == {  # type: ignore[index]
            "node-1", "node-2", "node-3"
        }
        assert (await stored_nonces(cluster, room_id)).most_common(1)[0][1] == 1
