"""The chat room's event log: rows of the room's message table, one per sequenced event.

Every sequenced event of channel ``chat_room:<id>`` is one row with the room's next
gap-free ``seq``:

* ``kind="text"`` rows are the messages themselves (their current state: edits and
  tombstones are applied in place) and replay as ``message_created``;
* every other row stores one event (``message_edited``, ``message_deleted``,
  ``reaction_changed``, ``member_joined``, ``member_left``, ``kicked``) as JSON of its fields
  without ``channel`` and ``seq``, and replays as exactly that event.

Public message ids are derived from the message's ``seq`` (``s<seq>``): messages are always
addressed together with their channel, and the id maps back to the row without a lookup.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import msgspec

from protocol.chat_events import (
    Kicked,
    MemberJoined,
    MemberLeft,
    MessageCreated,
    MessageDeleted,
    MessageEdited,
    ReactionChanged,
)
from protocol.errors import ErrorCode
from protocol.fields import milliseconds
from protocol.payloads import ChatMessage
from protocol.stored import upgrade_stored_frame
from services.errors import DomainError
from storage.records import Message

TEXT_KIND = "text"
LoggedEvent: TypeAlias = (
    MessageEdited | MessageDeleted | ReactionChanged | MemberJoined | MemberLeft | Kicked
)
RoomEvent: TypeAlias = MessageCreated | LoggedEvent


def public_message_id(seq: int) -> str:
    """The id clients use for the message stored at ``seq``."""
    return f"s{seq}"


def message_seq(message_id: str) -> int:
    """The ``seq`` of a public message id; ``not_found`` for anything else."""
    if message_id.startswith("s") and message_id[1:].isdigit() and len(message_id) < 20:
        return int(message_id[1:])
    raise DomainError(ErrorCode.NOT_FOUND, "no such message")


def to_chat_message(message: Message, nonce: str | None = None) -> ChatMessage:
    """The wire shape of a stored room message."""
    return ChatMessage(
        id=public_message_id(message.seq),
        author_id=message.author_id,
        text=message.body,
        gif_url=message.gif_url,
        attachment_ids=message.attachment_ids,
        reply_to=message.reply_to_id,
        nonce=nonce,
        created_at=milliseconds(message.created_at),
        edited_at=milliseconds(message.edited_at),
    )


def event_body(event: LoggedEvent) -> tuple[str, str]:
    """``(kind, body)`` of the row that stores ``event``."""
    fields: dict[str, Any] = msgspec.to_builtins(event)
    kind = fields.pop("type")
    fields.pop("channel", None)
    fields.pop("seq", None)
    return kind, msgspec.json.encode(fields).decode()


def stored_event(channel: str, row: Message) -> RoomEvent:
    """The sequenced event a row of the room's log stands for (for replay)."""
    if row.kind == TEXT_KIND:
        return MessageCreated(channel=channel, seq=row.seq, message=to_chat_message(row))
    fields = msgspec.json.decode(row.body)
    fields.update(type=row.kind, channel=channel, seq=row.seq)
    event: LoggedEvent = msgspec.convert(upgrade_stored_frame(fields), LoggedEvent)
    return event
