"""``/api/messages``: my direct-message conversations, their history, read state, mutes.

Contract:

* Every route needs a login, and a conversation is readable by its two participants
  only (``forbidden`` for anyone else, whatever the conversation id).
* Live updates go over the WebSocket (the ``dm:<conversation id>`` channel); sending and
  editing over REST are :mod:`http_facade.routes.messages.writes`.  Here are the reads,
  plus what has no frame: deleting a message for oneself (``scope=me``), marking read
  without a ``seq``, muting.
* Changes go through the conversation's actor (:mod:`actors.direct.conversation`), so
  they are ordered with the live events; unsending publishes ``message_deleted``,
  marking read sends the other participant a ``read_receipt``.
"""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag_blueprint, validate_querystring, validate_response

from actors.direct.access import partner_in
from actors.direct.commands import (
    DIRECT_CONVERSATION,
    HideDirect,
    MarkDirectRead,
    UnsendDirect,
)
from actors.direct.log import direct_channel
from http_facade.errors import ApiError
from http_facade.guard import login_required
from http_facade.node_access import ask_actor, checked_id, store
from http_facade.pagination import (
    BeforeIdPosition,
    after_offset,
    decode_cursor,
    next_cursor,
    offset_of,
)
from http_facade.replies import Done
from http_facade.routes.messages.schemas import (
    ConversationList,
    ConversationQuery,
    ConversationView,
    DeleteScope,
    DirectHistoryPage,
    DirectHistoryQuery,
    DirectMessageView,
)
from http_facade.routes.topics.schemas import MuteState
from protocol.errors import ErrorCode
from protocol.limits import MAX_SAFE_INTEGER
from services.principal import Principal

MAX_CONVERSATION_OFFSET = 1_000
"""How far into my conversations a cursor may continue."""

blueprint = Blueprint("direct_messages", __name__, url_prefix="/api/messages")
tag_blueprint(blueprint, ["messages"])


def participating(principal: Principal, conversation_id: str) -> str:
    """``conversation_id`` when the caller takes part in it
    (:func:`actors.direct.access.partner_in`); ``forbidden`` otherwise."""
    conversation = checked_id(conversation_id, "conversation")
    partner_in(conversation, principal.user_id)
    return conversation


@blueprint.get("/conversations")
@login_required
@validate_querystring(ConversationQuery)
@validate_response(ConversationList)
async def list_conversations(
    principal: Principal, query_args: ConversationQuery
) -> ConversationList:
    """My conversations, most recently active first, with my unread counts."""
    messages = store().direct_messages
    start = offset_of(query_args.cursor)
    if start > MAX_CONVERSATION_OFFSET:
        raise ApiError(ErrorCode.INVALID, "cursor: too far into the conversation list")
    window = await messages.conversations(
        principal.user_id, limit=start + query_args.limit + 1
    )
    conversations = window[start : start + query_args.limit]
    more = len(window) > start + query_args.limit
    return ConversationList(
        conversations=[ConversationView.of(conversation) for conversation in conversations],
        unread_total=await messages.unread_count(principal.user_id),
        next_cursor=after_offset(start, len(conversations), query_args.limit, more),
    )


@blueprint.get("/conversations/<conversation_id>")
@login_required
@validate_querystring(DirectHistoryQuery)
@validate_response(DirectHistoryPage)
async def conversation_history(
    principal: Principal, conversation_id: str, query_args: DirectHistoryQuery
) -> DirectHistoryPage:
    """A page of the conversation's history (participants only), oldest first."""
    conversation = participating(principal, conversation_id)
    channel = direct_channel(conversation)
    before = decode_cursor(query_args.cursor, BeforeIdPosition)
    last_seq = await store().channel_events.last_seq(channel)
    messages = await store().direct_messages.list_messages(
        conversation, viewer_id=principal.user_id, before_id=None if before is None else before.b,
        limit=query_args.limit,
    )
    full_page = len(messages) == query_args.limit
    return DirectHistoryPage(
        conversation_id=conversation,
        channel=channel,
        last_seq=last_seq,
        messages=[DirectMessageView.of(message) for message in messages],
        next_cursor=next_cursor(
            BeforeIdPosition(b=messages[0].id) if full_page and messages else None
        ),
    )


@blueprint.post("/conversations/<conversation_id>/read")
@login_required
@validate_response(Done)
async def mark_conversation_read(principal: Principal, conversation_id: str) -> Done:
    """Mark everything I received in the conversation read (the other side is told)."""
    conversation = participating(principal, conversation_id)
    await ask_actor(
        DIRECT_CONVERSATION, conversation,
        MarkDirectRead(user_id=principal.user_id, up_to_seq=MAX_SAFE_INTEGER),
    )
    return Done(message="conversation marked read")


@blueprint.delete("/conversations/<conversation_id>/messages/<message_id>")
@login_required
@validate_querystring(DeleteScope)
@validate_response(Done)
async def delete_message(
    principal: Principal, conversation_id: str, message_id: str, query_args: DeleteScope
) -> Done:
    """Delete a message for me (any message), or unsend it for both (my own only)."""
    conversation = participating(principal, conversation_id)
    message = checked_id(message_id, "message")
    if query_args.scope == "me":
        command: object = HideDirect(user_id=principal.user_id, message_id=message)
    else:
        command = UnsendDirect(user_id=principal.user_id, message_id=message)
    await ask_actor(DIRECT_CONVERSATION, conversation, command)
    return Done(message="message deleted" + (" for you" if query_args.scope == "me" else ""))


@blueprint.get("/conversations/<conversation_id>/mute")
@login_required
@validate_response(MuteState)
async def conversation_mute(principal: Principal, conversation_id: str) -> MuteState:
    """Whether I muted the conversation."""
    conversation = participating(principal, conversation_id)
    muted = await store().follows.muting([principal.user_id], [conversation])
    return MuteState(muted=bool(muted))


@blueprint.put("/conversations/<conversation_id>/mute")
@login_required
@validate_response(MuteState)
async def mute_conversation(principal: Principal, conversation_id: str) -> MuteState:
    """No notifications for new messages in this conversation."""
    conversation = participating(principal, conversation_id)
    await store().follows.mute(principal.user_id, conversation)
    return MuteState(muted=True)


@blueprint.delete("/conversations/<conversation_id>/mute")
@login_required
@validate_response(MuteState)
async def unmute_conversation(principal: Principal, conversation_id: str) -> MuteState:
    """Notify me of new messages in this conversation again."""
    conversation = participating(principal, conversation_id)
    await store().follows.unmute(principal.user_id, conversation)
    return MuteState(muted=False)
