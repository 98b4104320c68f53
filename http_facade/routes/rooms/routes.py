"""``/api/chat-rooms``: rooms, their members and their history, over REST.

Contract:

* Every route needs a login.  Every read of a room (the room, its members, its history,
  one message) checks membership through the room actor: a non-member gets 403
  ``forbidden`` whether the room is private or not, and an unknown room 404.
* Changes go through the room's actor (join, leave, invite, kick, rename, delete), so the
  live side — events, evictions of kicked users' subscriptions — follows at once.
  Every ask goes through :func:`ask_room` (:func:`http_facade.node_access.ask_actor`):
  the actor's refusals pass unchanged, its failures are mapped to 504/503/500.
* History pages backwards by sequence number and shows messages only (membership events
  of the room's log are left out), oldest first within a page.
"""

from __future__ import annotations

import time
from typing import Any

import msgspec
from quart import Blueprint
from quart_schema import tag_blueprint, validate_querystring, validate_response

from actors.chat.commands import (
    CheckMember,
    DeleteRoom,
    InviteToRoom,
    JoinRoom,
    KickMember,
    LeaveRoom,
    UpdateRoom,
)
from actors.chat.log import TEXT_KIND, message_seq
from actors.chat.room import CHAT_ROOM
from actors.community.access import may_add_room
from http_facade.errors import ApiError
from http_facade.guard import login_required
from http_facade.node_access import ask_actor, checked_id, store
from http_facade.pagination import (
    BeforeSeqPosition,
    after_offset,
    decode_cursor,
    next_cursor,
    offset_of,
    slice_page,
)
from http_facade.replies import Done
from http_facade.routes.pictures.subjects import PictureKind, with_picture, with_pictures
from http_facade.routes.rooms.schemas import (
    Invitation,
    Kick,
    MessageView,
    RoomCreate,
    RoomHistoryPage,
    RoomHistoryQuery,
    RoomListQuery,
    RoomMemberList,
    RoomMemberQuery,
    RoomMemberView,
    RoomUpdate,
    RoomView,
)
from http_facade.routes.rooms.unread_counts import room_unread
from http_facade.routes.rooms.unread_schemas import MyRoomList, RoomWithUnread
from http_facade.screening import screen_description, screen_name
from http_facade.validation import validate_body
from protocol.errors import ErrorCode
from services.principal import Principal
from storage.errors import NotFound

blueprint = Blueprint("chat_rooms", __name__, url_prefix="/api/chat-rooms")
tag_blueprint(blueprint, ["chat rooms"])


async def ask_room(room_id: str, message: object) -> Any:
    """Ask the actor of room ``room_id`` (404 for ids that cannot be room ids), through
    :func:`http_facade.node_access.ask_actor` and its error mapping."""
    return await ask_actor(CHAT_ROOM, checked_id(room_id, "chat room"), message)


async def readable_room(room_id: str, principal: Principal) -> None:
    """Return once the room's actor confirmed the caller is a member (refused otherwise)."""
    await ask_room(room_id, CheckMember(user_id=principal.user_id))


@blueprint.post("")
@login_required
@validate_body(RoomCreate)
@validate_response(RoomView, 201)
async def create_room(principal: Principal, data: RoomCreate) -> tuple[RoomView, int]:
    """Create a room; inside a topic only its owner or moderators may."""
    if data.topic_id is not None:
        try:
            membership = await store().topics.members.get(data.topic_id, principal.user_id)
        except NotFound:
            membership = None
        if not may_add_room(None if membership is None else membership.role):
            raise ApiError(ErrorCode.FORBIDDEN, "only the topic's moderators may add rooms")
    room = await store().rooms.create(
        owner_id=principal.user_id, name=screen_name(data.name, "room name"),
        topic_id=data.topic_id, description=screen_description(data.description),
        is_private=data.is_private,
    )
    return RoomView.of(room), 201


@blueprint.get("")
@login_required
@validate_querystring(RoomListQuery)
@validate_response(MyRoomList)
async def my_rooms(principal: Principal, query_args: RoomListQuery) -> MyRoomList:
    """The rooms I am a member of, with my unread and mention counts and read position
    (:mod:`http_facade.routes.rooms.unread_counts`)."""
    memberships = await store().rooms.members.list_for_user(principal.user_id)
    rooms = await store().rooms.get_many([membership.scope_id for membership in memberships])
    live = [RoomView.of(room) for room in rooms if room.deleted_at is None]
    page, cursor = slice_page(live, query_args.cursor, query_args.limit)
    page = await with_pictures(PictureKind.ROOM, page)
    counts = await room_unread(principal.user_id, [view.id for view in page])
    return MyRoomList(
        rooms=[
            RoomWithUnread(**msgspec.structs.asdict(view),
                           **msgspec.structs.asdict(counts[view.id]))
            for view in page
        ],
        next_cursor=cursor,
    )


