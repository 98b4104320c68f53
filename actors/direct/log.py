"""The event log of a direct-message conversation: channel ``dm:<conversation id>``.

Every sequenced event of the channel (``message_created``, ``message_edited``,
``message_deleted``) is one row of the store's channel event log (gap-free ``seq``), and
the row holds a :class:`LoggedReference` — which message, who acted — never the text.  A
replay rebuilds each event from the message's *current* state, so an unsent message's
text is gone from history as well, and a message one participant deleted for
themselves replays to them as ``message_deleted``.  ``head`` is the newest message of the
conversation when the row was written: what ``mark_read`` up to that ``seq`` covers.

Message ids on the wire are the store's direct-message ids.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from actors.realtime.ports import Replay
from protocol.channels import ChannelKind, channel_name
from protocol.chat_events import MessageCreated, MessageDeleted, MessageEdited
from protocol.fields import milliseconds
from protocol.payloads import ChatMessage
from protocol.server_frames import ServerFrame
from storage.protocols import Store
from storage.records import ChannelEvent, DirectMessage

CREATED = "message_created"
EDITED = "message_edited"
DELETED = "message_deleted"


class LoggedReference(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What a row of the conversation's log stores (see the module docstring)."""

    message_id: str
    by: str
    head: str
    nonce: str | None = None


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(LoggedReference)


def direct_channel(conversation: str) -> str:
    """The channel name of a conversation."""
    return channel_name(ChannelKind.DM, conversation)


def encode_reference(reference: LoggedReference) -> str:
    """The stored text of a log row."""
    return _encoder.encode(reference).decode()


def decode_reference(row: ChannelEvent) -> LoggedReference:
    """The reference a log row holds."""
    return _decoder.decode(row.data)


def to_chat_message(message: DirectMessage, nonce: str | None = None) -> ChatMessage:
    """The wire shape of a stored direct message (a tombstone has no text)."""
    return ChatMessage(
        id=message.id,
        author_id=message.sender_id,
        text=message.body,
        gif_url=message.gif_url,
        attachment_ids=message.attachment_ids,
        nonce=nonce,
        created_at=milliseconds(message.created_at),
        edited_at=milliseconds(message.edited_at),
    )


def replayed_event(
    channel: str, row: ChannelEvent, message: DirectMessage | None, viewer_id: str
) -> ServerFrame:
    """The event row ``row`` stands for, as ``viewer_id`` may see it now."""
    reference = decode_reference(row)
    if row.kind == DELETED or message is None:
        return MessageDeleted(
            channel=channel, seq=row.seq, message_id=reference.message_id, deleted_by=reference.by
        )
    if viewer_id in message.hidden_for:
        return MessageDeleted(
            channel=channel, seq=row.seq, message_id=message.id, deleted_by=viewer_id
        )
    if row.kind == EDITED:
        return MessageEdited(channel=channel, seq=row.seq, message=to_chat_message(message))
    return MessageCreated(
        channel=channel, seq=row.seq, message=to_chat_message(message, reference.nonce)
    )


class DirectHistory:
    """Replays of ``dm:`` channels for resuming subscribers (reads need no actor turn)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def replay(
        self, viewer_id: str, conversation: str, since_seq: int | None, limit: int
    ) -> Replay:
        """The channel's last seq and, with ``since_seq``, the events after it."""
        channel = direct_channel(conversation)
        events = self._store.channel_events
        last_seq = await events.last_seq(channel)
        if since_seq is None or since_seq == last_seq:
            return Replay(last_seq=last_seq)
        if since_seq > last_seq or last_seq - since_seq > limit:
            return Replay(last_seq=last_seq, complete=False)
        rows = [
            row for row in await events.since(channel, after_seq=since_seq, limit=limit)
            if row.seq <= last_seq
        ]
        messages = await self._messages(rows)
        return Replay(
            last_seq=last_seq,
            events=[
                replayed_event(
                    channel, row, messages.get(decode_reference(row).message_id), viewer_id
                )
                for row in rows
            ],
        )

    async def _messages(self, rows: Sequence[ChannelEvent]) -> dict[str, DirectMessage]:
        wanted = list(dict.fromkeys(decode_reference(row).message_id for row in rows))
        found = await self._store.direct_messages.get_many(wanted) if wanted else []
        return {message.id: message for message in found}
