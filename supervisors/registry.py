"""The registry: the node-local ``Router`` that activates, routes and passivates actors.

``registry.ref(kind, id)`` is cheap and does no I/O. The first message to an address
creates its activation (one per address, even under concurrent first messages); the
kind's factory and ``on_start`` load the state. Each kind runs under a
:class:`~supervisors.host.KindHost`, and the hosts are children of the registry's own
:class:`~supervisors.supervisor.Supervisor` (``one_for_one`` by default), so a kind that
escalates is restarted, and a registry that exceeds its intensity escalates from
:meth:`Registry.run` to whoever runs it.

Use :func:`open_registry` on its own, or put :meth:`Registry.child_spec` under the
node's root supervisor and call :meth:`Registry.aclose` when the node drains.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import trio

from actors.runtime.errors import ActorStopped, AskTimeout, MailboxFull, NotOwner, UnknownActorKind
from actors.runtime.messages import Envelope, ReplySlot, check_ask_cycle, current_ask_chain
from actors.runtime.ref import ActorRef, Address
from actors.runtime.statistics import ActorStatistics
from supervisors import tracing
from supervisors.activation import StopReason
from supervisors.child import ChildSpec
from supervisors.host import KindHost
from supervisors.kind import ActorKind
from supervisors.policy import (
    DEFAULT_INTENSITY,
    Backoff,
    RestartIntensity,
    RestartType,
    Strategy,
)
from supervisors.status import RegistryStatistics, SupervisorSnapshot
from supervisors.supervisor import Supervisor

if TYPE_CHECKING:
    from supervisors.cluster.placement import Placement


class Registry:
    """Routes messages to local activations of the registered actor kinds.

    Delivery contracts are those of :class:`actors.runtime.ref.Router`; in addition a ``tell``
    from an actor to *itself* raises ``MailboxFull`` instead of waiting on its own full
    mailbox, which could never drain.
    """

    def __init__(
        self,
        kinds: Iterable[ActorKind],
        *,
        name: str = "actors",
        strategy: Strategy = Strategy.ONE_FOR_ONE,
        intensity: RestartIntensity = DEFAULT_INTENSITY,
        backoff: Backoff | None = None,
        shutdown_timeout: float = 10.0,
    ) -> None:
        self._hosts: dict[str, KindHost] = {}
        for kind in kinds:
            if kind.name in self._hosts:
                raise ValueError(f"actor kind {kind.name!r} is registered twice")
            self._hosts[kind.name] = KindHost(kind, self)
        self.name = name
        self.shutdown_timeout = shutdown_timeout
        self.closed = False
        self.placement: Placement | None = None
        self._supervisor = Supervisor(
            name,
            [host.child_spec() for host in self._hosts.values()],
            strategy=strategy,
            intensity=intensity,
            backoff=backoff,
        )

    def ref(self, kind: str, id: str) -> ActorRef:
        """A ref to the actor ``kind/id``; raises ``UnknownActorKind``. No activation."""
        if kind not in self._hosts:
            raise UnknownActorKind(kind)
        return ActorRef(self, Address(kind, id))

    def attach_placement(self, placement: Placement) -> None:
        """Cluster mode: deliver only what this node holds a lease for; forward the rest."""
        self.placement = placement
        placement.attach(self)

    # Router

    async def send(self, address: Address, message: object) -> None:
        """Enqueue ``message``, waiting for room (see :class:`actors.runtime.ref.Router`)."""
        await trio.lowlevel.checkpoint_if_cancelled()
        host = self._open_host(address)
        placement = self.placement
        if placement is not None and not placement.holds(address):
            await placement.send(address, message)
            return
        await self._send_local(host, address, message)

    async def local_send(self, address: Address, message: object) -> None:
        """:meth:`send` to this node's activation, whatever the placement says."""
        await self._send_local(self._open_host(address), address, message)

    async def _send_local(self, host: KindHost, address: Address, message: object) -> None:
        envelope = Envelope(message, None, (), tracing.capture(), trio.current_time())
        try:
            host.activation(address).mailbox.send_nowait(envelope)
        except trio.WouldBlock:
            chain = current_ask_chain()
            if chain and chain[-1] == address:
                raise MailboxFull(address, host.kind.mailbox_capacity) from None
            await self._send_when_room(host, address, envelope)
        else:
            await trio.lowlevel.cancel_shielded_checkpoint()

    def send_nowait(self, address: Address, message: object) -> None:
        """Enqueue ``message`` now or raise ``MailboxFull``."""
        host = self._open_host(address)
        placement = self.placement
        if placement is not None and not placement.holds(address):
            placement.send_nowait(address, message)
            return
        try:
            host.activation(address).mailbox.send_nowait(
                Envelope(message, None, (), tracing.capture(), trio.current_time())
            )
        except trio.WouldBlock:
            raise MailboxFull(address, host.kind.mailbox_capacity) from None

    async def request(
        self, address: Address, message: object, timeout: float | None  # noqa: ASYNC109
    ) -> Any:
        """Enqueue ``message`` and wait for its reply (see :class:`actors.runtime.ref.Router`)."""
        chain = check_ask_cycle(address)
        await trio.lowlevel.checkpoint_if_cancelled()
        host = self._open_host(address)
        if timeout is None:
            timeout = host.kind.ask_timeout
        placement = self.placement
        if placement is None:
            return await self._request_local(host, address, message, timeout, chain)
        if placement.holds(address):
            try:
                return await self._request_local(host, address, message, timeout, chain)
            except NotOwner:
                pass  # the lease lapsed while the ask was queued: find the new owner
        return await placement.request(address, message, timeout, chain)

    async def local_request(
        self,
        address: Address,
        message: object,
        timeout: float,  # noqa: ASYNC109
        chain: tuple[Address, ...],
    ) -> Any:
        """:meth:`request` of this node's activation, whatever the placement says."""
        return await self._request_local(self._open_host(address), address, message, timeout, chain)

    async def _request_local(
        self,
        host: KindHost,
        address: Address,
        message: object,
        timeout: float,  # noqa: ASYNC109
        chain: tuple[Address, ...],
    ) -> Any:
        reply = ReplySlot()
        envelope = Envelope(message, reply, chain, tracing.capture(), trio.current_time())
        with trio.move_on_after(timeout):
            try:
                host.activation(address).mailbox.send_nowait(envelope)
            except trio.WouldBlock:
                await self._send_when_room(host, address, envelope)
            return await reply.wait()
        raise AskTimeout(address, timeout)

    async def enqueue(
        self, address: Address, message: object, chain: tuple[Address, ...], *, reply: bool
    ) -> ReplySlot | None:
        """Put a forwarded message in the local mailbox (waiting for room); its reply slot."""
        host = self._open_host(address)
        slot = ReplySlot() if reply else None
        envelope = Envelope(message, slot, chain, None, trio.current_time())
        try:
            host.activation(address).mailbox.send_nowait(envelope)
        except trio.WouldBlock:
            await self._send_when_room(host, address, envelope)
        return slot

    def is_active(self, address: Address) -> bool:
        """Whether ``address`` has an activation on this node (no activation)."""
        host = self._hosts.get(address.kind)
        return host is not None and host.find(address.id) is not None

    def wake(self, address: Address) -> None:
        """Nudge ``address``'s activation, if any, to look at its placement again."""
        host = self._hosts.get(address.kind)
        activation = None if host is None else host.find(address.id)
        if activation is not None:
            activation.nudge()

    def _open_host(self, address: Address) -> KindHost:
        host = self._hosts.get(address.kind)
        if host is None:
            raise UnknownActorKind(address.kind)
        if host.closing:
            raise ActorStopped(address, "the registry is closed")
        return host

    async def _send_when_room(self, host: KindHost, address: Address, envelope: Envelope) -> None:
        while True:
            try:
                await host.activation(address).mailbox.send(envelope)
            except (trio.ClosedResourceError, trio.BrokenResourceError):
                continue  # that activation retired while we waited: deliver to the next one
            return

    # Running

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Run every kind under the registry's supervisor until :meth:`aclose`.

        Raises ``RestartIntensityExceeded`` when the kinds fail too often.
        """
        await self._supervisor.run(task_status=task_status)

    async def aclose(self) -> None:
        """Drain: refuse new messages, let every actor handle what it has queued and
        flush (``on_stop``), then stop. After ``shutdown_timeout`` seconds the remaining
        actors are cancelled (flushed if between turns) and their queued asks fail."""
        self.closed = True
        try:
            for host in self._hosts.values():
                host.begin_shutdown()
            with trio.move_on_after(self.shutdown_timeout):
                for host in self._hosts.values():
                    await host.wait_drained()
        finally:
            self._supervisor.stop()

    def child_spec(self, restart: RestartType = RestartType.TRANSIENT) -> ChildSpec:
        """The registry as a child of the node's root supervisor.

        ``transient`` by default: :meth:`run` returns normally only after
        :meth:`aclose`, and a closed registry must not be restarted.
        """
        return ChildSpec(self.name, self.run, restart, snapshot=self.snapshot)

    # Status

    def actor_statistics(self, kind: str, id: str) -> ActorStatistics | None:
        """Figures of ``kind/id`` if it is activated (``None`` otherwise; no activation)."""
        host = self._hosts.get(kind)
        if host is None:
            raise UnknownActorKind(kind)
        activation = host.find(id)
        return None if activation is None else activation.statistics()

    def actors(self, kind: str, limit: int = 50) -> list[ActorStatistics]:
        """Figures of up to ``limit`` activations of ``kind`` (deepest mailboxes, then the
        busiest, first); raises ``UnknownActorKind``."""
        host = self._hosts.get(kind)
        if host is None:
            raise UnknownActorKind(kind)
        return host.listing(limit)

    def passivate(self, address: Address) -> bool:
        """Ask ``address``'s activation to flush and passivate once its mailbox is empty
        (never a restart, whatever the kind's restart type); False when it has none here.
        A later message activates it again."""
        host = self._hosts.get(address.kind)
        activation = None if host is None else host.find(address.id)
        if activation is None:
            return False
        activation.request_stop(StopReason.OPERATOR)
        return True

    def mailbox_depths(self, bounds: Sequence[int]) -> dict[str, tuple[list[int], int, int]]:
        """Per kind, :meth:`KindHost.mailbox_depths` for ``bounds``."""
        return {name: host.mailbox_depths(bounds) for name, host in self._hosts.items()}

    def statistics(self, top: int = 10) -> RegistryStatistics:
        """Whether the registry is closed, and each kind's figures."""
        return RegistryStatistics(
            closed=self.closed,
            kinds=tuple(host.statistics(top) for host in self._hosts.values()),
        )

    def snapshot(self) -> SupervisorSnapshot:
        """The registry's supervision tree: its supervisor and one node per kind."""
        return self._supervisor.snapshot()


@asynccontextmanager
async def open_registry(
    kinds: Iterable[ActorKind],
    *,
    name: str = "actors",
    strategy: Strategy = Strategy.ONE_FOR_ONE,
    intensity: RestartIntensity = DEFAULT_INTENSITY,
    backoff: Backoff | None = None,
    shutdown_timeout: float = 10.0,
) -> AsyncIterator[Registry]:
    """Run a :class:`Registry` for the block; drain it (:meth:`Registry.aclose`) on exit.

    An escalation from the registry cancels the block and is raised from it inside an
    ``ExceptionGroup`` (trio's nursery rule).
    """
    registry = Registry(
        kinds,
        name=name,
        strategy=strategy,
        intensity=intensity,
        backoff=backoff,
        shutdown_timeout=shutdown_timeout,
    )
    async with trio.open_nursery() as nursery:
        await nursery.start(registry.run)
        try:
            yield registry
        finally:
            await registry.aclose()
