"""A token bucket for local rate limits (one WebSocket connection's frames).

The bucket holds at most ``burst`` tokens and refills at ``rate`` per second.  Taking a
token when none is left still counts: the bucket goes into debt, and :attr:`deficit`
tells how far, so a caller can tell a client that is slightly too fast (answer it) from
one that keeps flooding while refused (disconnect it).  Time is passed in, so tests use
trio's fake clock.  Limits shared across nodes live in Redis (``storage``), not here.
"""

from __future__ import annotations


class TokenBucket:
    """``rate`` tokens per second, at most ``burst`` saved up."""

    __slots__ = ("_tokens", "_updated", "burst", "rate")

    def __init__(self, *, rate: float, burst: int, now: float = 0.0) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._updated: float | None = None if now == 0.0 else now

    def _refill(self, now: float) -> None:
        if self._updated is None:
            self._updated = now
            return
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(float(self.burst), self._tokens + elapsed * self.rate)
        self._updated = now

    def take(self, now: float) -> bool:
        """Spend one token at time ``now``; False (and one more unit of debt) when empty."""
        self._refill(now)
        self._tokens -= 1.0
        return self._tokens >= 0.0

    @property
    def deficit(self) -> float:
        """How many tokens the bucket owes (0 when it is not in debt)."""
        return max(0.0, -self._tokens)

    def seconds_until_token(self, now: float) -> float:
        """How long until one token is available."""
        self._refill(now)
        return max(0.0, (1.0 - self._tokens) / self.rate)
