"""Client-to-server frames and their tagged union :data:`ClientFrame`.

Every client frame is a request carrying ``id`` and is answered exactly once (see
:class:`~protocol.base.ClientFrameBase`). Docstrings name the reply on success; any request
may instead be answered by ``error``. Checks that need only the frame itself (field limits,
channel kinds, "a message needs some content") run at decode and fail with ``invalid``;
checks that need state (membership, bans, existence) belong to the server.
"""

from collections.abc import Mapping
from typing import Literal, TypeAlias

import msgspec

from protocol.base import ClientFrameBase, tags_of
from protocol.call_frames import CallAccept, CallDecline, CallHangup, CallSignal, CallStart
from protocol.channels import (
    MESSAGE_CHANNEL_KINDS,
    Channel,
    ChannelKind,
    channel_kind,
    is_message_channel,
)
from protocol.enums import ReactionAction, TypingState
from protocol.fields import (
    AttachmentIds,
    Emoji,
    EventSeq,
    HttpsUrl,
    Identifier,
    MessageText,
    Seq,
    Token,
)

_READ_MARKER_CHANNEL_KINDS = MESSAGE_CHANNEL_KINDS | {ChannelKind.USER}


def _require_message_channel(channel: str) -> None:
    if not is_message_channel(channel):
        raise ValueError(f"{channel!r} is not a chat_room or dm channel")


class Authenticate(ClientFrameBase, frozen=True, kw_only=True, tag="authenticate"):
    """Authenticate the connection with a bearer token; must be the first frame unless the
    upgrade request carried ``Authorization: Bearer``. Reply: ``ack`` with ``authenticated``.
    """

    token: Token


class Subscribe(ClientFrameBase, frozen=True, kw_only=True, tag="subscribe"):
    """Start receiving a channel's events. Reply: ``subscribed``.

    With ``since_seq`` (the last seq the client processed) the server first replays the
    missed sequenced events; see ``subscribed`` for the exact rules.
    """

    channel: Channel
    since_seq: Seq | None = None


class Unsubscribe(ClientFrameBase, frozen=True, kw_only=True, tag="unsubscribe"):
    """Stop receiving a channel's events. Reply: ``ack``. Unsubscribing twice is not an error."""

    channel: Channel


class _MessageContent(ClientFrameBase, frozen=True, kw_only=True):
    """Content of a new message: non-blank text, a GIF, or attachments (at least one).

    ``nonce`` lets the server drop a duplicate sent again after a reconnect: a repeated
    nonce from the same user is acknowledged with the original message instead.
    """

    text: MessageText = ""
    gif_url: HttpsUrl | None = None
    attachment_ids: AttachmentIds = ()
    reply_to: Identifier | None = None
    nonce: Identifier | None = None

    def _check_content(self) -> None:
        if not self.text.strip() and self.gif_url is None and not self.attachment_ids:
            raise ValueError("a message needs text, a gif_url or attachment_ids")


class SendMessage(_MessageContent, frozen=True, kw_only=True, tag="send_message"):
    """Post a message to a chat room or an existing DM conversation.

    Reply: ``ack`` with ``message_accepted``; subscribers get ``message_created``.
    """

    channel: Channel

    def __post_init__(self) -> None:
        _require_message_channel(self.channel)
        self._check_content()


class SendDirectMessage(_MessageContent, frozen=True, kw_only=True, tag="send_direct_message"):
    """Send a direct message to a user, opening the conversation if needed.

    Reply: ``ack`` with ``message_accepted`` naming the ``dm:<conversation>`` channel.
    """

    recipient_id: Identifier

    def __post_init__(self) -> None:
        self._check_content()


class EditMessage(ClientFrameBase, frozen=True, kw_only=True, tag="edit_message"):
    """Replace the text of one's own message. Reply: ``ack`` with ``message_accepted``."""

    channel: Channel
    message_id: Identifier
    text: MessageText

    def __post_init__(self) -> None:
        _require_message_channel(self.channel)


class DeleteMessage(ClientFrameBase, frozen=True, kw_only=True, tag="delete_message"):
    """Delete a message (one's own, or any as a moderator).

    Reply: ``ack`` with ``message_accepted``; subscribers get ``message_deleted``.
    """

    channel: Channel
    message_id: Identifier

    def __post_init__(self) -> None:
        _require_message_channel(self.channel)


class Typing(ClientFrameBase, frozen=True, kw_only=True, tag="typing"):
    """Report typing in a chat room or DM. Reply: ``ack``.

    A ``start`` lasts ``TYPING_TTL_MS`` (8 s); repeat it while the user keeps typing.
    """

    channel: Channel
    state: TypingState = TypingState.START

    def __post_init__(self) -> None:
        _require_message_channel(self.channel)


class MarkRead(ClientFrameBase, frozen=True, kw_only=True, tag="mark_read"):
    """Mark everything up to ``up_to_seq`` as read in a chat room, DM or one's user feed
    (notifications). Reply: ``ack``; other members get ``read_receipt``. Read positions
    never move backwards: a lower ``up_to_seq`` than the stored one is acknowledged and
    ignored.
    """

    channel: Channel
    up_to_seq: EventSeq

    def __post_init__(self) -> None:
        if channel_kind(self.channel) not in _READ_MARKER_CHANNEL_KINDS:
            raise ValueError(f"{self.channel!r} is not a chat_room, dm or user channel")


class React(ClientFrameBase, frozen=True, kw_only=True, tag="react"):
    """Add or remove one's reaction on a message.

    Reply: ``ack`` with ``sequenced``; subscribers get ``reaction_changed``. Adding a
    reaction one already has, or removing one one does not have, is acknowledged and
    changes nothing.
    """

    channel: Channel
    message_id: Identifier
    emoji: Emoji
    action: ReactionAction = ReactionAction.ADD

    def __post_init__(self) -> None:
        _require_message_channel(self.channel)


class SetPresence(ClientFrameBase, frozen=True, kw_only=True, tag="set_presence"):
    """Set one's presence; ``offline`` is implied by having no connection. Reply: ``ack``;
    channels shared with the user get ``presence_changed``.
    """

    status: Literal["online", "away"]


class Ping(ClientFrameBase, frozen=True, kw_only=True, tag="ping"):
    """Keep the connection alive and measure latency. Reply: ``pong``. Allowed before
    ``authenticate``.
    """


ClientFrame: TypeAlias = (
    Authenticate
    | Subscribe
    | Unsubscribe
    | SendMessage
    | SendDirectMessage
    | EditMessage
    | DeleteMessage
    | Typing
    | MarkRead
    | React
    | SetPresence
    | Ping
    | CallStart
    | CallAccept
    | CallDecline
    | CallHangup
    | CallSignal
)
"""Every frame a client may send, discriminated by its ``type`` field."""

CLIENT_FRAME_TAGS: Mapping[str, type[msgspec.Struct]] = tags_of(ClientFrame)
"""Each client frame ``type`` tag and its class."""
