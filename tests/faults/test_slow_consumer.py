"""What a slow consumer observes: its socket full and its queue full, it is dropped; once
it reads again (within the write stall bound, 5 s) it finds the frames the server had
already handed to the socket, then a close frame with 4000.  A peer that reads nothing for
longer is cut with a FIN instead (1006): docs/PROTOCOL.md "Close codes" says both.
"""

from __future__ import annotations

import socket

import trio
import trio.testing
import wsproto
import wsproto.events

from protocol.broadcast import BroadcastFrame
from protocol.chat_events import MessageCreated
from protocol.close_codes import CloseCode
from protocol.codecs import SUBPROTOCOL_JSON
from protocol.payloads import ChatMessage
from tests.e2e.chat_support import make_room
from tests.e2e.node_support import log_in_new_user
from topicsflow.node import NodeHandle


async def stalled_subscriber(
    node: NodeHandle, token: str, channel: str
) -> tuple[trio.SocketStream, wsproto.WSConnection]:
    """A subscribed client with a tiny receive window that the test stops reading from."""
    host, port = node.base_url.removeprefix("http://").split(":")
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stream = trio.SocketStream(trio.socket.from_stdlib_socket(raw))
    await stream.socket.connect((host, int(port)))
    connection = wsproto.WSConnection(wsproto.ConnectionType.CLIENT)
    await stream.send_all(connection.send(wsproto.events.Request(
        host=f"{host}:{port}", target="/ws", subprotocols=[SUBPROTOCOL_JSON],
        extra_headers=[(b"authorization", f"Bearer {token}".encode())],
    )))
    subscribe = f'{{"type":"subscribe","id":1,"channel":"{channel}"}}'
    while True:
        connection.receive_data(await stream.receive_some(65536))
        for event in connection.events():
            if isinstance(event, wsproto.events.AcceptConnection):
                await stream.send_all(connection.send(wsproto.events.TextMessage(subscribe)))
            elif isinstance(event, wsproto.events.TextMessage) and '"subscribed"' in event.data:
                return stream, connection


async def test_a_slow_consumer_reading_again_finds_a_4000_close_frame(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    room_id = await make_room(node, alice, bob)
    channel = f"chat_room:{room_id}"
    hub = node.context.hub
    assert hub is not None
    with trio.fail_after(30):
        stream, connection = await stalled_subscriber(node, bob.token, channel)
        seq = 1
        while hub.statistics().dropped_slow == 0:
            seq += 1
            message = ChatMessage(id=f"s{seq}", author_id=alice.user_id, text="x" * 3900,
                                  created_at=1)
            hub.publish(channel, BroadcastFrame(
                MessageCreated(channel=channel, seq=seq, message=message)
            ))
            assert seq < 20_000, "the stalled subscriber was never dropped"
            await trio.testing.wait_all_tasks_blocked()
        close_code = None
        while close_code is None and (data := await stream.receive_some(65536)):
            connection.receive_data(data)
            for event in connection.events():
                if isinstance(event, wsproto.events.CloseConnection):
                    close_code = event.code
        await stream.aclose()
    assert close_code == CloseCode.SLOW_CONSUMER
