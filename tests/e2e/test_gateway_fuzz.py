"""Random bytes and JSON at the live endpoint: errors or documented closes, never a crash."""

from __future__ import annotations

import json
import logging
import random
import string

import msgspec
import pytest
import trio
import trio_websocket

from bots.client import open_client
from protocol.close_codes import CloseCode
from protocol.codecs import SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK
from protocol.control_frames import Pong
from tests.e2e.conftest import log_in_new_user, websocket_url
from topicsflow.node import NodeHandle

FRAMES_PER_CONNECTION = 150


def random_json(generator: random.Random, depth: int = 0) -> object:
    """A random JSON value, sometimes shaped like a frame."""
    choice = generator.randrange(8 if depth < 3 else 5)
    if choice == 0:
        return None
    if choice == 1:
        return generator.choice([True, False, 0, -1, 2**63, 1.5e308, float("-0")])
    if choice == 2:
        return "".join(generator.choice(string.printable + "é☃\u202e") for _ in range(20))
    if choice == 3:
        return generator.choice(["authenticate", "subscribe", "send_message", "ping", "react"])
    if choice == 4:
        return generator.randrange(-10, 10**6)
    if choice == 5:
        return [random_json(generator, depth + 1) for _ in range(generator.randrange(4))]
    keys = ["type", "id", "channel", "text", "since_seq", "token", "emoji", "x"]
    return {
        generator.choice(keys): random_json(generator, depth + 1)
        for _ in range(generator.randrange(5))
    }


def random_message(generator: random.Random, subprotocol: str) -> str | bytes:
    if generator.random() < 0.3:
        return bytes(generator.randrange(256) for _ in range(generator.randrange(1, 64)))
    text = json.dumps(random_json(generator))
    return text if subprotocol == SUBPROTOCOL_JSON else text.encode()


async def fuzz_connection(
    node: NodeHandle, token: str, subprotocol: str, generator: random.Random
) -> int:
    """Send random frames until done or closed; return the close code (1000 when done)."""
    async with trio_websocket.open_websocket_url(
        websocket_url(node),
        subprotocols=[subprotocol],
        extra_headers=[(b"authorization", f"Bearer {token}".encode())],
    ) as socket:
        try:
            for _ in range(FRAMES_PER_CONNECTION):
                await socket.send_message(random_message(generator, subprotocol))
                data = await socket.get_message()
                reply = json.loads(data) if isinstance(data, str) else msgspec.msgpack.decode(data)
                assert reply.get("code") != "internal", reply
        except trio_websocket.ConnectionClosed as closed:
            reason = closed.reason
        else:
            return 1000
    assert reason is not None
    return reason.code


async def test_random_frames_get_errors_and_neighbours_keep_working(
    node: NodeHandle, caplog: pytest.LogCaptureFixture
) -> None:
    alice = await log_in_new_user(node, "alice")
    neighbour = await log_in_new_user(node, "neighbour")
    generator = random.Random(20261126)  # deterministic: a failure reproduces
    closes: list[int] = []
    with trio.fail_after(60):
        async with open_client(websocket_url(node), token=neighbour.token) as bystander:
            for subprotocol in (SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK) * 3:
                closes.append(await fuzz_connection(node, alice.token, subprotocol, generator))
                assert isinstance(await bystander.ping(), Pong)
    documented = {int(code) for code in CloseCode}
    assert set(closes) <= documented
    assert CloseCode.POLICY_VIOLATION in closes, "repeated invalid frames close with 1008"
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
