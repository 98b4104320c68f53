"""One node's membership of the cluster: its link server, leases, heartbeat and relay.

:func:`open_cluster` runs the parts that do not need the actors yet (the outgoing links
and the link server, bound so its address is known).  The node then builds its registry
and gateway and calls :meth:`ClusterNode.join`, which attaches the placement to the
registry, starts the bus relay (subscribed before it returns), renews leases, and
announces the node in the membership table — only then can other nodes find it.
Leaving the block releases every lease (other nodes take over at once, not after the
lease ttl) and removes the membership record; a node that dies instead is forgotten
after ``lease_seconds``.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Protocol

import msgspec
import trio

from protocol.close_codes import CloseCode
from protocol.enums import GoodbyeReason
from storage.errors import StorageError
from storage.realtime import NodeRecord, Realtime
from supervisors.cluster.fanout import (
    ClusterHub,
    LoginRevoked,
    RemoteEffects,
    UserDisconnected,
)
from supervisors.cluster.peer_server import PeerServer
from supervisors.cluster.peers import PeerLinkStatus, Peers
from supervisors.cluster.placement import Placement
from supervisors.cluster.wire import WIRE_VERSION
from supervisors.registry import Registry
from topicsflow.cluster_settings import ClusterSettings

logger = logging.getLogger(__name__)


class ConnectionGateway(Protocol):
    """What the cluster needs of the node's WebSocket gateway (the facade's ``Gateway``
    satisfies it structurally, so this layer does not import the facade).

    The node sets the two ``relay_*`` hooks, which the gateway calls after revoking a login
    or disconnecting a user *here* (with ``relay`` true); the cluster calls the methods with
    ``relay=False`` for what other nodes relayed, and ``reset_all`` (close every connection
    with 1011, so clients resume from storage) when this node may have missed events.
    """

    relay_revoke: Callable[[str], None] | None
    relay_disconnect: Callable[[str, GoodbyeReason, CloseCode], None] | None

    def revoke_login(self, session_id: str, *, relay: bool = True) -> object:
        """Disconnect the connections of login session ``session_id``."""
        ...

    def disconnect_user(
        self, user_id: str, reason: GoodbyeReason, code: CloseCode, *, relay: bool = True
    ) -> object:
        """Disconnect every connection of ``user_id`` with ``reason`` and ``code``."""
        ...

    def reset_all(self) -> object:
        """Close every connection with 1011 (clients reconnect and resume)."""
        ...


class ClusterStatus(msgspec.Struct, frozen=True, kw_only=True):
    """The cluster as this node sees it, for ``/ops/status``."""

    node_id: str
    peer_address: str
    lease_seconds: float
    wire_version: int
    """The node-to-node wire version (:data:`supervisors.cluster.wire.WIRE_VERSION`)."""
    nodes: tuple[NodeRecord, ...]
    held_leases: int
    forwarded: int
    lost_leases: int
    links_accepted: int
    relay_dropped: int
    relayed_in: int
    relay_gaps: int
    """Times this node missed relayed events and had its clients resume from storage."""
    links: tuple[PeerLinkStatus, ...] = ()
    """This node's outgoing links to the other nodes, and their health."""


class ClusterNode:
    """This node in the cluster; see the module docstring."""

    def __init__(
        self, settings: ClusterSettings, secret: str, realtime: Realtime, hub: ClusterHub,
        nursery: trio.Nursery,
    ) -> None:
        self.settings = settings
        self.node_id = settings.node_id
        self.hub = hub
        self.peer_address = ""
        self._realtime = realtime
        self._nursery = nursery
        self._peers = Peers(self.node_id, secret, realtime.members)
        self.placement = Placement(
            self.node_id, realtime.leases, self._peers, lease_seconds=settings.lease_seconds
        )
        self._server = PeerServer(secret, self.placement)
        self._record: NodeRecord | None = None
        self._nodes: tuple[NodeRecord, ...] = ()

    async def start_links(self) -> None:
        await self._nursery.start(self._peers.run)
        bound: str = await self._nursery.start(
            self._server.run, self.settings.peer_host, self.settings.peer_port
        )
        self.peer_address = f"{self.settings.dial_host}:{bound.rpartition(':')[2]}"

    async def join(self, registry: Registry, gateway: ConnectionGateway) -> None:
        """Serve this node's share of the actors and announce it (see the module docstring)."""
        registry.attach_placement(self.placement)
        hub, node_id = self.hub, self.node_id
        gateway.relay_revoke = lambda session_id: hub.relay(LoginRevoked(node_id, session_id))
        gateway.relay_disconnect = lambda user_id, reason, code: hub.relay(
            UserDisconnected(node_id, user_id, str(reason), int(code))
        )
        effects = RemoteEffects(
            revoke_login=lambda session_id: gateway.revoke_login(session_id, relay=False),
            disconnect_user=lambda user_id, reason, code: gateway.disconnect_user(
                user_id, GoodbyeReason(reason), CloseCode(code), relay=False
            ),
            reset_all=gateway.reset_all,
        )
        await self._nursery.start(hub.run, self._realtime.bus, effects)
        self._nursery.start_soon(self.placement.renew_forever)
        self._record = NodeRecord(
            node_id=node_id, peer_address=self.peer_address, http_url="",
            started_at=time.time(),
        )
        await self._heartbeat()
        self._nursery.start_soon(self._heartbeat_forever)
        logger.info("joined the cluster as %s (links on %s)", node_id, self.peer_address)

    async def serving_at(self, http_url: str) -> None:
        """Record where this node's HTTP facade listens (shown in the status endpoint)."""
        assert self._record is not None, "join first"
        self._record = msgspec.structs.replace(self._record, http_url=http_url)
        await self._heartbeat()

    async def _heartbeat(self) -> None:
        assert self._record is not None
        await self._realtime.members.heartbeat(self._record, self.settings.lease_seconds)
        self._nodes = tuple(await self._realtime.members.live())

    async def _heartbeat_forever(self) -> None:
        while True:
            await trio.sleep(self.settings.lease_seconds / 3)
            try:
                await self._heartbeat()
            except StorageError as error:
                logger.warning("cluster heartbeat failed: %s", error)

    async def leave(self) -> None:
        """Release every lease and the membership record (graceful shutdown)."""
        with trio.CancelScope(shield=True), trio.move_on_after(5):
            await self.placement.release_all()
            try:
                await self._realtime.members.leave(self.node_id)
            except StorageError as error:
                logger.warning("could not leave the membership table: %s", error)

    def status(self) -> ClusterStatus:
        placement = self.placement.statistics()
        return ClusterStatus(
            node_id=self.node_id,
            peer_address=self.peer_address,
            lease_seconds=self.settings.lease_seconds,
            wire_version=WIRE_VERSION,
            nodes=self._nodes,
            held_leases=placement["held"],
            forwarded=placement["forwarded"],
            lost_leases=placement["lost"],
            links_accepted=self._server.links,
            relay_dropped=self.hub.relay_dropped,
            relayed_in=self.hub.received,
            relay_gaps=self.hub.gaps,
            links=self._peers.link_statuses(),
        )


@contextlib.asynccontextmanager
async def open_cluster(
    settings: ClusterSettings, secret: str, realtime: Realtime, hub: ClusterHub
) -> AsyncIterator[ClusterNode]:
    """Run this node's cluster parts for the block; leave the cluster on exit."""
    async with trio.open_nursery() as nursery:
        node = ClusterNode(settings, secret, realtime, hub, nursery)
        await node.start_links()
        try:
            yield node
        finally:
            await node.leave()
            nursery.cancel_scope.cancel()
