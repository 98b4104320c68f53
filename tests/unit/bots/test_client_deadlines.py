"""The SDK never waits without a deadline: a request whose reply never comes times out."""

from __future__ import annotations

import contextlib

import pytest
import trio
import trio_websocket
from trio.testing import MockClock

from bots.client import DEFAULT_REQUEST_TIMEOUT, RequestTimedOut, open_client
from protocol.codecs import SUBPROTOCOL_JSON


@pytest.fixture
def slow_clock() -> MockClock:
    """Jumps only after real idleness, so loopback I/O completes on real time first."""
    return MockClock(autojump_threshold=0.05)


async def test_a_request_without_reply_times_out(slow_clock: MockClock) -> None:
    received: list[str | bytes] = []

    async def never_answer(request: trio_websocket.WebSocketRequest) -> None:
        socket = await request.accept(subprotocol=SUBPROTOCOL_JSON)
        with contextlib.suppress(trio_websocket.ConnectionClosed):
            while True:
                received.append(await socket.get_message())

    async with trio.open_nursery() as nursery:
        servers = await nursery.start(trio_websocket.serve_websocket, never_answer, "127.0.0.1", 0,
                                      None)
        port = servers.port
        async with open_client(f"ws://127.0.0.1:{port}/ws", token="t", reconnect=False) as client:
            started = trio.current_time()
            with pytest.raises(RequestTimedOut, match="Ping"):
                await client.ping()
            assert trio.current_time() - started >= DEFAULT_REQUEST_TIMEOUT
        nursery.cancel_scope.cancel()
    assert received and b'"ping"' in (
        received[0] if isinstance(received[0], bytes) else received[0].encode()
    )
