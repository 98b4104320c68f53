"""Wiring of direct messages, presence and chat notifications into the node's domain.

:func:`messaging_kinds` lists their actor kinds (``dm`` conversations, ``user`` presence,
``chat_notices`` per room) sharing one :class:`~actors.realtime.presence.PresenceBook` per node;
:func:`messaging_channels` and :func:`messaging_routes` what the gateway serves for
``dm:`` and ``user:`` frames; :func:`messaging_connections` the sessions' connection
listener.  :mod:`supervisors.domain` merges them with the other domains.
"""

from __future__ import annotations

from collections.abc import Callable

from actors.chat.notices import ROOM_NOTICES, RoomNoticesActor
from actors.direct.channels import DirectChannels, DirectFrames
from actors.direct.commands import DIRECT_CONVERSATION
from actors.direct.conversation import DirectConversationActor
from actors.realtime.hub import Hub
from actors.realtime.ports import ChannelAccess, ConnectionListener, FrameRouter
from actors.realtime.presence import PresenceBook
from actors.users.commands import USER
from actors.users.connections import UserConnections
from actors.users.notification_reads import FeedReads
from actors.users.user import UserActor
from protocol.channels import ChannelKind
from protocol.client_frames import ClientFrame, SendDirectMessage
from services.content_filter import ContentFilter
from storage.protocols import Store
from supervisors.kind import ActorKind
from supervisors.registry import Registry


def messaging_kinds(
    store: Store,
    hub: Hub,
    clock: Callable[[], float],
    content_filter: ContentFilter | None = None,
    book: PresenceBook | None = None,
) -> list[ActorKind]:
    """The actor kinds of direct messages, presence and chat notifications (``book``: the
    node's presence book; a fresh one without expiry by default)."""
    book = book if book is not None else PresenceBook()
    return [
        ActorKind(
            DIRECT_CONVERSATION,
            lambda context: DirectConversationActor(context, store, hub, content_filter),
            mailbox_capacity=64,
            idle_timeout=300.0,
        ),
        ActorKind(
            USER,
            lambda context: UserActor(context, store, hub, book, clock),
            mailbox_capacity=64,
            idle_timeout=300.0,
        ),
        ActorKind(
            ROOM_NOTICES,
            lambda context: RoomNoticesActor(context, store),
            mailbox_capacity=256,
            idle_timeout=120.0,
        ),
    ]


def messaging_channels(store: Store) -> dict[ChannelKind, ChannelAccess]:
    """Channel access of ``dm:`` channels."""
    return {ChannelKind.DM: DirectChannels(store)}


def messaging_routes(
    store: Store, registry: Registry
) -> tuple[dict[ChannelKind, FrameRouter], dict[type[ClientFrame], FrameRouter]]:
    """Routers of ``dm:`` and ``user:`` channel frames, and of ``send_direct_message``."""
    direct = DirectFrames(registry.ref)
    return (
        {ChannelKind.DM: direct, ChannelKind.USER: FeedReads(store)},
        {SendDirectMessage: direct},
    )


def messaging_connections(registry: Registry) -> ConnectionListener:
    """The listener that tells user actors about their connections (presence)."""
    return UserConnections(registry.ref)
