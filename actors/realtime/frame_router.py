"""The node's :class:`~actors.realtime.ports.FrameRouter`: each domain frame to its owner.

A frame type with a route of its own (``send_direct_message``, which names a user, not
a channel) goes there; any other frame goes to the router of its channel's kind
(``chat_room:``, ``dm:``, ``user:``…).  Frames with neither are ``unsupported``.
"""

from __future__ import annotations

from collections.abc import Mapping

from actors.realtime.ports import FrameRouter
from protocol.channels import ChannelKind, channel_kind
from protocol.client_frames import ClientFrame
from protocol.control_frames import AnyAckResult
from protocol.errors import ErrorCode
from services.errors import DomainError
from services.principal import Principal


class FrameSwitch:
    """Routes by frame type first, then by channel kind; see the module docstring."""

    def __init__(
        self,
        *,
        by_channel: Mapping[ChannelKind, FrameRouter],
        by_type: Mapping[type[ClientFrame], FrameRouter] | None = None,
    ) -> None:
        self._by_channel = dict(by_channel)
        self._by_type = dict(by_type or {})

    async def handle(self, principal: Principal, frame: ClientFrame) -> AnyAckResult | None:
        router = self._by_type.get(type(frame))
        if router is None:
            channel = getattr(frame, "channel", None)
            kind = channel_kind(channel) if isinstance(channel, str) else None
            router = None if kind is None else self._by_channel.get(kind)
        if router is None:
            raise DomainError(ErrorCode.UNSUPPORTED, f"{type(frame).__name__} is not served here")
        return await router.handle(principal, frame)
