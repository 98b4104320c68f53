"""GCRA rate limiting in Redis: one Lua script, so each hit is atomic across nodes."""

from __future__ import annotations

from collections.abc import Callable

import coredis

from storage.dependency import DependencyGate
from storage.realtime.protocols import RateDecision
from storage.realtime.redis_errors import redis_errors

# KEYS[1] holds the theoretical arrival time (TAT). ARGV: now, interval, burst, cost.
# Numbers travel as strings: Lua numbers returned to Redis are truncated to integers.
GCRA_SCRIPT = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local tat = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
if tat < now then tat = now end
local new_tat = tat + interval * cost
local allow_at = new_tat - burst * interval
if allow_at > now then
  return {0, 0, tostring(allow_at - now)}
end
redis.call('SET', KEYS[1], tostring(new_tat), 'PX', math.max(1, math.ceil((new_tat - now) * 1000)))
return {1, math.floor((now - allow_at) / interval + 1e-9), '0'}
"""


class RedisRateLimiter:
    """:class:`storage.realtime.RateLimiter` on Redis."""

    def __init__(
        self,
        client: coredis.Redis[bytes],
        *,
        prefix: str,
        clock: Callable[[], float],
        gate: DependencyGate,
    ) -> None:
        self._client = client
        self._gate = gate
        self._prefix = prefix
        self._clock = clock
        self._script = client.register_script(GCRA_SCRIPT)

    async def hit(self, key: str, *, limit: int, period: float, cost: int = 1) -> RateDecision:
        if limit < 1 or period <= 0 or cost < 1:
            raise ValueError("limit and cost must be positive, period above zero")
        arguments = [repr(self._clock()), repr(period / limit), str(limit), str(cost)]
        with redis_errors(self._gate):
            reply: list[int | bytes] = await self._script(
                keys=[f"{self._prefix}:rate:{key}"], args=arguments
            )
        allowed, remaining, retry_after = reply
        return RateDecision(
            allowed=bool(allowed), remaining=int(remaining), retry_after=float(retry_after)
        )
