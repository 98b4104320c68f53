"""Stable error codes, their HTTP statuses, and the protocol's exception types.

Error codes are shared by the WebSocket protocol (``error`` frames) and the REST API (its
error bodies and HTTP statuses), so a client handles a refusal the same way whichever path
it used. The set is closed in v1: new failure conditions map onto an existing code with a
new ``message``.

Exceptions::

    ProtocolError          a frame could not be decoded; carries code, message, request id
    └── UnsupportedFrame   a well-formed server frame of a type this SDK does not know
"""

import enum
from http import HTTPStatus


class ErrorCode(enum.StrEnum):
    """Why a request failed. The value is what travels on the wire."""

    UNAUTHORIZED = "unauthorized"
    """No valid credentials: not authenticated yet, token invalid or expired."""
    FORBIDDEN = "forbidden"
    """Authenticated, but not allowed: not a member, banned, not the author."""
    NOT_FOUND = "not_found"
    """The object named by the request does not exist (or is hidden from this user)."""
    INVALID = "invalid"
    """Malformed frame, unknown frame type, wrong field type, value out of its limits."""
    CONFLICT = "conflict"
    """The request contradicts current state: already authenticated, call already ended."""
    RATE_LIMITED = "rate_limited"
    """Too many requests; retry after ``retry_after_ms``."""
    TOO_LARGE = "too_large"
    """The frame or upload exceeds its size limit."""
    UNAVAILABLE = "unavailable"
    """A dependency is temporarily down or the server is draining; retry with backoff."""
    INTERNAL = "internal"
    """A server bug. The request may or may not have taken effect."""
    TIMEOUT = "timeout"
    """The server gave up waiting on an internal step; the outcome is unknown."""
    UNSUPPORTED = "unsupported"
    """Well-formed but not supported here: a disabled feature, a media type, a frame type."""

    @property
    def http_status(self) -> HTTPStatus:
        """The HTTP status the REST API answers with for this code."""
        return _HTTP_STATUS[self]

    @property
    def retryable(self) -> bool:
        """Whether repeating the same request later may succeed without changing it."""
        return self in _RETRYABLE


_HTTP_STATUS: dict[ErrorCode, HTTPStatus] = {
    ErrorCode.UNAUTHORIZED: HTTPStatus.UNAUTHORIZED,
    ErrorCode.FORBIDDEN: HTTPStatus.FORBIDDEN,
    ErrorCode.NOT_FOUND: HTTPStatus.NOT_FOUND,
    ErrorCode.INVALID: HTTPStatus.BAD_REQUEST,
    ErrorCode.CONFLICT: HTTPStatus.CONFLICT,
    ErrorCode.RATE_LIMITED: HTTPStatus.TOO_MANY_REQUESTS,
    ErrorCode.TOO_LARGE: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    ErrorCode.UNAVAILABLE: HTTPStatus.SERVICE_UNAVAILABLE,
    ErrorCode.INTERNAL: HTTPStatus.INTERNAL_SERVER_ERROR,
    ErrorCode.TIMEOUT: HTTPStatus.GATEWAY_TIMEOUT,
    ErrorCode.UNSUPPORTED: HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
}

_RETRYABLE = frozenset(
    {ErrorCode.RATE_LIMITED, ErrorCode.UNAVAILABLE, ErrorCode.TIMEOUT, ErrorCode.INTERNAL}
)


class ProtocolError(Exception):
    """A frame could not be decoded into a valid frame.

    ``code`` is ``invalid`` (malformed bytes, unknown frame type, wrong types, a value
    outside its limits, unknown fields in client frames) or ``too_large`` (over the
    maximum frame size; nothing was parsed). ``request_id`` is the frame's ``id`` when it
    could still be read from the rejected frame, so the ``error`` reply can echo it, and
    ``None`` otherwise. ``message`` is safe to send to the peer.
    """

    def __init__(self, code: ErrorCode, message: str, *, request_id: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.request_id = request_id

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code.value!r}, message={self.message!r}, "
            f"request_id={self.request_id!r})"
        )


class UnsupportedFrame(ProtocolError):
    """A well-formed server frame whose ``type`` this package does not know.

    Raised only by the client side (``Codec.decode_server``). Servers add frame types
    within v1, so a client must skip such frames, not treat them as an error.
    """

    def __init__(self, frame_type: str) -> None:
        super().__init__(ErrorCode.UNSUPPORTED, f"unknown server frame type {frame_type!r}")
        self.frame_type = frame_type
