"""WebSocket close codes the server uses, and what a client should do after each.

Codes below 4000 are the standard ones of RFC 6455; 4000-4999 are private to TopicsFlow.
Before closing on its own initiative the server sends a ``goodbye`` frame (best effort:
a slow consumer's queue may be too full to carry it).
"""

import enum
from collections.abc import Mapping
from types import MappingProxyType

from protocol.enums import GoodbyeReason


class CloseCode(enum.IntEnum):
    """Close codes of the v1 protocol."""

    NORMAL = 1000
    """The client closed, or the server acknowledged the client's close."""
    GOING_AWAY = 1001
    """The server is draining (deploy, restart). Reconnect with backoff and resume."""
    PROTOCOL_ERROR = 1002
    """The peer broke WebSocket framing or offered no supported subprotocol."""
    POLICY_VIOLATION = 1008
    """Repeated invalid frames or another policy breach. Do not reconnect automatically."""
    TOO_LARGE = 1009
    """A frame exceeded the maximum frame size. Reconnecting is allowed; fix the sender."""
    INTERNAL_ERROR = 1011
    """The server failed unexpectedly. Reconnect with backoff and resume."""
    SLOW_CONSUMER = 4000
    """The connection's outbound queue filled up. Reconnect and resume from the last seq."""
    UNAUTHORIZED = 4001
    """Not authenticated in time, credentials invalid, or session revoked (logout).
    Reconnect only with fresh credentials."""
    FORBIDDEN = 4003
    """The user may not connect (banned, account disabled). Do not reconnect."""
    RATE_LIMITED = 4008
    """The client flooded the server. Reconnect after a long backoff (``reconnect_after_ms``)."""
    HEARTBEAT_TIMEOUT = 4009
    """No frame arrived within the heartbeat timeout. Reconnect and resume."""

    @property
    def reconnect(self) -> bool:
        """Whether a client should reconnect automatically (with backoff) after this code.

        ``UNAUTHORIZED`` answers ``False``: reconnecting needs new credentials first.
        """
        return self in _RECONNECT

    @property
    def application_defined(self) -> bool:
        """Whether the code is private to TopicsFlow (4000-4999) rather than RFC 6455."""
        return 4000 <= self.value <= 4999


_RECONNECT = frozenset(
    {
        CloseCode.GOING_AWAY,
        CloseCode.TOO_LARGE,
        CloseCode.INTERNAL_ERROR,
        CloseCode.SLOW_CONSUMER,
        CloseCode.RATE_LIMITED,
        CloseCode.HEARTBEAT_TIMEOUT,
    }
)

GOODBYE_CLOSE_CODES: Mapping[GoodbyeReason, CloseCode] = MappingProxyType(
    {
        GoodbyeReason.SHUTDOWN: CloseCode.GOING_AWAY,
        GoodbyeReason.SLOW_CONSUMER: CloseCode.SLOW_CONSUMER,
        GoodbyeReason.UNAUTHORIZED: CloseCode.UNAUTHORIZED,
        GoodbyeReason.SESSION_REVOKED: CloseCode.UNAUTHORIZED,
        GoodbyeReason.BANNED: CloseCode.FORBIDDEN,
        GoodbyeReason.FLOOD: CloseCode.RATE_LIMITED,
        GoodbyeReason.HEARTBEAT_TIMEOUT: CloseCode.HEARTBEAT_TIMEOUT,
        GoodbyeReason.POLICY_VIOLATION: CloseCode.POLICY_VIOLATION,
        GoodbyeReason.FRAME_TOO_LARGE: CloseCode.TOO_LARGE,
        GoodbyeReason.INTERNAL_ERROR: CloseCode.INTERNAL_ERROR,
    }
)
"""The close code that follows a ``goodbye`` with each known reason."""
