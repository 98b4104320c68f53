"""Rate limits that hold while Redis is away: the node's own limiter stands in.

The limits protect the node and its users; they do not need to be exact across nodes for
the seconds Redis is unavailable.  :class:`FallbackRateLimiter` asks Redis, and when Redis
cannot answer (``StorageUnavailable``: an error, the deadline, or its open breaker — which
answers at once) it decides with an in-process GCRA limiter instead, per node.  Requests
therefore never fail just because the rate limiter's store is down.
"""

from __future__ import annotations

from storage.errors import StorageUnavailable
from storage.realtime.protocols import RateDecision, RateLimiter


class FallbackRateLimiter:
    """:class:`RateLimiter`: ``primary`` (Redis), or ``fallback`` while it is unavailable."""

    def __init__(self, primary: RateLimiter, fallback: RateLimiter) -> None:
        self._primary = primary
        self._fallback = fallback
        self.fallbacks = 0
        """Decisions taken by the fallback (an outage's extent, for statistics)."""

    async def hit(self, key: str, *, limit: int, period: float, cost: int = 1) -> RateDecision:
        try:
            return await self._primary.hit(key, limit=limit, period=period, cost=cost)
        except StorageUnavailable:
            self.fallbacks += 1
            return await self._fallback.hit(key, limit=limit, period=period, cost=cost)
