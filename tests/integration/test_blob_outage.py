"""The blob service hung: calls fail ``StorageUnavailable`` within the deadline, then at
once while the breaker is open, and the breaker closes by itself when it answers again.

Azurite (the suite's, through ``scripts/test``) is reached through a relay of the test's
own that the test can make stop forwarding — a hung service whose sockets stay open.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator

import pytest
import trio

from storage.blob.azure import open_azure_blob_store
from storage.dependency import BreakerState
from storage.errors import StorageUnavailable

pytestmark = pytest.mark.azurite

DEADLINE_S = 1.0
ANSWERED_WITHIN_S = 2 * DEADLINE_S + 1.0


class Relay:
    """A TCP relay to ``target``; while ``hung``, it forwards nothing."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.flowing = trio.Event()
        self.flowing.set()

    def hang(self) -> None:
        self.flowing = trio.Event()

    def resume(self) -> None:
        self.flowing.set()

    async def serve(self, client: trio.SocketStream) -> None:
        server = await trio.open_tcp_stream(*self.target)
        async with client, server, trio.open_nursery() as nursery:
            nursery.start_soon(self._pump, client, server, nursery.cancel_scope)
            nursery.start_soon(self._pump, server, client, nursery.cancel_scope)

    async def _pump(
        self, source: trio.SocketStream, sink: trio.SocketStream, scope: trio.CancelScope
    ) -> None:
        try:
            while data := await source.receive_some(65536):
                await self.flowing.wait()
                await sink.send_all(data)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            pass
        scope.cancel()


@pytest.fixture
async def relayed(azure_blob_connection_string: str) -> AsyncIterator[tuple[str, Relay]]:
    """A connection string whose blob endpoint goes through a :class:`Relay`."""
    parts = dict(
        part.split("=", 1) for part in azure_blob_connection_string.split(";") if part
    )
    endpoint = parts["BlobEndpoint"]
    host_port = endpoint.removeprefix("http://").split("/", 1)[0]
    host, port = host_port.split(":")
    relay = Relay((host, int(port)))
    async with trio.open_nursery() as nursery:
        listeners = await nursery.start(
            functools.partial(trio.serve_tcp, relay.serve, 0, host="127.0.0.1")
        )
        relay_port = listeners[0].socket.getsockname()[1]
        parts["BlobEndpoint"] = endpoint.replace(host_port, f"127.0.0.1:{relay_port}")
        yield ";".join(f"{key}={value}" for key, value in parts.items()) + ";", relay
        relay.resume()
        nursery.cancel_scope.cancel()


async def test_a_hung_blob_service_is_answered_within_the_deadline_then_recovers(
    relayed: tuple[str, Relay], unique_name: str
) -> None:
    connection_string, relay = relayed
    async with open_azure_blob_store(
        connection_string, unique_name, deadline=DEADLINE_S
    ) as blobs:
        assert await blobs.delete("0" * 32) is False  # answers while flowing
        relay.hang()
        with trio.fail_after(ANSWERED_WITHIN_S), pytest.raises(StorageUnavailable):
            await blobs.delete("1" * 32)
        assert blobs.gate.state is BreakerState.OPEN
        with trio.fail_after(0.5), pytest.raises(StorageUnavailable):
            await blobs.delete("2" * 32)  # refused at once, the breaker open
        relay.resume()
        with trio.fail_after(ANSWERED_WITHIN_S * 3):
            await blobs.gate.wait_closed()
        assert await blobs.delete("3" * 32) is False
