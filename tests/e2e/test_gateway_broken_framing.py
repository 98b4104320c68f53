"""Broken WebSocket framing is answered with a close frame carrying RFC 6455's code
(1002 protocol error, 1007 invalid text), not a bare TCP close (which clients see as 1006).

Each case opens a real WebSocket with wsproto's client, then writes one broken frame by
hand and reads what the server sends until it closes the TCP connection.
"""

from __future__ import annotations

import httpx
import pytest
import trio
import trio.testing
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Request

from http_facade.websocket import hypercorn_direct
from protocol.codecs import SUBPROTOCOL_JSON
from tests.e2e.conftest import log_in_new_user
from topicsflow.node import NodeHandle

MASK = b"\x00\x00\x00\x00"  # a zero mask key leaves the payload as it is

BROKEN_FRAMES = {
    "unmasked": (b"\x81\x05hello", 1002),
    "reserved bit": (b"\xc1\x85" + MASK + b"hello", 1002),
    "unknown opcode": (b"\x83\x80" + MASK, 1002),
    "fragmented ping": (b"\x09\x80" + MASK, 1002),
    "over-long ping": (b"\x89\xfe\x00\x7e" + MASK + b"x" * 126, 1002),
    "continuation first": (b"\x80\x80" + MASK, 1002),
    "invalid utf-8": (b"\x81\x82" + MASK + b"\xff\xfe", 1007),
}


async def open_raw_websocket(node: NodeHandle, token: str) -> trio.SocketStream:
    """A WebSocket, accepted, on a raw stream (the server sends nothing unasked)."""
    host, port = node.base_url.removeprefix("http://").split(":")
    stream = await trio.open_tcp_stream(host, int(port))
    client = WSConnection(ConnectionType.CLIENT)
    await stream.send_all(client.send(Request(
        host=f"{host}:{port}", target="/ws", subprotocols=[SUBPROTOCOL_JSON],
        extra_headers=[(b"authorization", f"Bearer {token}".encode())],
    )))
    while True:
        data = await stream.receive_some()
        assert data, "the server closed during the handshake"
        client.receive_data(data)
        if any(isinstance(event, AcceptConnection) for event in client.events()):
            return stream


async def close_code_after(stream: trio.SocketStream, frame: bytes) -> int | None:
    """Write ``frame``; the code of the server's close frame, read as soon as it arrives
    (None: the server closed the TCP connection without one)."""
    await stream.send_all(frame)
    received = bytearray()
    while chunk := await stream.receive_some():
        received.extend(chunk)
        code = _close_code(received)
        if code is not None:
            return code
    return None


def _close_code(received: bytearray) -> int | None:
    """The code of the first close frame among the complete frames in ``received``."""
    index = 0
    while index + 2 <= len(received):
        opcode, length = received[index] & 0x0F, received[index + 1] & 0x7F
        header = 2
        if length == 126:
            length, header = int.from_bytes(received[index + 2:index + 4], "big"), 4
        elif length == 127:
            length, header = int.from_bytes(received[index + 2:index + 10], "big"), 10
        if index + header + length > len(received):
            return None
        payload = received[index + header:index + header + length]
        if opcode == 0x8:
            return int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
        index += header + length
    return None


@pytest.mark.parametrize("case", sorted(BROKEN_FRAMES))
async def test_broken_framing_is_answered_with_a_close_frame(node: NodeHandle, case: str) -> None:
    frame, expected = BROKEN_FRAMES[case]
    user = await log_in_new_user(node, "framer")
    with trio.fail_after(10):
        stream = await open_raw_websocket(node, user.token)
        async with stream:
            assert await close_code_after(stream, frame) == expected


def test_the_cases_cover_seven_kinds() -> None:
    assert len(BROKEN_FRAMES) == 7
    assert {code for _, code in BROKEN_FRAMES.values()} == {1002, 1007}



async def test_a_message_after_an_oversized_one_cannot_stop_the_server(node: NodeHandle) -> None:
    """Hypercorn refuses a message over its size limit (1009) but kept the refused text in
    its buffer, and a binary message sent right after it ended the whole server."""
    user = await log_in_new_user(node, "oversize")
    with trio.fail_after(10):
        stream = await open_raw_websocket(node, user.token)
        async with stream:
            oversized = b"x" * (64 * 1024 + 1)
            text_frame = b"\x81\xff" + len(oversized).to_bytes(8, "big") + MASK + oversized
            binary_frame = b"\x82\x83" + MASK + b"abc"
            assert await close_code_after(stream, text_frame + binary_frame) == 1009
            # More data makes Hypercorn handle the events queued behind the refusal.
            await stream.send_all(binary_frame)
            await trio.testing.wait_all_tasks_blocked()
        async with httpx.AsyncClient(base_url=node.base_url) as http:
            assert (await http.get("/healthz")).status_code == 200
        again = await open_raw_websocket(node, user.token)
        await again.aclose()


async def test_a_failure_inside_one_connection_leaves_the_others_serving(
    node: NodeHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the event guard, Hypercorn's buffer bug raises inside the connection; the
    node's containment closes that connection only (``contain_connection_failures``)."""
    monkeypatch.setattr(hypercorn_direct, "guard_events", lambda connection: None)
    user = await log_in_new_user(node, "bystander")
    with trio.fail_after(10):
        bystander = await open_raw_websocket(node, user.token)
        culprit = await open_raw_websocket(node, user.token)
        oversized = b"x" * (64 * 1024 + 1)
        text_frame = b"\x81\xff" + len(oversized).to_bytes(8, "big") + MASK + oversized
        binary_frame = b"\x82\x83" + MASK + b"abc"
        assert await close_code_after(culprit, text_frame + binary_frame) == 1009
        await culprit.send_all(binary_frame)  # Hypercorn's TypeError, in this connection
        assert await culprit.receive_some() == b"", "the failed connection is closed"
        ping = b"\x89\x80" + MASK
        await bystander.send_all(ping)
        assert (await bystander.receive_some())[0] == 0x8A, "the other connection answers"
        async with httpx.AsyncClient(base_url=node.base_url) as http:
            assert (await http.get("/healthz")).status_code == 200
        await bystander.aclose()
