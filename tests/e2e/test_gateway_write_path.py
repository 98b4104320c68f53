"""Which write path a real socket gets, and that both deliver intact frames.

Plain clients get frames written straight to the socket (framed once per broadcast); a
client that negotiates permessage-deflate gets per-socket compressed frames through ASGI.
"""

from __future__ import annotations

import json

import httpx
import trio
import wsproto
import wsproto.events
from wsproto.extensions import PerMessageDeflate

from bots.client import open_client
from protocol.codecs import SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK
from protocol.limits import MAX_MESSAGE_TEXT_LENGTH
from tests.e2e.chat_support import DEADLINE_S, make_room, send, texts
from tests.e2e.conftest import OPS_TOKEN, log_in_new_user, websocket_url
from topicsflow.node import NodeHandle


async def connections(node: NodeHandle) -> tuple[int, int]:
    """(open connections, of which on the direct write path) from /ops/status."""
    async with httpx.AsyncClient(base_url=node.base_url) as client:
        response = await client.get("/ops/status", headers={"Authorization": f"Bearer {OPS_TOKEN}"})
    status = response.json()
    return status["connections"], status["direct_write_connections"]


async def test_plain_clients_take_the_direct_path_and_get_every_frame_intact(
    node: NodeHandle,
) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    channel = f"chat_room:{await make_room(node, alice, bob)}"
    url = websocket_url(node)
    long_text = ("ü€" * MAX_MESSAGE_TEXT_LENGTH)[:MAX_MESSAGE_TEXT_LENGTH]  # a 16-bit length
    with trio.fail_after(DEADLINE_S):
        async with (
            open_client(url, token=alice.token, subprotocol=SUBPROTOCOL_JSON) as alice_client,
            open_client(url, token=bob.token, subprotocol=SUBPROTOCOL_MSGPACK) as bob_client,
        ):
            await alice_client.subscribe(channel)
            await bob_client.subscribe(channel)
            assert await connections(node) == (2, 2)
            for text in ("short", long_text, "after"):
                await send(alice_client, channel, text)
            for client in (alice_client, bob_client):
                assert [text for _, text in await texts(client, 3)] == [
                    "short", long_text, "after"
                ]
    assert await connections(node) == (0, 0)


async def test_a_client_negotiating_compression_is_served_over_asgi(node: NodeHandle) -> None:
    alice = await log_in_new_user(node, "alice")
    host, port = node.base_url.removeprefix("http://").rsplit(":", 1)
    client = wsproto.WSConnection(wsproto.ConnectionType.CLIENT)
    with trio.fail_after(DEADLINE_S):
        stream = await trio.open_tcp_stream(host, int(port))
        async with stream:
            await stream.send_all(client.send(wsproto.events.Request(
                host=host, target="/ws", subprotocols=[SUBPROTOCOL_JSON],
                extensions=[PerMessageDeflate()],
                extra_headers=[(b"authorization", f"Bearer {alice.token}".encode())],
            )))
            accepted = await next_event(stream, client)
            assert isinstance(accepted, wsproto.events.AcceptConnection)
            assert [type(extension) for extension in accepted.extensions] == [PerMessageDeflate]
            await stream.send_all(client.send(wsproto.events.TextMessage(
                data=json.dumps({"type": "ping", "id": 1}))))
            pong = await next_event(stream, client)
            assert isinstance(pong, wsproto.events.TextMessage)
            assert json.loads(pong.data)["type"] == "pong"
            assert await connections(node) == (1, 0)


async def next_event(
    stream: trio.SocketStream, client: wsproto.WSConnection
) -> wsproto.events.Event:
    """The next handshake event or whole message the client reads from ``stream``."""
    text = ""
    while True:
        for event in client.events():
            if isinstance(event, wsproto.events.TextMessage):
                text += event.data
                if not event.message_finished:
                    continue
                return wsproto.events.TextMessage(data=text)
            return event
        data = await stream.receive_some()
        assert data, "the server closed the connection"
        client.receive_data(data)
