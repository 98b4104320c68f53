"""Placement: which node serves an address, and the leases this node holds.

:class:`Placement` is consulted by the registry for every message whose address this
node does not hold a valid lease for.  It looks the owner up (acquiring the lease when
nobody holds it, so the first node to need an actor activates it), then either delivers
locally or forwards through :class:`~supervisors.cluster.peers.Peers`.

Guarantees:

* A lease is *valid* on this node until ``renewed_at + ttl - margin`` by this node's
  monotonic clock, counted from when the renewal was **sent**; Redis keeps it ``ttl``
  after it was received, so this node stops serving before any other node can acquire.
  A node paused past its leases (SIGSTOP, a long GC) finds them invalid on waking and
  stops its activations before their next turn (:mod:`supervisors.activation`).
* An ask is retried on another owner only when it surely was not delivered (the node
  asked is not the owner, or no link could be opened); a link that breaks after sending
  fails the ask with ``ActorStopped`` — it may have been handled, so the caller decides
  (chat sends carry a ``nonce`` for that).
* Tells to one address from one task keep their order (one link per peer, FIFO).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

import trio

from actors.runtime.errors import ActorError, ActorStopped, AskTimeout, NotOwner
from actors.runtime.ref import Address
from storage.errors import StorageError
from storage.realtime import LeaseTable
from supervisors.cluster.peers import PeerUnreachable

if TYPE_CHECKING:
    from supervisors.registry import Registry

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
"""Owner look-ups per message before giving up with ``ActorStopped``."""


class Forwarder(Protocol):
    """How placement reaches other nodes (:class:`~supervisors.cluster.peers.Peers`)."""

    async def ask(
        self, node_id: str, address: Address, message: object, timeout: float,  # noqa: ASYNC109
        chain: tuple[Address, ...],
    ) -> Any: ...

    async def tell(self, node_id: str, address: Address, message: object) -> None: ...

    def tell_nowait(self, node_id: str, address: Address, message: object) -> None: ...

    def spawn(self, function: Callable[..., Awaitable[object]], *args: object) -> None: ...


def lease_key(address: Address) -> str:
    return f"{address.kind}/{address.id}"


@dataclasses.dataclass(slots=True)
class HeldLease:
    token: int
    valid_until: float
    acquired_at: float


class Placement:
    """This node's leases and the owner directory; see the module docstring."""

    def __init__(
        self, node_id: str, leases: LeaseTable, peers: Forwarder, *, lease_seconds: float
    ) -> None:
        self.node_id = node_id
        self.lease_seconds = lease_seconds
        self._margin = lease_seconds / 5
        self._leases = leases
        self._peers = peers
        self._held: dict[Address, HeldLease] = {}
        self._owners: dict[Address, tuple[str, float]] = {}
        self._registry: Registry | None = None
        self.forwarded = 0
        self.lost = 0

    def attach(self, registry: Registry) -> None:
        self._registry = registry

    @property
    def registry(self) -> Registry:
        assert self._registry is not None, "attach the registry first"
        return self._registry

    # The registry's questions

    def token(self, address: Address) -> int | None:
        """The fencing token of this node's valid lease on ``address``, else None."""
        held = self._held.get(address)
        if held is None or held.valid_until <= trio.current_time():
            return None
        return held.token

    def holds(self, address: Address) -> bool:
        return self.token(address) is not None

    def forget(self, address: Address, token: int | None) -> None:
        """The activation holding ``token`` retired: stop renewing (the lease lapses)."""
        held = self._held.get(address)
        if held is not None and held.token == token:
            del self._held[address]

    # Routing

    async def owner(self, address: Address) -> str:
        """The node serving ``address`` now, acquiring the lease if nobody holds it."""
        if self.holds(address):
            return self.node_id
        now = trio.current_time()
        cached = self._owners.get(address)
        if cached is not None and cached[1] > now:
            return cached[0]
        sent_at = trio.current_time()
        lease = await self._leases.acquire(lease_key(address), self.node_id, self.lease_seconds)
        if lease.owner == self.node_id:
            self._held[address] = HeldLease(
                lease.token, sent_at + self.lease_seconds - self._margin, sent_at
            )
            self._owners.pop(address, None)
            return self.node_id
        if len(self._owners) > 100_000:
            self._owners.clear()
        self._owners[address] = (lease.owner, now + self._margin)
        return lease.owner

    def _forget_owner(self, address: Address) -> None:
        self._owners.pop(address, None)

    async def request(
        self,
        address: Address,
        message: object,
        timeout: float,  # noqa: ASYNC109
        chain: tuple[Address, ...],
    ) -> Any:
        """Deliver an ask to the owner of ``address`` and return its reply."""
        with trio.move_on_after(timeout):
            deadline = trio.current_time() + timeout
            for _ in range(MAX_ATTEMPTS):
                owner = await self._owner_or_stopped(address)
                remaining = max(deadline - trio.current_time(), 0.001)
                try:
                    if owner == self.node_id:
                        return await self.registry.local_request(
                            address, message, remaining, chain
                        )
                    self.forwarded += 1
                    return await self._peers.ask(owner, address, message, remaining, chain)
                except NotOwner:
                    self._forget_owner(address)
                except PeerUnreachable as error:
                    self._forget_owner(address)
                    reason = f"its node is unreachable ({error.reason})"
                    raise ActorStopped(address, reason) from None
            raise ActorStopped(address, "its owner kept moving")
        raise AskTimeout(address, timeout)

    async def send(self, address: Address, message: object) -> None:
        """Deliver a tell to the owner of ``address`` (waits for room; no reply)."""
        for _ in range(MAX_ATTEMPTS):
            owner = await self._owner_or_stopped(address)
            if owner == self.node_id:
                await self.registry.local_send(address, message)
                return
            try:
                self.forwarded += 1
                await self._peers.tell(owner, address, message)
                return
            except PeerUnreachable as error:
                self._forget_owner(address)
                raise ActorStopped(address, f"its node is unreachable ({error.reason})") from None
        raise ActorStopped(address, "its owner kept moving")

    def send_nowait(self, address: Address, message: object) -> None:
        """Queue a tell for the owner without waiting; ``MailboxFull`` when a queue is full.

        An address whose owner is not known yet is resolved in the background.
        """
        cached = self._owners.get(address)
        if cached is not None and cached[1] > trio.current_time():
            self._peers.tell_nowait(cached[0], address, message)
            return
        self._peers.spawn(self._send_later, address, message)

    async def _send_later(self, address: Address, message: object) -> None:
        try:
            await self.send(address, message)
        except (ActorError, StorageError) as error:
            logger.warning("a tell to %s was dropped: %s", address, error)

    async def _owner_or_stopped(self, address: Address) -> str:
        try:
            return await self.owner(address)
        except StorageError as error:
            raise ActorStopped(address, f"the placement directory failed: {error}") from None

    # Lease upkeep

    async def renew_forever(self) -> None:
        """Renew held leases every third of their ttl; stop activations that lost theirs."""
        while True:
            await trio.sleep(self.lease_seconds / 3)
            try:
                await self.renew_once()
            except StorageError as error:
                logger.warning("lease renewal failed (%s); leases lapse if it persists", error)

    async def renew_once(self) -> None:
        registry = self.registry
        now = trio.current_time()
        idle = [
            address for address, lease in self._held.items()
            if not registry.is_active(address) and now - lease.acquired_at >= self.lease_seconds
        ]
        for address in idle:
            del self._held[address]
        held = [(address, lease.token) for address, lease in self._held.items()]
        for start in range(0, len(held), 500):
            batch = held[start:start + 500]
            sent_at = trio.current_time()
            kept = await self._leases.renew(
                self.node_id, [(lease_key(address), token) for address, token in batch],
                self.lease_seconds,
            )
            for (address, token), still in zip(batch, kept, strict=True):
                entry = self._held.get(address)
                if entry is None or entry.token != token:
                    continue
                if still:
                    entry.valid_until = sent_at + self.lease_seconds - self._margin
                else:
                    del self._held[address]
                    self.lost += 1
                    logger.warning("lost the lease of %s", address)
                    registry.wake(address)

    async def release_all(self) -> None:
        """Give every held lease up (graceful shutdown: other nodes take over at once)."""
        held, self._held = self._held, {}
        for address, lease in held.items():
            try:
                await self._leases.release(lease_key(address), self.node_id, lease.token)
            except StorageError as error:
                logger.warning("could not release %s: %s", address, error)
                return

    def statistics(self) -> dict[str, int]:
        return {"held": len(self._held), "forwarded": self.forwarded, "lost": self.lost,
                "cached_owners": len(self._owners)}
