"""A bytes cache in Redis with tag sets for targeted invalidation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import coredis
from coredis import PureToken

from storage.dependency import DependencyGate
from storage.realtime.keys import cache_key, tag_key
from storage.realtime.protocols import KeyPart
from storage.realtime.redis_errors import redis_errors


class RedisCache:
    """:class:`storage.realtime.Cache` on Redis. Tag sets live as long as their longest key."""

    def __init__(self, client: coredis.Redis[bytes], *, prefix: str, gate: DependencyGate) -> None:
        self._client = client
        self._gate = gate
        self._prefix = prefix

    async def get(self, key: Sequence[KeyPart]) -> bytes | None:
        with redis_errors(self._gate):
            return await self._client.get(cache_key(self._prefix, key))

    async def set(
        self, key: Sequence[KeyPart], value: bytes, *, ttl: float, tags: Sequence[str] = ()
    ) -> None:
        name = cache_key(self._prefix, key)
        milliseconds = max(int(ttl * 1000), 1)
        with redis_errors(self._gate):
            await self._client.set(name, value, px=milliseconds)
            for tag in tags:
                tag_name = tag_key(self._prefix, tag)
                await self._client.sadd(tag_name, [name])
                # NX gives a fresh set a TTL; GT only ever lengthens it (Redis 7).
                await self._client.pexpire(tag_name, milliseconds, condition=PureToken.NX)
                await self._client.pexpire(tag_name, milliseconds, condition=PureToken.GT)

    async def get_or_set(
        self,
        key: Sequence[KeyPart],
        loader: Callable[[], Awaitable[bytes]],
        *,
        ttl: float,
        tags: Sequence[str] = (),
    ) -> bytes:
        cached = await self.get(key)
        if cached is not None:
            return cached
        value = await loader()
        await self.set(key, value, ttl=ttl, tags=tags)
        return value

    async def invalidate(self, key: Sequence[KeyPart]) -> None:
        with redis_errors(self._gate):
            await self._client.delete([cache_key(self._prefix, key)])

    async def invalidate_tag(self, tag: str) -> int:
        with redis_errors(self._gate):
            names = list(await self._client.smembers(tag_key(self._prefix, tag)))
            await self._client.delete([tag_key(self._prefix, tag)])
            deleted = 0
            for name in names:  # one key per command: a tag's keys span cluster slots
                deleted += await self._client.delete([name])
            return deleted
