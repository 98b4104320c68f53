"""The node's domain wiring: which channel kinds are served and who handles frames.

:func:`build_domain` returns the :class:`Domain` the gateway serves: one
:class:`~actors.realtime.ChannelAccess` per channel kind and the
:class:`~actors.realtime.FrameRouter` that carries out domain frames.  Kinds and frames
without an owner yet are refused with ``unsupported``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from actors.hub import Hub
from actors.realtime import ChannelAccess, FrameRouter, Principal
from protocol.channels import ChannelKind
from protocol.client_frames import ClientFrame
from protocol.control_frames import AnyAckResult
from protocol.errors import ErrorCode
from services.errors import DomainError
from storage.protocols import Store


@dataclasses.dataclass(frozen=True, slots=True)
class Domain:
    """What the gateway needs from the domain actors."""

    channels: Mapping[ChannelKind, ChannelAccess]
    router: FrameRouter


class UnsupportedFrames:
    """A router for frames no actor serves yet."""

    async def handle(self, principal: Principal, frame: ClientFrame) -> AnyAckResult | None:
        raise DomainError(ErrorCode.UNSUPPORTED, f"{type(frame).__name__} is not served yet")


def build_domain(store: Store, hub: Hub) -> Domain:
    """The channels and frame router of this node."""
    return Domain(channels={}, router=UnsupportedFrames())
