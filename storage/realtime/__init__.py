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
import trio

from storage.dependency import DEFAULT_DEADLINE_S, DependencyGate
from storage.protocols import SessionStore
from storage.realtime.fallback_rate_limit import FallbackRateLimiter
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
    gate: DependencyGate | None = None
    """Redis' deadline and circuit breaker (None in process)."""
    redis_sessions: RedisSessions | None = None
    """The Redis session keys, a cache in front of the document store's sessions
    (:mod:`storage.realtime.cached_sessions`); None in process."""


@contextlib.asynccontextmanager
async def open_realtime(
    url: str | None,
    *,
    prefix: str = "topicsflow",
    clock: Callable[[], float] = time.time,
    deadline: float = DEFAULT_DEADLINE_S,
) -> AsyncIterator[Realtime]:
    """Connect to Redis at ``url`` (``redis://``, ``rediss://``, ``unix://``) or, for None,
    build the in-process twins. Every Redis key and channel starts with ``prefix:``.

    Every Redis call is bounded by ``deadline`` seconds and goes through one circuit
    breaker (:mod:`storage.dependency`), whose prober runs inside this block.
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
    # The gate cuts a call at ``deadline``; coredis' own timeouts only free a connection.
    client: coredis.Redis[bytes] = coredis.Redis.from_url(
        url, decode_responses=False, connect_timeout=min(2.0, deadline),
        stream_timeout=deadline + 1.0,
    )
    with redis_errors():
        async with client:
            await client.ping()

            async def probe() -> None:
                with redis_errors():
                    await client.ping()

            gate = DependencyGate("redis", deadline=deadline, probe=probe)
            redis_sessions = RedisSessions(client, prefix=prefix, clock=clock, gate=gate)
            async with trio.open_nursery() as nursery:
                await nursery.start(gate.run)
                yield Realtime(
                    sessions=redis_sessions,
                    redis_sessions=redis_sessions,
                    cache=RedisCache(client, prefix=prefix, gate=gate),
                    rate_limiter=FallbackRateLimiter(
                        RedisRateLimiter(client, prefix=prefix, clock=clock, gate=gate),
                        MemoryRateLimiter(clock),
                    ),
                    bus=RedisBus(client, prefix=prefix, gate=gate),
                    leases=RedisLeaseTable(client, prefix=prefix, gate=gate),
                    members=RedisMembers(client, prefix=prefix, gate=gate),
                    backend="redis",
                    gate=gate,
                )
                nursery.cancel_scope.cancel()
