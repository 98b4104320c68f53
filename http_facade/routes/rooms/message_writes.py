"""``/api/chat-rooms/<room id>/messages``: send, edit, delete and react over REST.

Contract:

* Each route asks the room's actor the very command the WebSocket path sends for the
  matching frame (:class:`actors.chat.channels.ChatFrames`: ``send_message`` →
  :class:`PostMessage`, ``edit_message`` → :class:`EditRoomMessage`, ``delete_message``
  → :class:`DeleteRoomMessage`, ``react`` → :class:`ReactToMessage`), through
  :func:`http_facade.routes.rooms.routes.ask_room`.  So the rules (membership, bans,
  slow mode, the per-member flood limit, the content filter, authorship, moderators),
  the stored result, the sequence number and the live event on ``chat_room:<id>`` are
  those of the WebSocket path; refusals keep their codes.
* ``Idempotency-Key`` is the frame's ``nonce``: a retried send with the same key gets
  the message stored the first time (same ``seq``), never a second copy.
* The reply carries the event's ``seq`` (the ``ack``'s) and the message as stored
  after the write, read back by its ``seq``.  Routes count as ``writes`` for the HTTP
  rate limits, on top of the room's own limits.
"""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag_blueprint, validate_headers, validate_response

from actors.chat.commands import DeleteRoomMessage, EditRoomMessage, PostMessage, ReactToMessage
from actors.chat.log import message_seq
from http_facade.guard import login_required
from http_facade.node_access import checked_id, store
from http_facade.routes.rooms.routes import ask_room
from http_facade.routes.rooms.schemas import MessageView
from http_facade.routes.rooms.write_schemas import (
    IdempotencyHeaders,
    MessageEdit,
    ReactionChange,
    RoomMessageCreate,
    RoomMessageWritten,
    nonce_of,
    require_content,
)
from http_facade.validation import validate_body
from protocol.control_frames import MessageAccepted, Sequenced
from services.principal import Principal

blueprint = Blueprint("chat_room_messages", __name__, url_prefix="/api/chat-rooms")
tag_blueprint(blueprint, ["chat rooms"])


async def _written(room_id: str, seq: int, message_seq_: int) -> RoomMessageWritten:
    row = await store().messages.get(room_id, message_seq_)
    return RoomMessageWritten(
        channel=f"chat_room:{room_id}", seq=seq, message=MessageView.of(row)
    )


@blueprint.post("/<room_id>/messages")
@login_required
@validate_headers(IdempotencyHeaders)
@validate_body(RoomMessageCreate)
@validate_response(RoomMessageWritten, 201)
async def send_room_message(
    principal: Principal, room_id: str, data: RoomMessageCreate, headers: IdempotencyHeaders
) -> tuple[RoomMessageWritten, int]:
    """Send a message (members); as the ``send_message`` frame, ``Idempotency-Key``
    being its ``nonce``."""
    nonce = nonce_of(headers)
    require_content(data.text, data.attachment_ids, data.gif_url)
    accepted: MessageAccepted = await ask_room(
        room_id,
        PostMessage(
            user_id=principal.user_id, text=data.text, attachment_ids=data.attachment_ids,
            reply_to=data.reply_to, nonce=nonce, gif_url=data.gif_url,
        ),
    )
    return await _written(room_id, accepted.seq, accepted.seq), 201


@blueprint.patch("/<room_id>/messages/<message_id>")
@login_required
@validate_body(MessageEdit)
@validate_response(RoomMessageWritten)
async def edit_room_message(
    principal: Principal, room_id: str, message_id: str, data: MessageEdit
) -> RoomMessageWritten:
    """Replace the text of my own message (the ``edit_message`` frame)."""
    message_id = checked_id(message_id, "message")
    accepted: MessageAccepted = await ask_room(
        room_id, EditRoomMessage(user_id=principal.user_id, message_id=message_id, text=data.text)
    )
    return await _written(room_id, accepted.seq, message_seq(message_id))


@blueprint.delete("/<room_id>/messages/<message_id>")
@login_required
@validate_response(RoomMessageWritten)
async def delete_room_message(
    principal: Principal, room_id: str, message_id: str
) -> RoomMessageWritten:
    """Delete a message: my own, or any as the room's owner or a moderator (the
    ``delete_message`` frame); the tombstone is returned."""
    message_id = checked_id(message_id, "message")
    accepted: MessageAccepted = await ask_room(
        room_id,
        DeleteRoomMessage(user_id=principal.user_id, message_id=message_id),
    )
    return await _written(room_id, accepted.seq, message_seq(message_id))


@blueprint.post("/<room_id>/messages/<message_id>/reactions")
@login_required
@validate_body(ReactionChange)
@validate_response(RoomMessageWritten)
async def react_to_room_message(
    principal: Principal, room_id: str, message_id: str, data: ReactionChange
) -> RoomMessageWritten:
    """Add or remove my reaction (the ``react`` frame); a change that changes nothing is
    answered with the channel's current ``seq``."""
    message_id = checked_id(message_id, "message")
    sequenced: Sequenced = await ask_room(
        room_id,
        ReactToMessage(
            user_id=principal.user_id, message_id=message_id, emoji=data.emoji,
            action=data.action,
        ),
    )
    return await _written(room_id, sequenced.seq, message_seq(message_id))
