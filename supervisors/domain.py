"""The node's domain wiring: which channel kinds are served and who handles frames.

:func:`actor_kinds` lists the node's actor kinds with their storage injected;
:func:`build_domain` returns the :class:`Domain` the gateway serves: one
:class:`~actors.realtime.ChannelAccess` per channel kind and the
:class:`~actors.realtime.FrameRouter` that carries out domain frames.  Channel kinds and
frames without an owner yet are refused with ``unsupported``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from actors.chat_channels import ChatFrames, ChatRoomChannels
from actors.chat_room import CHAT_ROOM, ChatRoomActor
from actors.hub import Hub
from actors.realtime import ChannelAccess, FrameRouter
from protocol.channels import ChannelKind
from storage.protocols import Store
from supervisors.kind import ActorKind
from supervisors.registry import Registry


@dataclasses.dataclass(frozen=True, slots=True)
class Domain:
    """What the gateway needs from the domain actors."""

    channels: Mapping[ChannelKind, ChannelAccess]
    router: FrameRouter


def actor_kinds(store: Store, hub: Hub) -> list[ActorKind]:
    """Every actor kind of the node, with its storage injected."""
    return [
        ActorKind(
            CHAT_ROOM,
            lambda context: ChatRoomActor(context, store, hub),
            mailbox_capacity=256,
            idle_timeout=600.0,
        ),
    ]


def build_domain(store: Store, registry: Registry) -> Domain:
    """The channels and frame router of this node, routed through ``registry``."""
    return Domain(
        channels={ChannelKind.CHAT_ROOM: ChatRoomChannels(registry.ref, store)},
        router=ChatFrames(registry.ref),
    )
