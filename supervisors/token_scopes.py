"""Scopes of personal access tokens on the WebSocket (docs/AUTH.md, "Tokens").

Contract: :func:`scoped_domain` wraps a node's :class:`~supervisors.domain.Domain` so that
a principal authenticated with a token (``Principal.scopes`` not None) needs

* ``read`` to subscribe to any channel (and so to get its replayed history), and
* ``write`` for every domain frame the router carries out (sending, editing, deleting,
  reacting, typing, read marks, calls);

otherwise the request is refused with ``forbidden`` (one ``error`` reply, the connection
stays open).  Login sessions pass unchecked.  Connection-level frames (``ping``,
``unsubscribe``, ``set_presence``) need no scope.
"""

from __future__ import annotations

import dataclasses

from actors.realtime.ports import ChannelAccess, FrameRouter, Replay
from protocol.channels import ChannelKind
from protocol.client_frames import ClientFrame
from protocol.control_frames import AnyAckResult
from services.principal import Principal
from services.scopes import Scope, require_scope
from supervisors.domain import Domain


class ScopedRouter:
    """A :class:`FrameRouter` that demands ``write`` of tokens."""

    def __init__(self, inner: FrameRouter) -> None:
        self._inner = inner

    async def handle(self, principal: Principal, frame: ClientFrame) -> AnyAckResult | None:
        require_scope(principal, Scope.WRITE)
        return await self._inner.handle(principal, frame)


class ScopedChannels:
    """A :class:`ChannelAccess` that demands ``read`` of tokens."""

    def __init__(self, inner: ChannelAccess) -> None:
        self._inner = inner

    async def check_subscribe(self, principal: Principal, channel_id: str) -> None:
        require_scope(principal, Scope.READ)
        await self._inner.check_subscribe(principal, channel_id)

    async def replay(
        self, principal: Principal, channel_id: str, since_seq: int | None, limit: int
    ) -> Replay:
        require_scope(principal, Scope.READ)
        return await self._inner.replay(principal, channel_id, since_seq, limit)


def scoped_domain(domain: Domain) -> Domain:
    """``domain`` with every channel and the router checking token scopes."""
    channels: dict[ChannelKind, ChannelAccess] = {
        kind: ScopedChannels(access) for kind, access in domain.channels.items()
    }
    return dataclasses.replace(domain, channels=channels, router=ScopedRouter(domain.router))
