"""Server frames that are not channel events: replies, subscription control, goodbye.

Replies echo the request's ``id``: ``ack`` (with an optional typed ``result``), ``error``,
``pong`` and ``subscribed``. ``evicted``, ``warning`` and ``goodbye`` are unsolicited.
"""

from typing import TypeAlias

from protocol import limits
from protocol.base import Payload, ServerFrameBase
from protocol.channels import Channel
from protocol.errors import ErrorCode, ProtocolError
from protocol.fields import (
    Count,
    DurationMs,
    EventSeq,
    HumanText,
    Identifier,
    Name,
    RequestId,
    Seq,
    TimestampMs,
)


class AckResult(Payload, frozen=True, kw_only=True, tag_field="type"):
    """Base of the typed results an ``ack`` may carry, tagged by ``type``."""


class Authenticated(AckResult, frozen=True, kw_only=True, tag="authenticated"):
    """Result of ``authenticate``: who the connection is, and the server's parameters."""

    user_id: Identifier
    session_id: Identifier
    revision: Count
    heartbeat_interval_ms: DurationMs
    max_frame_bytes: Count


class MessageAccepted(AckResult, frozen=True, kw_only=True, tag="message_accepted"):
    """Result of ``send_message``, ``send_direct_message``, ``edit_message`` and
    ``delete_message``: the stored event's channel and seq, and the message id.
    """

    channel: Channel
    seq: EventSeq
    message_id: Identifier


class Sequenced(AckResult, frozen=True, kw_only=True, tag="sequenced"):
    """Result of a request that produced one sequenced event (``react``)."""

    channel: Channel
    seq: EventSeq


class CallCreated(AckResult, frozen=True, kw_only=True, tag="call_created"):
    """Result of ``call_start``: the new call and its channel (already subscribed)."""

    call_id: Identifier
    channel: Channel


AnyAckResult: TypeAlias = Authenticated | MessageAccepted | Sequenced | CallCreated


class Ack(ServerFrameBase, frozen=True, kw_only=True, tag="ack"):
    """The request ``id`` succeeded (and its effect is durable, for state changes)."""

    id: RequestId
    result: AnyAckResult | None = None


class ErrorReply(ServerFrameBase, frozen=True, kw_only=True, tag="error"):
    """The request ``id`` failed with a stable ``code`` and a human ``message``.

    ``id`` is ``None`` when the failing frame's id could not be read. ``retry_after_ms``
    accompanies ``rate_limited`` (and may accompany ``unavailable``).
    """

    id: RequestId | None = None
    code: ErrorCode
    message: HumanText
    retry_after_ms: DurationMs | None = None


class Pong(ServerFrameBase, frozen=True, kw_only=True, tag="pong"):
    """Reply to ``ping`` with the server's clock, for latency and clock-skew estimates."""

    id: RequestId
    server_time: TimestampMs


class Subscribed(ServerFrameBase, frozen=True, kw_only=True, tag="subscribed"):
    """Reply to ``subscribe``: the subscription is live.

    ``last_seq`` is the channel's latest seq when the subscription started (0 if none).
    ``resumed`` says the request carried ``since_seq``. ``complete`` says every sequenced
    event after ``since_seq`` reaches the client: the events ``since_seq + 1 .. last_seq``
    follow this frame as replay, in order, before any live event. When ``complete`` is
    false nothing is replayed (more than ``REPLAY_LIMIT`` missed, history unavailable, or
    ``since_seq`` ahead of ``last_seq``) and the client refetches history over REST up to
    ``last_seq``. Without ``since_seq``, ``complete`` is true and nothing is replayed.
    """

    id: RequestId
    channel: Channel
    resumed: bool
    complete: bool
    last_seq: Seq


class Evicted(ServerFrameBase, frozen=True, kw_only=True, tag="evicted"):
    """The server ended this connection's subscription to ``channel``.

    ``reason`` is open (see ``EvictionReason``); only ``resubscribe`` invites the client
    to subscribe again right away, with ``since_seq``.
    """

    channel: Channel
    reason: Name


class ModerationWarning(ServerFrameBase, frozen=True, kw_only=True, tag="warning"):
    """A moderator or the content filter warned this user. ``channel`` is where the
    offending content was, when there was one. ``reason`` is open (see ``WarningReason``).
    """

    warning_id: Identifier
    reason: Name
    message: HumanText
    channel: Channel | None = None
    moderator_id: Identifier | None = None
    issued_at: TimestampMs


class Goodbye(ServerFrameBase, frozen=True, kw_only=True, tag="goodbye"):
    """The server is about to close the connection; the close code follows.

    ``reason`` is open (see ``GoodbyeReason``). ``reconnect_after_ms`` is the least time
    to wait before reconnecting, when the server has an opinion.
    """

    reason: Name
    message: HumanText = ""
    reconnect_after_ms: DurationMs | None = None


def error_reply(error: ProtocolError) -> ErrorReply:
    """The ``error`` frame answering a frame that failed to decode with ``error``."""
    message = error.message[: limits.MAX_HUMAN_TEXT_LENGTH]
    return ErrorReply(id=error.request_id, code=error.code, message=message)
