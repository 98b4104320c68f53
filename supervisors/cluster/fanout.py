"""Cross-node fan-out: every node's hub sees every channel event, published once to the bus.

:class:`ClusterHub` is the node's :class:`~actors.realtime.hub.Hub` in cluster mode.  An event
published by a local actor is delivered to local subscribers at once and queued for the
bus, encoded once (MessagePack, the same bytes local msgpack subscribers get); the events
of one ``publish_many`` (a run the room's turn stored together) travel as one bus
message.  A node skips its own messages, which the bus echoes back, on their first bytes
without decoding them.  One task
publishes the queue in order on one connection, so each node receives a channel's events
in the order its owner published them; each node decodes a bus message once and hands it
to its local subscribers.  An event for one user's subscriptions only (a call's signal,
:meth:`~actors.realtime.hub.Hub.publish_to_user`) travels the same way and reaches that
user's subscriptions on every node.  Evictions (kicks, bans, a deleted room's whole
channel), login revocations and user disconnections travel the same way too.

Loss: Redis pub/sub is at-most-once.  Every bus message carries its origin's running
number, and every node publishes a heartbeat each :data:`BEAT_SECONDS`, so a lost
message is noticed within about a second, even when nothing else follows it.  When a
number is skipped, or this node's subscription breaks, falls behind, or goes silent (no
heartbeat, its own included, for :data:`SILENCE_SECONDS`), every local WebSocket is
closed with 1011 (reconnect) — after renewing the subscription when it failed — and
clients resume by sequence number from storage, so they see no gap.  A full outbound
queue drops the event for other nodes (counted in ``relay_dropped``); they see the skipped
number and their subscribers fill the gap on resume.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from collections.abc import Callable, Sequence

import msgspec
import trio

from actors.realtime.hub import Hub
from protocol.broadcast import BroadcastFrame
from protocol.codecs import MSGPACK_CODEC
from protocol.errors import ProtocolError
from storage.errors import StorageError
from storage.realtime import Bus, Subscription

logger = logging.getLogger(__name__)

BUS_CHANNEL = "cluster-events"
RELAY_CAPACITY = 10_000
RESUBSCRIBE_SECONDS = 1.0
BEAT_SECONDS = 1.0
SILENCE_SECONDS = 5.0
"""A subscription that hears nothing, not even this node's own heartbeat, for this long is
presumed dead (a Redis restart can leave a client subscribed to nothing) and renewed."""


class Published(msgspec.Struct, frozen=True, array_like=True, tag="publish"):
    """A run of consecutive events of one channel (one ``publish_many``), each frame
    MessagePack-encoded once: one bus message, decoded once by each node."""

    origin: str
    channel: str
    frames: tuple[bytes, ...]


class Targeted(msgspec.Struct, frozen=True, array_like=True, tag="target"):
    """An event for ``user_id``'s subscriptions of ``channel`` only, MessagePack-encoded."""

    origin: str
    channel: str
    user_id: str
    frame: bytes


class Evicted(msgspec.Struct, frozen=True, array_like=True, tag="evict"):
    origin: str
    channel: str
    user_id: str
    reason: str


class ChannelEvicted(msgspec.Struct, frozen=True, array_like=True, tag="evict_all"):
    """Every subscription to ``channel`` ends (the channel is gone)."""

    origin: str
    channel: str
    reason: str


class LoginRevoked(msgspec.Struct, frozen=True, array_like=True, tag="revoke"):
    origin: str
    session_id: str


class UserDisconnected(msgspec.Struct, frozen=True, array_like=True, tag="disconnect"):
    origin: str
    user_id: str
    reason: str
    code: int


class Heartbeat(msgspec.Struct, frozen=True, array_like=True, tag="beat"):
    """Published by every node every :data:`BEAT_SECONDS`; proves the subscription works."""

    origin: str


BusEvent = (
    Published | Targeted | Evicted | ChannelEvicted | LoginRevoked | UserDisconnected | Heartbeat
)


class Relayed(msgspec.Struct, frozen=True, array_like=True):
    """One bus message: ``number`` counts the messages of one run (``incarnation``) of the
    origin node from 1, so a receiver sees any message it missed as a gap."""

    incarnation: str
    number: int
    event: BusEvent


_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(Relayed)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RemoteEffects:
    """What the gateway does for events from other nodes (set by the node)."""

    revoke_login: Callable[[str], object]
    disconnect_user: Callable[[str, str, int], object]
    reset_all: Callable[[], object]


