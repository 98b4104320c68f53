"""Server events of chat rooms and DM conversations, and membership events.

Message, reaction and membership events are sequenced (stored, replayable); typing,
presence and read receipts are ephemeral (see :mod:`protocol.base`).
"""

from protocol.base import ChannelEvent, SequencedEvent
from protocol.channels import Channel
from protocol.enums import PresenceStatus, ReactionAction, TypingState
from protocol.fields import Count, Emoji, EventSeq, Identifier, Reason, TimestampMs
from protocol.payloads import ChatMessage


class MessageCreated(SequencedEvent, frozen=True, kw_only=True, tag="message_created"):
    """A message was posted to a chat room or DM conversation."""

    message: ChatMessage


class MessageEdited(SequencedEvent, frozen=True, kw_only=True, tag="message_edited"):
    """A message's text changed; ``message`` is the message after the edit."""

    message: ChatMessage


class MessageDeleted(SequencedEvent, frozen=True, kw_only=True, tag="message_deleted"):
    """A message was deleted by its author or by ``deleted_by``, a moderator."""

    message_id: Identifier
    deleted_by: Identifier


class ReactionChanged(SequencedEvent, frozen=True, kw_only=True, tag="reaction_changed"):
    """``user_id`` added or removed ``emoji`` on a message; ``count`` is the number of
    users with that reaction after the change.
    """

    message_id: Identifier
    user_id: Identifier
    emoji: Emoji
    action: ReactionAction
    count: Count


class TypingChanged(ChannelEvent, frozen=True, kw_only=True, tag="typing"):
    """``user_id`` started or stopped typing. A ``start`` not followed by another ``start``
    or a ``stop`` expires after ``TYPING_TTL_MS``; clients expire it themselves.
    """

    user_id: Identifier
    state: TypingState


class PresenceChanged(ChannelEvent, frozen=True, kw_only=True, tag="presence_changed"):
    """A member of the channel changed presence. ``last_seen_at`` is set when ``offline``."""

    user_id: Identifier
    status: PresenceStatus
    last_seen_at: TimestampMs | None = None


class ReadReceipt(ChannelEvent, frozen=True, kw_only=True, tag="read_receipt"):
    """``user_id`` has read the channel up to ``up_to_seq`` (``mark_read``).

    On a ``user:<id>`` channel (the reader's own, for their other devices)
    ``read_channel`` names the channel whose read position moved; elsewhere it is absent.
    """

    user_id: Identifier
    up_to_seq: EventSeq
    read_channel: Channel | None = None


class MemberJoined(SequencedEvent, frozen=True, kw_only=True, tag="member_joined"):
    """A user joined the chat room or topic."""

    user_id: Identifier


class MemberLeft(SequencedEvent, frozen=True, kw_only=True, tag="member_left"):
    """A user left the chat room or topic of their own accord."""

    user_id: Identifier


class Kicked(SequencedEvent, frozen=True, kw_only=True, tag="kicked"):
    """A moderator removed ``user_id`` from the chat room or topic.

    With ``banned`` the user may not rejoin until ``ban_expires_at`` (forever when ``None``).
    The kicked user's own subscription then ends with ``evicted``.
    """

    user_id: Identifier
    moderator_id: Identifier
    reason: Reason = ""
    banned: bool = False
    ban_expires_at: TimestampMs | None = None
