"""Realtime services: sessions, cache, rate limiter and bus, on Redis or in process.

``async with open_realtime(url, prefix=…) as realtime:`` yields :class:`Realtime`;
``url=None`` gives the in-process twins (single node, embedded mode).
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator, Callable

import coredis

from storage.protocols import SessionStore
from storage.realtime.leases import (
    Lease,
    LeaseTable,
    Members,
    MemoryLeaseTable,
    MemoryMembers,
    NodeRecord,
)
from storage.realtime.memory import MemoryBus, MemoryCache, MemoryRateLimiter, MemorySessions
from storage.realtime.protocols import (
    Bus,
    BusMessage,
    BusOverflow,
    Cache,
    KeyPart,
    RateDecision,
    RateLimiter,
    Subscription,
)
from storage.realtime.redis_bus import RedisBus
from storage.realtime.redis_cache import RedisCache
from storage.realtime.redis_errors import redis_errors
from storage.realtime.redis_leases import RedisLeaseTable, RedisMembers
from storage.realtime.redis_rate_limit import RedisRateLimiter
from storage.realtime.redis_sessions import RedisSessions

__all__ = [
    "Bus",
    "BusMessage",
    "BusOverflow",
    "Cache",
    "KeyPart",
    "Lease",
    "LeaseTable",
    "Members",
    "NodeRecord",
    "RateDecision",
    "RateLimiter",
    "Realtime",
    "Subscription",
    "open_realtime",
]


@dataclasses.dataclass(frozen=True)
class Realtime:
    """The realtime services of one node."""

    sessions: SessionStore
    cache: Cache
    rate_limiter: RateLimiter
    bus: Bus
    leases: LeaseTable
    members: Members
    backend: str


@contextlib.asynccontextmanager
async def open_realtime(
    url: str | None, *, prefix: str = "topicsflow", clock: Callable[[], float] = time.time
) -> AsyncIterator[Realtime]:
    """Connect to Redis at ``url`` (``redis://``, ``rediss://``, ``unix://``) or, for None,
    build the in-process twins. Every Redis key and channel starts with ``prefix:``.
    """
    if url is None:
        yield Realtime(
            sessions=MemorySessions(clock),
            cache=MemoryCache(clock),
            rate_limiter=MemoryRateLimiter(clock),
            bus=MemoryBus(),
            leases=MemoryLeaseTable(clock),
            members=MemoryMembers(clock),
            backend="memory",
        )
        return
    client: coredis.Redis[bytes] = coredis.Redis.from_url(
        url, decode_responses=False, connect_timeout=2.0, stream_timeout=5.0
    )
    with redis_errors():
        async with client:
            await client.ping()
            yield Realtime(
                sessions=RedisSessions(client, prefix=prefix, clock=clock),
                cache=RedisCache(client, prefix=prefix),
                rate_limiter=RedisRateLimiter(client, prefix=prefix, clock=clock),
                bus=RedisBus(client, prefix=prefix),
                leases=RedisLeaseTable(client, prefix=prefix),
                members=RedisMembers(client, prefix=prefix),
                backend="redis",
            )