class ClusterHub(Hub):
    """A :class:`Hub` that also relays to, and applies events from, the other nodes."""

    def __init__(self, node_id: str) -> None:
        super().__init__()
        self.node_id = node_id
        self.relay_dropped = 0
        self.received = 0
        self._outbox, self._queued = trio.open_memory_channel[bytes](RELAY_CAPACITY)
        self._incarnation = secrets.token_hex(4)
        # How every message this node relays starts (a Relayed is an array of 3 whose first
        # item is the incarnation): its own messages come back from the bus and are skipped
        # on these bytes, without decoding them.
        self._own_prefix = b"\x93" + _ENCODER.encode(self._incarnation)
        self._number = 0
        self._heard: dict[str, tuple[str, int]] = {}
        self.gaps = 0

    def publish_many(self, channel: str, events: Sequence[BroadcastFrame]) -> int:
        delivered = super().publish_many(channel, events)
        if events:
            frames = tuple(event.encoded_for(MSGPACK_CODEC) for event in events)
            assert all(isinstance(frame, bytes) for frame in frames)
            self.relay(Published(self.node_id, channel, frames))  # type: ignore[arg-type]
        return delivered

    def publish_to_user(self, channel: str, user_id: str, event: BroadcastFrame) -> int:
        delivered = super().publish_to_user(channel, user_id, event)
        frame = event.encoded_for(MSGPACK_CODEC)
        assert isinstance(frame, bytes)
        self.relay(Targeted(self.node_id, channel, user_id, frame))
        return delivered

    def evict_user(self, channel: str, user_id: str, reason: str) -> int:
        evicted = super().evict_user(channel, user_id, reason)
        self.relay(Evicted(self.node_id, channel, user_id, reason))
        return evicted

    def evict_channel(self, channel: str, reason: str) -> int:
        evicted = super().evict_channel(channel, reason)
        self.relay(ChannelEvicted(self.node_id, channel, reason))
        return evicted

    def relay(self, event: BusEvent) -> None:
        """Queue ``event`` for the other nodes (never waits; drops when the queue is full)."""
        self._number += 1  # a dropped event still uses its number: receivers see the gap
        try:
            self._outbox.send_nowait(_ENCODER.encode(Relayed(self._incarnation, self._number,
                                                             event)))
        except trio.WouldBlock:
            self.relay_dropped += 1
            if self.relay_dropped % 1000 == 1:
                logger.warning("the cluster relay queue is full; dropped %d events",
                               self.relay_dropped)

    async def run(
        self, bus: Bus, effects: RemoteEffects,
        *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED,
    ) -> None:
        """Publish queued events and apply the other nodes' until cancelled."""
        async with trio.open_nursery() as nursery:
            nursery.start_soon(self._publish_queued, bus)
            nursery.start_soon(self._beat)
            await self._listen(bus, effects, task_status)

    async def _beat(self) -> None:
        while True:
            self.relay(Heartbeat(self.node_id))
            await trio.sleep(BEAT_SECONDS)

    async def _publish_queued(self, bus: Bus) -> None:
        async for data in self._queued:
            try:
                await bus.publish(BUS_CHANNEL, data)
            except StorageError as error:
                self.relay_dropped += 1
                logger.warning("could not relay an event to the cluster: %s", error)

    async def _listen(self, bus: Bus, effects: RemoteEffects,
                      task_status: trio.TaskStatus[None]) -> None:
        first: trio.TaskStatus[None] | None = task_status
        while True:
            try:
                async with bus.subscribe(BUS_CHANNEL, buffer=RELAY_CAPACITY) as subscription:
                    if first is not None:
                        first.started()
                        first = None
                    else:
                        effects.reset_all()  # events may have been missed while away
                    self._heard.clear()
                    await self._follow(subscription, effects)
            except* Exception as failures:  # any way the subscription ends: resubscribe
                if first is not None:
                    raise StorageError("could not subscribe to the cluster bus") from failures
                logger.warning("the cluster bus subscription broke (%r); resubscribing",
                               failures.exceptions[0])
            effects.reset_all()
            await trio.sleep(RESUBSCRIBE_SECONDS)

    async def _follow(self, subscription: Subscription, effects: RemoteEffects) -> None:
        """Apply messages until the subscription ends or stays silent too long."""
        with trio.move_on_after(SILENCE_SECONDS) as silence:
            async for message in subscription:
                silence.deadline = trio.current_time() + SILENCE_SECONDS
                self._apply(message.data, effects)
        reason = "went silent" if silence.cancelled_caught else "ended"
        logger.warning("the cluster bus subscription %s; resubscribing", reason)

    def _apply(self, data: bytes, effects: RemoteEffects) -> None:
        if data.startswith(self._own_prefix):
            return
        try:
            relayed = _DECODER.decode(data)
        except msgspec.DecodeError as error:
            logger.warning("ignored an unreadable cluster event: %s", error)
            return
        event = relayed.event
        if event.origin == self.node_id:
            return
        heard = self._heard.get(event.origin)
        self._heard[event.origin] = (relayed.incarnation, relayed.number)
        if heard is None:
            pass  # the first message heard from that node since subscribing
        elif heard[0] != relayed.incarnation:
            if relayed.number != 1:
                self._missed(event.origin, effects)  # it restarted: the first ones were lost
        elif relayed.number != heard[1] + 1:
            self._missed(event.origin, effects)
        if isinstance(event, Heartbeat):
            return
        self.received += 1
        match event:
            case Published():
                frames = _relayed_frames(event.frames)
                if frames is not None:
                    self._fan_out(event.channel, frames)
            case Targeted():
                frames = _relayed_frames((event.frame,))
                if frames is not None:
                    self._fan_out_to_user(event.channel, event.user_id, frames)
            case Evicted():
                Hub.evict_user(self, event.channel, event.user_id, event.reason)
            case ChannelEvicted():
                Hub.evict_channel(self, event.channel, event.reason)
            case LoginRevoked():
                effects.revoke_login(event.session_id)
            case UserDisconnected():
                effects.disconnect_user(event.user_id, event.reason, event.code)

    def _missed(self, origin: str, effects: RemoteEffects) -> None:
        self.gaps += 1
        logger.warning("missed relayed events from node %s; clients resume from storage",
                       origin)
        effects.reset_all()


def _relayed_frames(raw_frames: Sequence[bytes]) -> tuple[BroadcastFrame, ...] | None:
    """The relayed frames, decoded once and kept with their bytes; None (logged) when one
    is unreadable."""
    try:
        return tuple(
            BroadcastFrame.preencoded(MSGPACK_CODEC.decode_server(raw), MSGPACK_CODEC, raw)
            for raw in raw_frames
        )
    except ProtocolError as error:
        logger.warning("ignored an unreadable relayed frame: %s", error)
        return None
