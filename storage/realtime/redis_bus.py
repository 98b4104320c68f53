"""Cross-node publish/subscribe over Redis pub/sub (coredis, on trio via anyio)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import coredis
import trio

from storage.dependency import DependencyGate
from storage.realtime.protocols import BusMessage, BusOverflow
from storage.realtime.redis_errors import redis_errors


class RedisSubscription:
    """Iterates forwarded messages; after falling behind, the buffered ones then BusOverflow."""

    def __init__(self, receive: trio.MemoryReceiveChannel[BusMessage]) -> None:
        self._receive = receive
        self.overflowed = False

    def __aiter__(self) -> RedisSubscription:
        return self

    async def __anext__(self) -> BusMessage:
        try:
            return await self._receive.receive()
        except trio.EndOfChannel:
            if self.overflowed:
                raise BusOverflow("the subscriber fell behind") from None
            raise StopAsyncIteration from None


class RedisBus:
    """:class:`storage.realtime.Bus` on Redis. Channel names are prefixed."""

    def __init__(self, client: coredis.Redis[bytes], *, prefix: str, gate: DependencyGate) -> None:
        self._client = client
        self._gate = gate
        self._prefix = prefix

    def _channel(self, channel: str) -> str:
        return f"{self._prefix}:bus:{channel}"

    async def publish(self, channel: str, data: bytes) -> None:
        with redis_errors(self._gate):
            await self._client.publish(self._channel(channel), data)

    @contextlib.asynccontextmanager
    async def subscribe(
        self, *channels: str, buffer: int = 1000
    ) -> AsyncIterator[RedisSubscription]:
        """Subscribe (acknowledged by Redis before this returns) and run the reader task."""
        names = {self._channel(channel): channel for channel in channels}
        send, receive = trio.open_memory_channel[BusMessage](buffer)
        subscription = RedisSubscription(receive)

        async def forward(pubsub: coredis.patterns.pubsub.PubSub[bytes]) -> None:
            async with send:
                async for message in pubsub:
                    if message["type"] != "message":
                        continue
                    name = message["channel"]
                    name = name.decode() if isinstance(name, bytes) else name
                    data = message["data"]
                    if not isinstance(data, bytes):
                        continue
                    try:
                        send.send_nowait(BusMessage(channel=names[name], data=data))
                    except trio.WouldBlock:
                        subscription.overflowed = True
                        return

        with redis_errors():
            async with (
                self._client.pubsub(channels=list(names), ignore_subscribe_messages=True) as pubsub,
                trio.open_nursery() as nursery,
            ):
                nursery.start_soon(forward, pubsub)
                async with receive:
                    yield subscription
                nursery.cancel_scope.cancel()
