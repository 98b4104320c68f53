"""Chat over real WebSockets with the SDK: order, resume after a gap, slow consumers."""

from __future__ import annotations

import socket

import pytest
import trio
import trio.lowlevel
import trio.testing
import wsproto
import wsproto.events

from bots.client import RequestFailed, open_client
from protocol.broadcast import BroadcastFrame
from protocol.chat_events import MessageCreated
from protocol.codecs import SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK
from protocol.payloads import ChatMessage
from tests.e2e.chat_support import DEADLINE_S, make_room, send, texts
from tests.e2e.conftest import log_in_new_user, websocket_url
from topicsflow.node import NodeHandle


async def test_json_and_msgpack_clients_see_each_others_messages_in_one_order(
    node: NodeHandle,
) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    room_id = await make_room(node, alice, bob)
    channel = f"chat_room:{room_id}"
    url = websocket_url(node)
    with trio.fail_after(DEADLINE_S):
        async with (
            open_client(url, token=alice.token, subprotocol=SUBPROTOCOL_JSON) as alice_client,
            open_client(url, token=bob.token, subprotocol=SUBPROTOCOL_MSGPACK) as bob_client,
        ):
            await alice_client.subscribe(channel)
            await bob_client.subscribe(channel)
            async with trio.open_nursery() as nursery:
                for index in range(10):
                    sender = alice_client if index % 2 == 0 else bob_client
                    nursery.start_soon(send, sender, channel, f"message {index} ü")
            seen_by_alice = await texts(alice_client, 10)
            seen_by_bob = await texts(bob_client, 10)
    assert seen_by_alice == seen_by_bob
    assert [seq for seq, _ in seen_by_alice] == sorted(seq for seq, _ in seen_by_alice)
    assert {text for _, text in seen_by_alice} == {f"message {index} ü" for index in range(10)}


async def test_a_reconnecting_client_receives_exactly_what_it_missed(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    room_id = await make_room(node, alice, bob)
    channel = f"chat_room:{room_id}"
    url = websocket_url(node)
    with trio.fail_after(DEADLINE_S):
        async with (
            open_client(url, token=alice.token) as alice_client,
            open_client(url, token=bob.token, reconnect=False) as bob_client,
        ):
            await alice_client.subscribe(channel)
            await send(bob_client, channel, "before")
            assert await texts(alice_client, 1) == [(2, "before")]
            await alice_client.disconnect_for_test()
            for number in range(5):  # sent while alice is away
                await send(bob_client, channel, f"missed {number}")
            resumed = await texts(alice_client, 5)
            assert alice_client.reconnects == 1
            await send(bob_client, channel, "after")
            live = await texts(alice_client, 1)
    assert resumed == [(3 + number, f"missed {number}") for number in range(5)]
    assert live == [(8, "after")]


async def test_non_members_cannot_subscribe_or_send(node: NodeHandle) -> None:
    alice, mallory = await log_in_new_user(node, "alice"), await log_in_new_user(node, "mallory")
    room_id = await make_room(node, alice)
    channel = f"chat_room:{room_id}"
    async with open_client(websocket_url(node), token=mallory.token) as client:
        with pytest.raises(RequestFailed) as subscribe:
            await client.subscribe(channel)
        assert subscribe.value.code == "forbidden"
        with pytest.raises(RequestFailed) as resume:
            await client.subscribe(channel, since_seq=0)
        assert resume.value.code == "forbidden"
        with pytest.raises(RequestFailed) as post:
            await send(client, channel, "let me in")
        assert post.value.code == "forbidden"
        with pytest.raises(RequestFailed) as missing:
            await client.subscribe("chat_room:doesnotexist")
        assert missing.value.code == "not_found"


async def open_stalled_subscriber(node: NodeHandle, token: str, channel: str) -> socket.socket:
    """A client that subscribes and then never reads again, with a tiny receive window."""
    host, port = node.base_url.removeprefix("http://").split(":")
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stream = trio.SocketStream(trio.socket.from_stdlib_socket(raw))
    await stream.socket.connect((host, int(port)))
    connection = wsproto.WSConnection(wsproto.ConnectionType.CLIENT)
    request = wsproto.events.Request(
        host=f"{host}:{port}", target="/ws", subprotocols=[SUBPROTOCOL_JSON],
        extra_headers=[(b"authorization", f"Bearer {token}".encode())],
    )
    await stream.send_all(connection.send(request))
    subscribe = f'{{"type":"subscribe","id":1,"channel":"{channel}"}}'
    accepted = subscribed = False
    while not subscribed:
        connection.receive_data(await stream.receive_some(65536))
        for event in connection.events():
            if isinstance(event, wsproto.events.AcceptConnection):
                accepted = True
                await stream.send_all(connection.send(wsproto.events.TextMessage(subscribe)))
            elif isinstance(event, wsproto.events.TextMessage) and '"subscribed"' in event.data:
                subscribed = True
    assert accepted
    return raw


async def test_a_slow_subscriber_is_disconnected_and_a_fast_one_is_unaffected(
    node: NodeHandle,
) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    room_id = await make_room(node, alice, bob)
    channel = f"chat_room:{room_id}"
    assert node.context.hub is not None
    hub = node.context.hub
    last_seq = 1  # bob's join

    def publish(text: str) -> None:
        # Straight into the fan-out: this test is about delivery, not the room's limits.
        nonlocal last_seq
        last_seq += 1
        message = ChatMessage(
            id=f"s{last_seq}", author_id=alice.user_id, text=text, created_at=1
        )
        hub.publish(
            channel, BroadcastFrame(MessageCreated(channel=channel, seq=last_seq, message=message))
        )

    with trio.fail_after(DEADLINE_S * 2):
        stalled = await open_stalled_subscriber(node, bob.token, channel)
        async with open_client(websocket_url(node), token=alice.token) as fast:
            await fast.subscribe(channel)
            sent = 0
            while hub.statistics().dropped_slow == 0:
                publish("x" * 3900)
                sent += 1
                assert sent < 20_000, "the stalled subscriber was never disconnected"
                # A publisher no faster than the fast reader: only the stalled one falls behind.
                await trio.testing.wait_all_tasks_blocked()
            for number in range(3):
                publish(f"after {number}")
            received = await texts(fast, sent + 3)
    stalled.close()
    assert [seq for seq, _ in received] == list(range(2, sent + 5))
    assert received[-1][1] == "after 2"
    assert hub.statistics().dropped_slow == 1
