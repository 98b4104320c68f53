"""Placement leases and node membership in Redis: one Lua script per operation.

A lease is the string ``owner|token`` under ``<prefix>:{leases}:lease:<key>`` with a
server-side expiry (``PX``), so no node clock decides when it ends.  Fencing tokens come
from ``HINCRBY`` on the hash ``<prefix>:{leases}:fences`` and are never reset.
Membership is a hash of msgpack records, ``<prefix>:{nodes}``, plus a sorted set of
expiry times computed from Redis' own ``TIME``, ``<prefix>:{nodes}:expiry``.  The
scripts touch several keys at once; the hash tags (``{leases}``, ``{nodes}``) put each
script's keys in one slot, so they also run on Redis Cluster (``docs/SCALING.md``).
"""

from __future__ import annotations

from collections.abc import Sequence

import coredis
import msgspec

from storage.dependency import DependencyGate
from storage.realtime.keys import slot_key
from storage.realtime.leases import Lease, NodeRecord
from storage.realtime.redis_errors import redis_errors

ACQUIRE = """
local value = redis.call('GET', KEYS[1])
if value then
  if string.sub(value, 1, #ARGV[1] + 1) == ARGV[1] .. '|' then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
  end
  return value
end
local token = redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
value = ARGV[1] .. '|' .. token
redis.call('SET', KEYS[1], value, 'PX', ARGV[2])
return value
"""

RENEW = """
local kept = {}
for index, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[index + 1] then
    redis.call('PEXPIRE', key, ARGV[1])
    kept[index] = 1
  else
    kept[index] = 0
  end
end
return kept
"""

RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

HEARTBEAT = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], now_ms + tonumber(ARGV[3]), ARGV[1])
return 1
"""

LIVE = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now_ms)
for _, node in ipairs(expired) do
  redis.call('HDEL', KEYS[1], node)
  redis.call('ZREM', KEYS[2], node)
end
return redis.call('HVALS', KEYS[1])
"""

_RECORD_DECODER = msgspec.msgpack.Decoder(NodeRecord)


def _milliseconds(seconds: float) -> str:
    return str(max(1, round(seconds * 1000)))


def _lease(value: bytes | str) -> Lease:
    text = value.decode() if isinstance(value, bytes) else value
    owner, _, token = text.rpartition("|")
    return Lease(owner, int(token))


class RedisLeaseTable:
    """:class:`storage.realtime.leases.LeaseTable` on Redis."""

    def __init__(self, client: coredis.Redis[bytes], *, prefix: str, gate: DependencyGate) -> None:
        self._client = client
        self._gate = gate
        self._prefix = prefix
        self._fences = slot_key(prefix, "leases", "fences")
        self._acquire = client.register_script(ACQUIRE)
        self._renew = client.register_script(RENEW)
        self._release = client.register_script(RELEASE)

    def _key(self, key: str) -> str:
        return slot_key(self._prefix, "leases", "lease", key)

    async def acquire(self, key: str, owner: str, ttl: float) -> Lease:
        with redis_errors(self._gate):
            value: bytes = await self._acquire(
                keys=[self._key(key), self._fences], args=[owner, _milliseconds(ttl), key]
            )
        return _lease(value)

    async def renew(self, owner: str, held: Sequence[tuple[str, int]], ttl: float) -> list[bool]:
        if not held:
            return []
        with redis_errors(self._gate):
            kept: list[int] = await self._renew(
                keys=[self._key(key) for key, _ in held],
                args=[_milliseconds(ttl), *(f"{owner}|{token}" for _, token in held)],
            )
        return [bool(flag) for flag in kept]

    async def release(self, key: str, owner: str, token: int) -> bool:
        with redis_errors(self._gate):
            deleted: int = await self._release(keys=[self._key(key)], args=[f"{owner}|{token}"])
        return bool(deleted)

    async def current(self, key: str) -> Lease | None:
        with redis_errors(self._gate):
            value = await self._client.get(self._key(key))
        return None if value is None else _lease(value)


class RedisMembers:
    """:class:`storage.realtime.leases.Members` on Redis."""

    def __init__(self, client: coredis.Redis[bytes], *, prefix: str, gate: DependencyGate) -> None:
        self._keys = [slot_key(prefix, "nodes"), slot_key(prefix, "nodes", "expiry")]
        self._client = client
        self._gate = gate
        self._heartbeat = client.register_script(HEARTBEAT)
        self._live = client.register_script(LIVE)

    async def heartbeat(self, record: NodeRecord, ttl: float) -> None:
        with redis_errors(self._gate):
            await self._heartbeat(
                keys=self._keys,
                args=[record.node_id, msgspec.msgpack.encode(record), _milliseconds(ttl)],
            )

    async def leave(self, node_id: str) -> None:
        with redis_errors(self._gate):
            await self._client.hdel(self._keys[0], [node_id])
            await self._client.zrem(self._keys[1], [node_id])

    async def live(self) -> list[NodeRecord]:
        with redis_errors(self._gate):
            values: list[bytes] = await self._live(keys=self._keys, args=[])
        return sorted((_RECORD_DECODER.decode(value) for value in values),
                      key=lambda record: record.node_id)
