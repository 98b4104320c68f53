"""Actor placement leases and node membership: the cluster's shared directory.

A **lease** says which node owns an actor address cluster-wide.  It is created by
:meth:`LeaseTable.acquire` only when no live lease exists (set-if-absent with expiry),
carries a **fencing token** that grows every time the key changes hands, and lives only
while its owner renews it.  Contracts (Redis and the in-process twin):

* ``acquire(key, owner, ttl)`` returns the live lease: the caller's own (new, or its
  existing one, whose expiry is then extended) or another node's, unchanged.
* Tokens of one key strictly increase over its whole history, across owners.
* ``renew(owner, held, ttl)`` extends each ``(key, token)`` still held by ``owner`` with
  that token and reports, per entry, whether it was; a lease that expired or changed hands
  is never revived.
* ``release(key, owner, token)`` ends the lease only if it is still that one.

**Membership**: each node records a :class:`NodeRecord` with :meth:`Members.heartbeat`;
:meth:`Members.live` lists the records whose last heartbeat is younger than its ttl.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import msgspec


class Lease(msgspec.Struct, frozen=True):
    """The owner node of a key and the fencing token of this ownership."""

    owner: str
    token: int


class NodeRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A node as the cluster sees it."""

    node_id: str
    peer_address: str
    http_url: str
    started_at: float


class LeaseTable(Protocol):
    """Placement leases; see the module docstring."""

    async def acquire(self, key: str, owner: str, ttl: float) -> Lease: ...

    async def renew(self, owner: str, held: Sequence[tuple[str, int]], ttl: float) -> list[bool]:
        ...

    async def release(self, key: str, owner: str, token: int) -> bool: ...

    async def current(self, key: str) -> Lease | None: ...


class Members(Protocol):
    """Live nodes, by heartbeat; see the module docstring."""

    async def heartbeat(self, record: NodeRecord, ttl: float) -> None: ...

    async def leave(self, node_id: str) -> None: ...

    async def live(self) -> list[NodeRecord]: ...


class MemoryLeaseTable:
    """:class:`LeaseTable` in a dict, expiring against the injected clock."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._leases: dict[str, tuple[Lease, float]] = {}
        self._fences: dict[str, int] = {}

    def _live(self, key: str) -> Lease | None:
        entry = self._leases.get(key)
        if entry is None:
            return None
        if entry[1] <= self._clock():
            del self._leases[key]
            return None
        return entry[0]

    async def acquire(self, key: str, owner: str, ttl: float) -> Lease:
        lease = self._live(key)
        if lease is None:
            token = self._fences[key] = self._fences.get(key, 0) + 1
            lease = Lease(owner, token)
        elif lease.owner != owner:
            return lease
        self._leases[key] = (lease, self._clock() + ttl)
        return lease

    async def renew(self, owner: str, held: Sequence[tuple[str, int]], ttl: float) -> list[bool]:
        results: list[bool] = []
        for key, token in held:
            lease = self._live(key)
            kept = lease == Lease(owner, token)
            if kept:
                self._leases[key] = (Lease(owner, token), self._clock() + ttl)
            results.append(kept)
        return results

    async def release(self, key: str, owner: str, token: int) -> bool:
        if self._live(key) != Lease(owner, token):
            return False
        del self._leases[key]
        return True

    async def current(self, key: str) -> Lease | None:
        return self._live(key)


class MemoryMembers:
    """:class:`Members` in a dict, expiring against the injected clock."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._records: dict[str, tuple[NodeRecord, float]] = {}

    async def heartbeat(self, record: NodeRecord, ttl: float) -> None:
        self._records[record.node_id] = (record, self._clock() + ttl)

    async def leave(self, node_id: str) -> None:
        self._records.pop(node_id, None)

    async def live(self) -> list[NodeRecord]:
        now = self._clock()
        for node_id in [key for key, (_, expiry) in self._records.items() if expiry <= now]:
            del self._records[node_id]
        return sorted((record for record, _ in self._records.values()), key=lambda r: r.node_id)
