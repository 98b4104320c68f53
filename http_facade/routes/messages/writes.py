"""``/api/messages``: sending and editing direct messages over REST.

Contract:

* Each route asks the conversation's actor the very command the WebSocket path sends
  (:class:`actors.direct.channels.DirectFrames`: ``send_direct_message`` and
  ``send_message`` on ``dm:<id>`` → :class:`SendDirect`, ``edit_message`` →
  :class:`EditDirect`); unsending is ``DELETE …/messages/<id>?scope=everyone``
  (:mod:`http_facade.routes.messages.routes`).  So blocks, the content filter,
  authorship, the stored message, the ``seq`` on ``dm:<conversation id>`` and the live
  event are those of the WebSocket path.  Direct messages carry text, a GIF URL and
  attachments the sender uploaded (checked by the actor: ``invalid`` for a file that is
  not theirs), and have no reactions (``unsupported`` on the WebSocket too).
* ``Idempotency-Key`` is the frame's ``nonce``: a retried send with the same key gets
  the message stored the first time, never a second copy.
* The reply carries the event's ``seq`` and the message as stored after the write.
"""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag_blueprint, validate_headers, validate_response

from actors.direct.commands import DIRECT_CONVERSATION, EditDirect, SendDirect
from actors.direct.log import direct_channel
from http_facade.errors import ApiError
from http_facade.guard import login_required
from http_facade.node_access import ask_actor, checked_id, store
from http_facade.routes.messages.routes import participating
from http_facade.routes.messages.schemas import DirectMessageView
from http_facade.routes.messages.write_schemas import (
    DirectMessageCreate,
    DirectMessageWritten,
    DirectSend,
)
from http_facade.routes.rooms.write_schemas import (
    IdempotencyHeaders,
    MessageEdit,
    nonce_of,
    require_content,
)
from http_facade.validation import validate_body
from protocol.control_frames import MessageAccepted
from protocol.errors import ErrorCode
from protocol.limits import MAX_ID_LENGTH
from services.principal import Principal
from storage.keys import conversation_id

blueprint = Blueprint("direct_message_writes", __name__, url_prefix="/api/messages")
tag_blueprint(blueprint, ["messages"])


async def _written(conversation: str, accepted: MessageAccepted) -> DirectMessageWritten:
    stored = await store().direct_messages.get(accepted.message_id)
    return DirectMessageWritten(
        channel=direct_channel(conversation), seq=accepted.seq,
        message=DirectMessageView.of(stored),
    )


async def _send(
    principal: Principal, conversation: str, data: DirectMessageCreate, nonce: str | None
) -> DirectMessageWritten:
    if data.gif_url is None:
        require_content(data.text, data.attachment_ids)
    accepted: MessageAccepted = await ask_actor(
        DIRECT_CONVERSATION, conversation,
        SendDirect(
            user_id=principal.user_id, text=data.text, nonce=nonce, gif_url=data.gif_url,
            attachment_ids=data.attachment_ids,
        ),
    )
    return await _written(conversation, accepted)


@blueprint.post("/direct")
@login_required
@validate_headers(IdempotencyHeaders)
@validate_body(DirectSend)
@validate_response(DirectMessageWritten, 201)
async def send_to_user(
    principal: Principal, data: DirectSend, headers: IdempotencyHeaders
) -> tuple[DirectMessageWritten, int]:
    """Send a message to a user, opening our conversation if needed (the
    ``send_direct_message`` frame)."""
    nonce = nonce_of(headers)
    if data.recipient_id == principal.user_id:
        raise ApiError(ErrorCode.INVALID, "you cannot message yourself")
    conversation = conversation_id(principal.user_id, data.recipient_id)
    if len(conversation) > MAX_ID_LENGTH:
        raise ApiError(ErrorCode.NOT_FOUND, "no such user")
    return await _send(principal, conversation, data, nonce), 201


@blueprint.post("/conversations/<conversation_id>/messages")
@login_required
@validate_headers(IdempotencyHeaders)
@validate_body(DirectMessageCreate)
@validate_response(DirectMessageWritten, 201)
async def send_in_conversation(
    principal: Principal,
    conversation_id: str,
    data: DirectMessageCreate,
    headers: IdempotencyHeaders,
) -> tuple[DirectMessageWritten, int]:
    """Send a message in one of my conversations (``send_message`` on ``dm:<id>``)."""
    nonce = nonce_of(headers)
    conversation = participating(principal, conversation_id)
    return await _send(principal, conversation, data, nonce), 201


@blueprint.patch("/conversations/<conversation_id>/messages/<message_id>")
@login_required
@validate_body(MessageEdit)
@validate_response(DirectMessageWritten)
async def edit_direct_message(
    principal: Principal, conversation_id: str, message_id: str, data: MessageEdit
) -> DirectMessageWritten:
    """Replace the text of my own message (the ``edit_message`` frame on ``dm:<id>``)."""
    conversation = participating(principal, conversation_id)
    accepted: MessageAccepted = await ask_actor(
        DIRECT_CONVERSATION, conversation,
        EditDirect(
            user_id=principal.user_id, message_id=checked_id(message_id, "message"),
            text=data.text,
        ),
    )
    return await _written(conversation, accepted)
