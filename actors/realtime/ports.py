"""What a connection session needs from the rest of the node, as protocols.

The WebSocket session (:mod:`actors.realtime.session`) is transport- and domain-agnostic: it talks
to its socket through a :class:`Transport`, checks tokens through an :class:`Authenticator`,
asks a :class:`ChannelAccess` per channel kind whether a user may subscribe and what they
missed, hands every domain frame (send, edit, react, calls…) to a :class:`FrameRouter`,
and tells an optional :class:`ConnectionListener` when it starts and ends (presence).
Each refusal is a :class:`services.errors.DomainError`.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Sequence
from typing import Final, Protocol, runtime_checkable

import msgspec

from protocol.client_frames import ClientFrame
from protocol.control_frames import AnyAckResult
from protocol.server_frames import ServerFrame
from services.principal import Principal


class Transport(Protocol):
    """One WebSocket, as the session uses it."""

    async def receive(self) -> str | bytes | None:
        """The next message, or None once the peer disconnected."""
        ...

    async def send(self, data: str | bytes) -> None:
        """Send one message (text for ``str``, binary for ``bytes``)."""
        ...

    async def close(self, code: int, reason: str) -> None:
        """Close with ``code``; never raises when already closed."""
        ...


class Written(enum.Enum):
    """What :meth:`DirectTransport.write_nowait` did with a frame."""

    NOTHING = "nothing"
    """The socket is busy (another write, or an earlier tail): queue the frame."""
    ALL = "all"
    """The whole frame went to the socket."""
    PART = "part"
    """The socket took part of it; the transport keeps the rest for the next write."""


# The per-delivery paths compare with these: on Python 3.11 every ``Written.X`` is a
# descriptor look-up of about 0.1 µs, several per delivery.
WRITTEN_NOTHING: Final = Written.NOTHING
WRITTEN_ALL: Final = Written.ALL
WRITTEN_PART: Final = Written.PART


@runtime_checkable
class DirectTransport(Transport, Protocol):
    """A transport that also writes whole WebSocket frames (RFC 6455 bytes) itself.

    The session then frames each message once (a broadcast once for all its sockets, see
    :meth:`protocol.broadcast.BroadcastFrame.framed_for`), writes a live event straight
    to the socket when nothing is queued before it, and writes queued frames in one
    system call.  Order is the caller's: it calls :meth:`write_nowait` only when none of
    its frames is queued or being written.
    """

    def write_nowait(self, frame: bytes) -> Written:
        """Write ``frame`` now without waiting, if the socket is free (see :class:`Written`;
        after ``PART`` the kept tail goes first in the next :meth:`write`).

        Raises :class:`trio.BrokenResourceError` when the connection is gone.
        """
        ...

    async def write(self, frames: Sequence[bytes]) -> None:
        """Write the pending tail, then ``frames``, in order (``[]`` flushes the tail).

        Raises :class:`trio.BrokenResourceError` when the connection is gone.
        """
        ...


class Authenticator(Protocol):
    """Turns a bearer token into a :class:`Principal`."""

    async def authenticate(self, token: str) -> Principal | None:
        """The principal of a live session, or None for an unknown/expired/revoked token."""
        ...

    async def alive_among(self, token_hashes: Collection[str]) -> set[str]:
        """Those of ``token_hashes`` whose logins (sessions or access tokens) are still
        valid, read together; raises ``StorageUnavailable`` when that cannot be told now."""
        ...


class FrameCounter(Protocol):
    """Counts a connection's own frames by type, for the node's metrics: every frame read
    (decoded, whatever comes of it) and every frame the session itself writes (replies,
    errors, pongs, goodbyes).  Broadcast events are counted where they are fanned out."""

    def frame_in(self, frame: ClientFrame) -> None:
        """One client frame was decoded."""
        ...

    def frame_out(self, frame: ServerFrame) -> None:
        """One server frame of the session's own is being written."""
        ...


class Replay(msgspec.Struct, frozen=True, kw_only=True):
    """What a subscriber missed: the events after ``since_seq`` up to ``last_seq``.

    ``complete`` is False when more than the limit were missed or history is unavailable;
    then ``events`` is empty and the client refetches history over REST.
    """

    last_seq: int
    complete: bool = True
    events: Sequence[ServerFrame] = ()


class ChannelAccess(Protocol):
    """Who may subscribe to channels of one kind, and their history."""

    async def check_subscribe(self, principal: Principal, channel_id: str) -> None:
        """Return when ``principal`` may read the channel; raise DomainError otherwise."""
        ...

    async def replay(
        self, principal: Principal, channel_id: str, since_seq: int | None, limit: int
    ) -> Replay:
        """The channel's last seq and, with ``since_seq``, the events after it."""
        ...


class ConnectionListener(Protocol):
    """Told when an authenticated connection starts, ends and reports its presence.

    ``connection_id`` names the connection on this node.  ``connection_closed`` may be
    told for a connection whose ``connection_opened`` never completed (ignore it).
    """

    async def connection_opened(self, principal: Principal, connection_id: str) -> None: ...

    async def connection_closed(self, principal: Principal, connection_id: str) -> None: ...

    async def presence_set(self, principal: Principal, connection_id: str, status: str) -> None:
        """Record ``online`` or ``away`` for the connection; raise DomainError to refuse."""
        ...


class FrameRouter(Protocol):
    """Carries out domain frames on behalf of a principal."""

    async def handle(self, principal: Principal, frame: ClientFrame) -> AnyAckResult | None:
        """Perform ``frame``; return the ``ack`` result, or raise DomainError."""
        ...
