"""Placement with the in-process lease table: ownership, lapse after a pause, forwarding."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import trio

from actors.runtime.ref import Address
from storage.realtime import MemoryLeaseTable
from supervisors import open_registry
from supervisors.cluster.placement import Placement, lease_key
from tests.unit.actors.runtime.sample_actors import Add, Get, Store, counter_kind

LEASE = 10.0


class RecordingPeers:
    """Stands in for the other nodes: records what is forwarded and answers ``reply``."""

    def __init__(self, reply: object = "from elsewhere") -> None:
        self.reply = reply
        self.asked: list[tuple[str, Address, object]] = []
        self.told: list[tuple[str, Address, object]] = []

    async def ask(self, node_id: str, address: Address, message: object, timeout: float,  # noqa: ASYNC109
                  chain: tuple[Address, ...]) -> Any:
        self.asked.append((node_id, address, message))
        return self.reply

    async def tell(self, node_id: str, address: Address, message: object) -> None:
        self.told.append((node_id, address, message))

    def tell_nowait(self, node_id: str, address: Address, message: object) -> None:
        self.told.append((node_id, address, message))

    def spawn(self, function: Callable[..., Awaitable[object]], *args: object) -> None:
        raise AssertionError("not used here")


def placed(leases: MemoryLeaseTable, peers: RecordingPeers) -> Placement:
    return Placement("node-a", leases, peers, lease_seconds=LEASE)


async def test_the_first_node_to_need_an_actor_owns_it(autojump_clock: object) -> None:
    leases = MemoryLeaseTable(trio.current_time)
    store = Store()
    async with open_registry([counter_kind(store)]) as registry:
        placement = placed(leases, RecordingPeers())
        registry.attach_placement(placement)
        assert await registry.ref("counter", "x").ask(Add(2)) == 2
        lease = await leases.current(lease_key(Address("counter", "x")))
        assert lease is not None and lease.owner == "node-a"
        assert placement.token(Address("counter", "x")) == lease.token
        await placement.renew_once()
        await trio.sleep(LEASE * 3)  # renewed all along by nobody: only renew_once ran
        assert not placement.holds(Address("counter", "x"))


async def test_an_address_owned_elsewhere_is_forwarded(autojump_clock: object) -> None:
    leases = MemoryLeaseTable(trio.current_time)
    await leases.acquire(lease_key(Address("counter", "y")), "node-b", LEASE)
    peers = RecordingPeers()
    store = Store()
    async with open_registry([counter_kind(store)]) as registry:
        registry.attach_placement(placed(leases, peers))
        assert await registry.ref("counter", "y").ask(Get()) == "from elsewhere"
        await registry.ref("counter", "y").tell(Add(1))
        assert [(node, address.id) for node, address, _ in peers.asked] == [("node-b", "y")]
        assert [(node, address.id) for node, address, _ in peers.told] == [("node-b", "y")]
        assert store.starts.get("y", 0) == 0


async def test_a_paused_owner_hands_over_and_never_serves_stale_state(
    autojump_clock: object,
) -> None:
    leases = MemoryLeaseTable(trio.current_time)
    peers = RecordingPeers(reply=41)
    store = Store()
    address = Address("counter", "z")
    async with open_registry([counter_kind(store)]) as registry:
        placement = placed(leases, peers)
        registry.attach_placement(placement)
        ref = registry.ref("counter", "z")
        assert await ref.ask(Add(5)) == 5
        first = placement.token(address)
        # Paused past the lease: no renewal ran, another node took the actor over.
        await trio.sleep(LEASE + 1)
        taken = await leases.acquire(lease_key(address), "node-b", LEASE)
        assert taken.owner == "node-b" and first is not None and taken.token > first
        assert await ref.ask(Get()) == 41  # forwarded, not answered from memory
        await placement.renew_once()
        assert not placement.holds(address)
        # The old activation notices at its next turn and retires without serving.
        registry.wake(address)
        await trio.sleep(1)
        assert not registry.is_active(address)
        assert store.stops.get("z", 0) == 0, "a stale owner must not flush"
        # Once the other node lets go (and the cached owner ages out), this node owns it
        # again with a newer token, and loads what the store has, not its old memory.
        assert await leases.release(lease_key(address), "node-b", taken.token)
        await trio.sleep(LEASE)
        assert await ref.ask(Get()) == 0
        assert store.starts["z"] == 2
        assert (placement.token(address) or 0) > taken.token
