"""Protocols of the realtime services: cache, rate limiter, cross-node bus.

Each has a Redis implementation (coredis) and an in-process twin for embedded mode;
both pass one contract suite. Sessions use :class:`storage.protocols.SessionStore`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol, TypeAlias

import msgspec

KeyPart: TypeAlias = str | int | float | bool | None


class RateDecision(msgspec.Struct, frozen=True, kw_only=True):
    """The verdict on one hit: ``retry_after`` seconds to wait when refused."""

    allowed: bool
    remaining: int
    retry_after: float


class BusMessage(msgspec.Struct, frozen=True, kw_only=True):
    channel: str
    data: bytes


class BusOverflow(Exception):
    """A subscriber fell more than its buffer behind; it must resubscribe and resync."""


class Cache(Protocol):
    """A bytes cache with explicit keys and targeted invalidation.

    A key is a sequence of parts that must include every parameter that changes the
    cached value (``("topic-list", sort, tag, offset, limit)``). Tags group keys for
    invalidation (``invalidate_tag("topic:123")`` after that topic changes).
    """

    async def get(self, key: Sequence[KeyPart]) -> bytes | None: ...

    async def set(
        self, key: Sequence[KeyPart], value: bytes, *, ttl: float, tags: Sequence[str] = ()
    ) -> None: ...

    async def get_or_set(
        self,
        key: Sequence[KeyPart],
        loader: Callable[[], Awaitable[bytes]],
        *,
        ttl: float,
        tags: Sequence[str] = (),
    ) -> bytes:
        """The cached value, or ``await loader()`` stored for ``ttl`` seconds."""
        ...

    async def invalidate(self, key: Sequence[KeyPart]) -> None: ...

    async def invalidate_tag(self, tag: str) -> int:
        """Drop every key stored with ``tag``; returns how many were dropped."""
        ...


class RateLimiter(Protocol):
    """GCRA: ``limit`` hits per ``period`` seconds, bursts up to ``limit``; atomic per key."""

    async def hit(self, key: str, *, limit: int, period: float, cost: int = 1) -> RateDecision: ...


class Subscription(Protocol):
    """Messages of the subscribed channels in arrival order.

    A subscriber whose buffer fills is cut off: it receives what was buffered, then
    :class:`BusOverflow` (it should resubscribe and resync from storage).
    """

    def __aiter__(self) -> AsyncIterator[BusMessage]: ...


class Bus(Protocol):
    """Cross-node publish/subscribe of opaque bytes (at most once, no history)."""

    async def publish(self, channel: str, data: bytes) -> None: ...

    def subscribe(
        self, *channels: str, buffer: int = 1000
    ) -> AbstractAsyncContextManager[Subscription]:
        """Subscribed once entered; the reader task lives inside the context."""
        ...
