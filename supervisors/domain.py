"""The node's domain wiring: which channel kinds are served and who handles frames.

:func:`actor_kinds` lists the node's actor kinds with their storage injected;
:func:`build_domain` returns the :class:`Domain` the gateway serves: one
:class:`~actors.realtime.ports.ChannelAccess` per channel kind and the
:class:`~actors.realtime.ports.FrameRouter` that carries out domain frames.  Channel kinds and
frames without an owner yet are refused with ``unsupported``.
"""

from __future__ import annotations

import dataclasses
import secrets
import time
from collections.abc import Callable, Mapping

from actors.chat.channels import ChatFrames, ChatRoomChannels
from actors.chat.room import CHAT_ROOM, ChatRoomActor
from actors.community.channels import PostChannels, TopicChannels, UserChannels
from actors.community.post import PostActor
from actors.community.post_commands import POST
from actors.community.topic import TopicActor
from actors.community.topic_commands import TOPIC
from actors.realtime.channel_log import ChannelHistory, ChannelLog
from actors.realtime.frame_router import FrameSwitch
from actors.realtime.hub import Hub
from actors.realtime.ports import ChannelAccess, ConnectionListener, FrameRouter
from actors.realtime.presence import PresenceBook
from actors.users.notification_feed import NOTIFICATION_FEED, NotificationFeedActor
from actors.users.offline_delivery import OfflineInbox
from protocol.channels import ChannelKind
from services.aliases import AliasMaker
from services.content_filter import ContentFilter
from storage.protocols import Store
from supervisors.calls import call_channels, call_kinds, call_routes
from supervisors.kind import ActorKind
from supervisors.messaging import (
    messaging_channels,
    messaging_connections,
    messaging_kinds,
    messaging_routes,
)
from supervisors.registry import Registry


@dataclasses.dataclass(frozen=True, slots=True)
class Domain:
    """What the gateway needs from the domain actors."""

    channels: Mapping[ChannelKind, ChannelAccess]
    router: FrameRouter
    connections: ConnectionListener | None = None


def actor_kinds(
    store: Store,
    hub: Hub,
    *,
    alias_secret: str | None = None,
    clock: Callable[[], float] = time.time,
    content_filter: ContentFilter | None = None,
    presence: PresenceBook | None = None,
    offline: OfflineInbox | None = None,
    batch_linger: float = 0.0,
    cluster: bool = False,
) -> list[ActorKind]:
    """Every actor kind of the node, with its storage injected.

    ``alias_secret`` keys the anonymous aliases (the node passes its secret key); without
    it a random one is drawn, so aliases of new anonymous posts change with each start.
    ``clock`` must be the store's clock (ban expiry is computed on one and checked on the
    other).  ``content_filter`` screens every message, post and comment (none: no rules).
    ``presence`` is the node's presence book (cluster mode passes one with expiry).
    ``offline`` takes mentions and DMs for offline delivery (none: not delivered offline).
    ``batch_linger`` is the chat rooms' batching budget in seconds
    (:mod:`supervisors.batch_linger`; 0: a turn never waits for more messages).
    ``cluster`` is true on a node of a cluster (calls then count participants connected
    to other nodes).
    """
    screen = content_filter or ContentFilter.from_rules()
    log = ChannelLog(store.channel_events, hub)
    aliases = AliasMaker(alias_secret or secrets.token_urlsafe(32))
    return [
        ActorKind(
            CHAT_ROOM,
            lambda context: ChatRoomActor(context, store, hub, screen),
            mailbox_capacity=256,
            idle_timeout=600.0,
            batch_linger=batch_linger,
        ),
        ActorKind(
            TOPIC,
            lambda context: TopicActor(context, store, log, aliases, clock, screen),
            mailbox_capacity=256,
            idle_timeout=600.0,
        ),
        ActorKind(
            POST,
            lambda context: PostActor(context, store, log, aliases, screen),
            mailbox_capacity=128,
            idle_timeout=300.0,
        ),
        ActorKind(
            NOTIFICATION_FEED,
            lambda context: NotificationFeedActor(context, store, log, offline),
            mailbox_capacity=64,
            idle_timeout=300.0,
        ),
        *messaging_kinds(store, hub, clock, screen, presence),
        *call_kinds(store, hub, cluster=cluster),
    ]


def build_domain(store: Store, registry: Registry) -> Domain:
    """The channels and frame router of this node, routed through ``registry``."""
    history = ChannelHistory(store.channel_events)
    by_channel, by_type = messaging_routes(store, registry)
    return Domain(
        channels={
            ChannelKind.CHAT_ROOM: ChatRoomChannels(store),
            ChannelKind.TOPIC: TopicChannels(registry.ref, history),
            ChannelKind.POST: PostChannels(registry.ref, store, history),
            ChannelKind.USER: UserChannels(history),
            **messaging_channels(store),
            **call_channels(registry),
        },
        router=FrameSwitch(
            by_channel={ChannelKind.CHAT_ROOM: ChatFrames(registry.ref), **by_channel},
            by_type={**by_type, **call_routes(store, registry)},
        ),
        connections=messaging_connections(registry),
    )