@blueprint.get("/<room_id>")
@login_required
@validate_response(RoomView)
async def get_room(principal: Principal, room_id: str) -> RoomView:
    """One room (members only)."""
    await readable_room(room_id, principal)
    return await with_picture(PictureKind.ROOM, RoomView.of(await store().rooms.get(room_id)))


@blueprint.patch("/<room_id>")
@login_required
@validate_body(RoomUpdate)
@validate_response(RoomView)
async def update_room(principal: Principal, room_id: str, data: RoomUpdate) -> RoomView:
    """Rename, re-describe or set slow mode (owner and moderators)."""
    room = await ask_room(
        room_id,
        UpdateRoom(
            user_id=principal.user_id,
            name=None if data.name is None else screen_name(data.name, "room name"),
            description=(
                None if data.description is None else screen_description(data.description)
            ),
            slow_mode_seconds=data.slow_mode_seconds,
        ),
    )
    return await with_picture(PictureKind.ROOM, RoomView.of(room))


@blueprint.delete("/<room_id>")
@login_required
@validate_response(Done)
async def delete_room(principal: Principal, room_id: str) -> Done:
    """Delete the room (owner or admin); live subscribers are evicted."""
    await ask_room(room_id, DeleteRoom(user_id=principal.user_id, is_admin=principal.is_admin))
    return Done(message="room deleted")


@blueprint.post("/<room_id>/join")
@login_required
@validate_response(Done)
async def join_room(principal: Principal, room_id: str) -> Done:
    """Join (a private room needs an invitation)."""
    joined = await ask_room(room_id, JoinRoom(user_id=principal.user_id))
    return Done(message="joined" if joined else "already a member")


@blueprint.post("/<room_id>/leave")
@login_required
@validate_response(Done)
async def leave_room(principal: Principal, room_id: str) -> Done:
    """Leave the room; my live subscriptions to it end."""
    left = await ask_room(room_id, LeaveRoom(user_id=principal.user_id))
    return Done(message="left" if left else "not a member")


@blueprint.post("/<room_id>/invitations")
@login_required
@validate_body(Invitation)
@validate_response(Done)
async def invite(principal: Principal, room_id: str, data: Invitation) -> Done:
    """Invite a user (any member may)."""
    await ask_room(room_id, InviteToRoom(user_id=principal.user_id, invitee_id=data.user_id))
    return Done(message="invited")


@blueprint.post("/<room_id>/kick")
@login_required
@validate_body(Kick)
@validate_response(Done)
async def kick(principal: Principal, room_id: str, data: Kick) -> Done:
    """Remove (and optionally ban) a member (owner and moderators)."""
    until = None if data.ban_seconds is None else time.time() + data.ban_seconds
    await ask_room(
        room_id,
        KickMember(
            moderator_id=principal.user_id, user_id=data.user_id, reason=data.reason,
            ban=data.ban, ban_until=until,
        ),
    )
    return Done(message="banned" if data.ban else "kicked")


@blueprint.get("/<room_id>/members")
@login_required
@validate_querystring(RoomMemberQuery)
@validate_response(RoomMemberList)
async def members(
    principal: Principal, room_id: str, query_args: RoomMemberQuery
) -> RoomMemberList:
    """The members, in joining order (members only)."""
    await readable_room(room_id, principal)
    start = offset_of(query_args.cursor)
    page = await store().rooms.members.list_members(
        room_id, offset=start, limit=query_args.limit + 1
    )
    more = len(page) > query_args.limit
    return RoomMemberList(
        members=[RoomMemberView.of(membership) for membership in page[: query_args.limit]],
        next_cursor=after_offset(start, len(page), query_args.limit, more),
    )


@blueprint.get("/<room_id>/messages")
@login_required
@validate_querystring(RoomHistoryQuery)
@validate_response(RoomHistoryPage)
async def history(
    principal: Principal, room_id: str, query_args: RoomHistoryQuery
) -> RoomHistoryPage:
    """A page of history, oldest first (members only)."""
    await readable_room(room_id, principal)
    before = decode_cursor(query_args.cursor, BeforeSeqPosition)
    rows = await store().messages.page_before(
        room_id, before_seq=None if before is None else before.s, limit=query_args.limit
    )
    more = len(rows) == query_args.limit and rows[0].seq > 1
    return RoomHistoryPage(
        messages=[MessageView.of(row) for row in rows if row.kind == TEXT_KIND],
        next_cursor=next_cursor(BeforeSeqPosition(s=rows[0].seq) if more else None),
    )


@blueprint.get("/<room_id>/messages/<message_id>")
@login_required
@validate_response(MessageView)
async def one_message(principal: Principal, room_id: str, message_id: str) -> MessageView:
    """One message by id (members only)."""
    await readable_room(room_id, principal)
    try:
        row = await store().messages.get(room_id, message_seq(message_id))
    except NotFound:
        row = None
    if row is None or row.kind != TEXT_KIND:
        raise ApiError(ErrorCode.NOT_FOUND, "no such message")
    return MessageView.of(row)
