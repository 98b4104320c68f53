"""``/api/me/unread`` and ``/api/me/read-positions``: my unread counts and read positions.

Contract:

* ``GET /api/me/unread``: every channel of mine (rooms, conversations, topics I am a
  member of) with ``unread_count``, ``mention_count`` and ``last_read_seq``
  (:mod:`http_facade.routes.rooms.unread_counts`); by default only those with something
  unread, ``all=true`` lists all; the totals count every channel.
* ``PUT /api/me/read-positions`` ``{channel, up_to_seq}``: marks read.  Rooms and
  conversations go through their actor (the same ``MarkRoomRead`` / ``MarkDirectRead``
  as the WebSocket ``mark_read``: membership checked, stored before the reply, receipts
  published to the channel and to my ``user:`` channel).  Topics: the caller must be
  able to read the topic (its actor says so); the position is clamped to the feed's last
  ``seq`` and stored (no live event: topics have no read receipts).  Positions never
  move back; the reply is the stored position.
"""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag_blueprint, validate_querystring, validate_response

from actors.chat.commands import MarkRoomRead
from actors.community.access import Need
from actors.direct.commands import DIRECT_CONVERSATION, MarkDirectRead
from http_facade.errors import ApiError
from http_facade.guard import login_required
from http_facade.node_access import ask_actor, checked_id, store
from http_facade.pagination import slice_page
from http_facade.routes.community import topic_access
from http_facade.routes.rooms.routes import ask_room
from http_facade.routes.rooms.unread_counts import all_unread
from http_facade.routes.rooms.unread_schemas import (
    ReadMark,
    ReadPositionView,
    UnreadQuery,
    UnreadSummary,
)
from http_facade.validation import validate_body
from protocol.channels import ChannelKind, parse_channel
from protocol.errors import ErrorCode
from services.principal import Principal

blueprint = Blueprint("unread", __name__, url_prefix="/api/me")
tag_blueprint(blueprint, ["unread"])


@blueprint.get("/unread")
@login_required
@validate_querystring(UnreadQuery)
@validate_response(UnreadSummary)
async def my_unread(principal: Principal, query_args: UnreadQuery) -> UnreadSummary:
    """My channels with unread and mention counts, and the totals."""
    channels = await all_unread(principal.user_id)
    listed = [
        channel for channel in channels
        if query_args.all or channel.unread_count or channel.mention_count
    ]
    page, cursor = slice_page(listed, query_args.cursor, query_args.limit)
    return UnreadSummary(
        channels=page,
        total_unread=sum(channel.unread_count for channel in channels),
        total_mentions=sum(channel.mention_count for channel in channels),
        next_cursor=cursor,
    )


@blueprint.put("/read-positions")
@login_required
@validate_body(ReadMark)
@validate_response(ReadPositionView)
async def mark_read(principal: Principal, data: ReadMark) -> ReadPositionView:
    """Mark a room, conversation or topic read up to ``up_to_seq``."""
    kind, object_id = parse_channel(data.channel)
    user_id = principal.user_id
    if kind is ChannelKind.CHAT_ROOM:
        await ask_room(object_id, MarkRoomRead(user_id=user_id, up_to_seq=data.up_to_seq))
    elif kind is ChannelKind.DM:
        await ask_actor(
            DIRECT_CONVERSATION, checked_id(object_id, "conversation"),
            MarkDirectRead(user_id=user_id, up_to_seq=data.up_to_seq),
        )
    elif kind is ChannelKind.TOPIC:
        await topic_access(principal, object_id, Need.READ)
        last = await store().channel_events.last_seq(data.channel)
        if min(last, data.up_to_seq) >= 1:
            await store().read_positions.advance(
                [(user_id, data.channel, min(last, data.up_to_seq))]
            )
    else:
        raise ApiError(ErrorCode.INVALID, "channel: a chat_room, dm or topic channel")
    positions = await store().read_positions.positions(user_id, [data.channel])
    return ReadPositionView(channel=data.channel, last_read_seq=positions.get(data.channel, 0))
