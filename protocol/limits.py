"""Numeric limits and defaults of the v1 wire protocol.

Every number a peer may rely on lives here, so that the types in :mod:`protocol.fields`,
the codecs and ``docs/PROTOCOL.md`` quote one source. Lengths of strings are counted in
Unicode code points (what msgspec's ``max_length`` checks); frame sizes are counted in bytes
of the encoded WebSocket message.
"""

from typing import Final

PROTOCOL_REVISION: Final = 2
"""Revision of v1 this package implements; announced in the ``authenticated`` ack result.

Revisions normally only add things a peer may ignore (see the versioning policy in
PROTOCOL.md). Revision 2 is the one exception, made before any third-party client
existed (issue 22, "One API style"): snapshots carry their own id as ``id`` and
``kicked.banned_until`` became ``ban_expires_at``; CHANGELOG.md lists every change.
"""

MAX_SAFE_INTEGER: Final = 2**53 - 1
"""Largest integer every peer can represent exactly (JavaScript numbers are doubles)."""

MAX_ID_LENGTH: Final = 64
MAX_TOKEN_LENGTH: Final = 4096
MAX_MESSAGE_TEXT_LENGTH: Final = 4000
MAX_EMOJI_LENGTH: Final = 32
MAX_URL_LENGTH: Final = 2048
MAX_ATTACHMENTS: Final = 10
MAX_SIGNAL_PAYLOAD_LENGTH: Final = 16_384
MAX_CALL_PARTICIPANTS: Final = 16
MAX_POST_TITLE_LENGTH: Final = 300
MAX_POST_BODY_LENGTH: Final = 40_000
MAX_COMMENT_BODY_LENGTH: Final = 10_000
MAX_REASON_LENGTH: Final = 500
MAX_HUMAN_TEXT_LENGTH: Final = 2000
"""Server-written prose: error messages, notification bodies, moderation warnings."""
MAX_NAME_LENGTH: Final = 64
"""Machine-readable words such as notification kinds and goodbye reasons."""

DEFAULT_MAX_CLIENT_FRAME_BYTES: Final = 64 * 1024
"""Largest client frame the server decodes; larger frames close the connection (1009)."""
DEFAULT_MAX_SERVER_FRAME_BYTES: Final = 1024 * 1024
"""Largest server frame a client SDK should accept (a post body alone may be 160 KB)."""

REPLAY_LIMIT: Final = 1000
"""Most sequenced events a resuming ``subscribe`` replays; a longer gap is incomplete."""

HEARTBEAT_INTERVAL_MS: Final = 25_000
"""A client sends some frame (``ping`` when idle) at least this often."""
HEARTBEAT_TIMEOUT_MS: Final = 60_000
"""Silence after which the server closes the connection with 4009."""
AUTHENTICATION_TIMEOUT_MS: Final = 10_000
"""Time an unauthenticated connection has to send ``authenticate`` before 4001."""
TYPING_TTL_MS: Final = 8_000
"""A ``typing`` start expires after this long unless the client repeats it."""
OUTBOUND_QUEUE_FRAMES: Final = 512
"""Default capacity of a connection's outbound queue; full means slow consumer (4000)."""
