"""Contract: placement leases and node membership (Redis and the in-process twins)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import trio

from storage.realtime import Lease, NodeRecord, Realtime
from tests.unit.storage.support import FakeClock, unique


async def _eventually(check: Callable[[], Awaitable[bool]]) -> None:
    """Wait until ``check()`` holds: Redis expires keys on its own clock (within ~5 s)."""
    for _ in range(500):
        if await check():
            return
        await trio.sleep(0.01)
    raise AssertionError("the condition never held")


async def _expire(realtime: Realtime, clock: FakeClock, key: str) -> None:
    """Let a short lease lapse: the twin by its clock, Redis by its own expiry."""
    clock.advance(10)

    async def lapsed() -> bool:
        return await realtime.leases.current(key) is None

    await _eventually(lapsed)


async def test_acquire_is_set_if_absent(realtime: Realtime) -> None:
    key = unique("chat_room/r")
    first = await realtime.leases.acquire(key, "node-a", 30)
    assert first.owner == "node-a"
    assert await realtime.leases.acquire(key, "node-b", 30) == first
    assert await realtime.leases.acquire(key, "node-a", 30) == first
    assert await realtime.leases.current(key) == first
    assert await realtime.leases.current(unique("none")) is None


async def test_tokens_increase_across_owners(realtime: Realtime, clock: FakeClock) -> None:
    key = unique("chat_room/r")
    first = await realtime.leases.acquire(key, "node-a", 0.05)
    await _expire(realtime, clock, key)
    second = await realtime.leases.acquire(key, "node-b", 30)
    assert second.owner == "node-b" and second.token > first.token
    assert await realtime.leases.release(key, "node-b", second.token)
    third = await realtime.leases.acquire(key, "node-a", 30)
    assert third == Lease("node-a", second.token + 1)


async def test_renew_keeps_only_what_is_still_held(realtime: Realtime, clock: FakeClock) -> None:
    kept, lapsed, other = unique("k"), unique("k"), unique("k")
    held = await realtime.leases.acquire(kept, "node-a", 30)
    short = await realtime.leases.acquire(lapsed, "node-a", 0.05)
    taken = await realtime.leases.acquire(other, "node-b", 30)
    await _expire(realtime, clock, lapsed)
    assert await realtime.leases.renew(
        "node-a", [(kept, held.token), (lapsed, short.token), (other, taken.token)], 30
    ) == [True, False, False]
    assert await realtime.leases.current(lapsed) is None
    assert await realtime.leases.current(other) == taken
    assert await realtime.leases.renew("node-a", [], 30) == []


async def test_release_only_the_same_lease(realtime: Realtime) -> None:
    key = unique("k")
    lease = await realtime.leases.acquire(key, "node-a", 30)
    assert not await realtime.leases.release(key, "node-b", lease.token)
    assert not await realtime.leases.release(key, "node-a", lease.token + 1)
    assert await realtime.leases.release(key, "node-a", lease.token)
    assert await realtime.leases.current(key) is None
    assert not await realtime.leases.release(key, "node-a", lease.token)


async def test_members_heartbeat_expire_and_leave(realtime: Realtime, clock: FakeClock) -> None:
    stay = NodeRecord(node_id=unique("a"), peer_address="127.0.0.1:1",
                      http_url="http://127.0.0.1:2", started_at=1.0)
    lapse = NodeRecord(node_id=unique("b"), peer_address="127.0.0.1:3",
                       http_url="http://127.0.0.1:4", started_at=2.0)
    await realtime.members.heartbeat(stay, 30)
    await realtime.members.heartbeat(lapse, 0.05)
    clock.advance(10)

    async def gone() -> bool:
        return lapse not in await realtime.members.live()

    await _eventually(gone)
    assert stay in await realtime.members.live()
    await realtime.members.leave(stay.node_id)
    assert stay not in await realtime.members.live()
