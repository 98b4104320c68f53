"""Contract: cache, rate limiter and bus (Redis and the in-process twins)."""

from __future__ import annotations

import pytest
import trio

from storage.realtime import BusMessage, BusOverflow, Realtime
from tests.unit.storage.support import FakeClock, unique


async def test_cache_get_or_set_and_keys(realtime: Realtime) -> None:
    calls: list[int] = []

    async def load() -> bytes:
        calls.append(1)
        return b"value"

    key = ("topics", unique("sort"), 1, None)
    assert await realtime.cache.get(key) is None
    assert await realtime.cache.get_or_set(key, load, ttl=60) == b"value"
    assert await realtime.cache.get_or_set(key, load, ttl=60) == b"value"
    assert calls == [1]
    assert await realtime.cache.get((*key[:2], "1", None)) is None
    assert await realtime.cache.get((f"{key[0]}:{key[1]}", 1, None)) is None
    await realtime.cache.invalidate(key)
    assert await realtime.cache.get(key) is None
    with pytest.raises(ValueError):
        await realtime.cache.get(())


async def test_cache_tags(realtime: Realtime) -> None:
    tag, other = unique("topic"), unique("topic")
    await realtime.cache.set(("a", tag), b"1", ttl=60, tags=[tag])
    await realtime.cache.set(("b", tag), b"2", ttl=30, tags=[tag, other])
    await realtime.cache.set(("c", tag), b"3", ttl=60, tags=[other])
    assert await realtime.cache.invalidate_tag(tag) == 2
    assert await realtime.cache.get(("a", tag)) is None
    assert await realtime.cache.get(("b", tag)) is None
    assert await realtime.cache.get(("c", tag)) == b"3"
    assert await realtime.cache.invalidate_tag(tag) == 0


async def test_rate_limiter_gcra(realtime: Realtime, clock: FakeClock) -> None:
    key = unique("login")
    decisions = [await realtime.rate_limiter.hit(key, limit=3, period=3.0) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions[:3]] == [2, 1, 0]
    assert decisions[3].retry_after == pytest.approx(1.0)
    clock.advance(1.0)
    assert (await realtime.rate_limiter.hit(key, limit=3, period=3.0)).allowed
    assert not (await realtime.rate_limiter.hit(key, limit=3, period=3.0)).allowed
    assert (await realtime.rate_limiter.hit(unique("other"), limit=3, period=3.0)).allowed
    clock.advance(10)
    heavy = await realtime.rate_limiter.hit(key, limit=3, period=3.0, cost=3)
    assert heavy.allowed and heavy.remaining == 0


async def test_rate_limiter_atomic_under_concurrency(realtime: Realtime) -> None:
    key = unique("burst")
    allowed: list[bool] = []

    async def hit() -> None:
        decision = await realtime.rate_limiter.hit(key, limit=10, period=60.0)
        allowed.append(decision.allowed)

    async with trio.open_nursery() as nursery:
        for _ in range(30):
            nursery.start_soon(hit)
    assert allowed.count(True) == 10


async def test_bus_round_trip(realtime: Realtime) -> None:
    room, other = unique("room"), unique("room")
    async with realtime.bus.subscribe(room, other) as subscription:
        await realtime.bus.publish(room, b"one")
        await realtime.bus.publish(unique("elsewhere"), b"ignored")
        await realtime.bus.publish(other, "🎉".encode())
        received: list[BusMessage] = []
        with trio.fail_after(5):
            async for message in subscription:
                received.append(message)
                if len(received) == 2:
                    break
    assert received == [
        BusMessage(channel=room, data=b"one"),
        BusMessage(channel=other, data="🎉".encode()),
    ]


async def test_bus_cuts_off_slow_subscriber(realtime: Realtime) -> None:
    channel = unique("flood")
    async with realtime.bus.subscribe(channel, buffer=2) as subscription:
        for index in range(5):
            await realtime.bus.publish(channel, str(index).encode())
        received: list[bytes] = []

        async def drain() -> None:
            async for message in subscription:
                received.append(message.data)

        with trio.fail_after(5), pytest.raises(BusOverflow):
            await drain()
    assert received == [b"0", b"1"]
