"""Small vocabularies used by frames.

Two kinds live here:

* **Closed** enums (used as field types): a decoder rejects any other value, so adding a
  member to one that appears in a server frame needs protocol v2.
* **Known values** of open fields (typed :data:`protocol.fields.Name` on the wire): the
  server builds frames from these members, but a client must tolerate values it does not
  know, so new members may be added within v1.
"""

import enum


class TypingState(enum.StrEnum):
    """Closed. Whether a user started or stopped typing in a channel."""

    START = "start"
    STOP = "stop"


class PresenceStatus(enum.StrEnum):
    """Closed. A user's presence as reported by the server."""

    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


class ReactionAction(enum.StrEnum):
    """Closed. Whether a reaction is added to or removed from a message."""

    ADD = "add"
    REMOVE = "remove"


class SignalKind(enum.StrEnum):
    """Closed. The WebRTC signalling step a ``call_signal`` payload belongs to."""

    OFFER = "offer"
    ANSWER = "answer"
    ICE = "ice"


class CallMedia(enum.StrEnum):
    """Closed. What a call carries."""

    AUDIO = "audio"
    VIDEO = "video"


class CallState(enum.StrEnum):
    """Closed. Lifecycle of a call: ringing, then active once someone accepts, then ended."""

    RINGING = "ringing"
    ACTIVE = "active"
    ENDED = "ended"


class VoteTarget(enum.StrEnum):
    """Closed. What a vote applies to."""

    POST = "post"
    COMMENT = "comment"


class NotificationKind(enum.StrEnum):
    """Known values of ``notification.kind`` (open)."""

    MENTION = "mention"
    REPLY = "reply"
    COMMENT = "comment"
    DIRECT_MESSAGE = "direct_message"
    INVITE = "invite"
    MISSED_CALL = "missed_call"
    MODERATION = "moderation"
    SYSTEM = "system"
    TICKET = "ticket"
    """A support ticket was opened, answered or closed (admins and its opener)."""
    REPORT = "report"
    """A new report for the moderators of its topic and the admins."""
    FRIEND_REQUEST = "friend_request"
    """Someone asked to be the user's friend (``actor_id``)."""
    FRIEND_ACCEPTED = "friend_accepted"
    """Someone accepted the user's friend request (``actor_id``)."""


class EvictionReason(enum.StrEnum):
    """Known values of ``evicted.reason`` (open): why the server ended a subscription."""

    KICKED = "kicked"
    BANNED = "banned"
    ACCESS_REVOKED = "access_revoked"
    DELETED = "deleted"
    RESUBSCRIBE = "resubscribe"
    """Transient (the channel moved to another node): subscribe again with ``since_seq``."""


class GoodbyeReason(enum.StrEnum):
    """Known values of ``goodbye.reason`` (open), each paired with a close code."""

    SHUTDOWN = "shutdown"
    SLOW_CONSUMER = "slow_consumer"
    UNAUTHORIZED = "unauthorized"
    SESSION_REVOKED = "session_revoked"
    BANNED = "banned"
    FLOOD = "flood"
    HEARTBEAT_TIMEOUT = "heartbeat_timeout"
    POLICY_VIOLATION = "policy_violation"
    FRAME_TOO_LARGE = "frame_too_large"
    INTERNAL_ERROR = "internal_error"


class WarningReason(enum.StrEnum):
    """Known values of ``warning.reason`` (open): why a moderator or filter warned a user."""

    SPAM = "spam"
    HARASSMENT = "harassment"
    INAPPROPRIATE_CONTENT = "inappropriate_content"
    OFF_TOPIC = "off_topic"
    RATE_LIMIT = "rate_limit"
    OTHER = "other"


class CallEndReason(enum.StrEnum):
    """Known values of ``call_state.ended_reason`` (open)."""

    HANGUP = "hangup"
    DECLINED = "declined"
    NO_ANSWER = "no_answer"
    FAILED = "failed"
