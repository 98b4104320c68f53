"""Cluster mode with real processes: three nodes on loopback, the real Redis and the
Mongo-wire server.  Clients on different nodes share a room in one order; killing the
room's owner loses no acknowledged message; a paused owner cannot write after resuming.
"""

from __future__ import annotations

import collections
import itertools
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import trio

from bots.client import Client, open_client
from protocol.chat_events import MessageCreated
from storage.errors import Conflict
from storage.records import MessageDraft
from tests.e2e.cluster_support import (
    LEASE_SECONDS,
    OPS_TOKEN,
    Cluster,
    Sent,
    open_cluster_processes,
    send_until_acked,
)
from topicsflow.status_command import render_status

# Each test starts three node processes (up to 60 s) and runs within DEADLINE_S.
pytestmark = [pytest.mark.redis, pytest.mark.mongo, pytest.mark.timeout(300)]

DEADLINE_S = 120
async def collect(client: Client, channel: str, seqs: list[int], until: int) -> None:
    """Append the seq of every ``message_created`` on ``channel`` until seq ``until``."""
    while not seqs or seqs[-1] < until:
        event = await client.next_event()
        if isinstance(event, MessageCreated) and event.channel == channel:
            seqs.append(event.seq)


async def wait_until(condition: Callable[[], bool]) -> None:
    """Poll ``condition`` (a state other tasks change) every 10 ms until it holds."""
    while True:
        if condition():
            return
        await trio.sleep(0.01)


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
                            order.append((event.seq, event.message.id))

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
        # Every node that forwarded reports its links to the others, and they are up.
        links = [
            (status["node"], link["node_id"], link["state"])  # type: ignore[index]
            for status in statuses for link in status["cluster"]["links"]  # type: ignore[index]
        ]
        assert links and {state for *_, state in links} == {"up"}, links
        assert (await stored_nonces(cluster, room_id)).most_common(1)[0][1] == 1
        async with httpx.AsyncClient(base_url=cluster.nodes[-1].base_url) as client:
            metrics = (await client.get(
                "/metrics", headers={"Authorization": f"Bearer {OPS_TOKEN}"}
            )).text
        assert "topicsflow_cluster_nodes 3.0" in metrics
        tree = list(render_status(statuses[-1]))
        assert any("cluster: 3 live nodes" in line for line in tree), tree
        assert any("node node-3" in line and "(this node)" in line for line in tree), tree


async def watch(client: Client, channel: str, seqs: list[int]) -> None:
    """Record the seq of every ``message_created`` on ``channel`` (until cancelled)."""
    while True:
        event = await client.next_event()
        if isinstance(event, MessageCreated) and event.channel == channel:
            seqs.append(event.seq)


async def test_killing_the_owner_of_a_busy_room_loses_no_acknowledged_message(
    redis_url: str, mongodb_url: str, unique_name: str, tmp_path: Path
) -> None:
    async with open_cluster_processes(
        3, redis_url=redis_url, mongodb_url=mongodb_url, name=unique_name, data_dir=tmp_path
    ) as cluster:
        users = [await cluster.user(f"k{index}{unique_name[-6:]}") for index in range(8)]
        room_id = await cluster.room(users[0][0], [user_id for user_id, _ in users[1:]])
        channel = f"chat_room:{room_id}"
        owner, *survivors = cluster.nodes
        per_sender = 10  # within a member's flood burst, so no send waits on the limit
        sent = [Sent() for _ in range(4)]
        watched: list[list[int]] = [[], [], []]
        killed = trio.Event()
        with trio.fail_after(DEADLINE_S):
            async with open_client(owner.websocket_url, token=users[0][1]) as first:
                await send_until_acked(first, channel, "first", "first", Sent())
            lease = await cluster.owner_of("chat_room", room_id)
            assert lease is not None and lease.owner == owner.node_id

            async def sender(index: int) -> None:
                node = survivors[index % 2]
                async with open_client(node.websocket_url, token=users[1 + index][1]) as client:
                    for number in range(per_sender):
                        await send_until_acked(client, channel, f"m{number}",
                                               f"s{index}-{number}", sent[index])

            async def killer() -> None:
                await wait_until(lambda: min(len(record.acked) for record in sent) >= 4)
                owner.kill()
                killed.set()

            async def watcher_on_owner() -> None:
                token = users[5][1]
                async with trio.open_nursery() as nursery:
                    client = Client(owner.websocket_url, token=token)
                    await nursery.start(client.run)
                    await client.subscribe(channel)
                    nursery.start_soon(watch, client, channel, watched[0])
                    await killed.wait()
                    nursery.cancel_scope.cancel()
                resume_from = watched[0][-1] if watched[0] else 1
                async with open_client(survivors[0].websocket_url, token=token) as client:
                    await client.subscribe(channel, since_seq=resume_from)
                    await watch(client, channel, watched[0])

            async def watcher(index: int) -> None:
                node = survivors[index - 1]
                async with open_client(node.websocket_url, token=users[5 + index][1]) as client:
                    await client.subscribe(channel)
                    await watch(client, channel, watched[index])

            async with trio.open_nursery() as nursery:
                nursery.start_soon(watcher_on_owner)
                nursery.start_soon(watcher, 1)
                nursery.start_soon(watcher, 2)
                async with trio.open_nursery() as traffic:
                    for index in range(len(sent)):
                        traffic.start_soon(sender, index)
                    traffic.start_soon(killer)
                final = max(max(record.acked.values()) for record in sent)
                await wait_until(lambda: min(seqs[-1] if seqs else 0 for seqs in watched) >= final)
                nursery.cancel_scope.cancel()

        acked = {nonce: seq for record in sent for nonce, seq in record.acked.items()}
        assert len(acked) == len(sent) * per_sender
        stored = await cluster.store.messages.since(room_id, after_seq=0, limit=1000)
        by_nonce = collections.Counter(message.nonce for message in stored)
        assert all(by_nonce[nonce] == 1 for nonce in acked), "an acked send is missing or doubled"
        seq_of = {message.nonce: message.seq for message in stored}
        assert all(seq_of[nonce] == seq for nonce, seq in acked.items())
        assert [message.seq for message in stored] == list(range(1, len(stored) + 1))
        for seqs in watched:
            assert seqs == list(range(seqs[0], final + 1)), "a watcher saw a gap or a repeat"
        lease = await cluster.owner_of("chat_room", room_id)
        assert lease is not None and lease.owner != owner.node_id
        acked_at = sorted(moment for record in sent for moment in record.acked_at)
        outage = max(later - earlier for earlier, later in itertools.pairwise(acked_at))
        print(f"\nfailover: no send acknowledged for {outage:.2f} s around kill -9 "
              f"(lease {LEASE_SECONDS} s); retries {[record.retries for record in sent]}")


async def test_a_paused_owner_cannot_write_after_its_lease_expired(
    redis_url: str, mongodb_url: str, unique_name: str, tmp_path: Path
) -> None:
    async with open_cluster_processes(
        2, redis_url=redis_url, mongodb_url=mongodb_url, name=unique_name, data_dir=tmp_path
    ) as cluster:
        (a_id, a_token), (b_id, b_token) = [
            await cluster.user(f"p{index}{unique_name[-6:]}") for index in range(2)
        ]
        room_id = await cluster.room(a_id, [b_id])
        channel = f"chat_room:{room_id}"
        stale, fresh = cluster.nodes
        with trio.fail_after(DEADLINE_S):
            async with (
                open_client(stale.websocket_url, token=a_token) as on_stale,
                open_client(fresh.websocket_url, token=b_token) as on_fresh,
            ):
                await send_until_acked(on_stale, channel, "before", "a-0", Sent())
                old = await cluster.owner_of("chat_room", room_id)
                assert old is not None and old.owner == stale.node_id
                stale.pause()
                try:
                    taken = Sent()
                    await send_until_acked(on_fresh, channel, "during", "b-0", taken)
                    new = await cluster.owner_of("chat_room", room_id)
                    assert new is not None
                    assert new.owner == fresh.node_id and new.token > old.token
                    with pytest.raises(Conflict):
                        await cluster.store.messages.append(
                            room_id, MessageDraft(author_id=a_id, body="stale"), fence=old.token
                        )
                finally:
                    stale.resume()
                after = Sent()
                seq = await send_until_acked(on_stale, channel, "after", "a-1", after)
                assert seq == taken.acked["b-0"] + 1
                for _ in range(200):
                    status = await stale.status()
                    if status["cluster"]["lost_leases"] >= 1:  # type: ignore[index]
                        break
                    await trio.sleep(0.05)
                else:
                    raise AssertionError("the resumed node never noticed its lost lease")
        stored = await cluster.store.messages.since(room_id, after_seq=0, limit=100)
        assert [message.nonce for message in stored] == ["a-0", "b-0", "a-1"]
        assert [message.seq for message in stored] == [1, 2, 3]
