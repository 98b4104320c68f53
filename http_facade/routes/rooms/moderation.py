"""Room moderation, presence and the public directory over REST (issue 23).

Contract:

* ``GET /api/chat-rooms/directory?q=``: public rooms whose name contains ``q`` (folded
  substring, never a pattern), by id, with an opaque ``cursor``; any logged-in user.
* ``GET /api/chat-rooms/invitations``: my pending room invitations.
* ``GET …/<room>/presence``: members only (the room actor checks); each member of the
  page with the status their ``user`` actor reports.
* Moderators: ``POST …/<room>/moderators`` ``{user_id}`` promotes, ``DELETE
  …/<room>/moderators/<user>`` demotes — the owner only (the room actor,
  :mod:`actors.chat.moderators`).
* Bans: ``GET …/<room>/bans`` lists those in force, ``DELETE …/<room>/bans/<user>`` lifts
  one — owner, moderators, admins.  A lifted ban lets the user be invited and join again.
* Invitations of a room: ``GET …/<room>/invitations`` (owner and moderators);
  ``DELETE …/<room>/invitations/<user>`` withdraws one (its inviter, owner, moderators,
  admins) or, when ``<user>`` is the caller, declines it.
Refusals are 403 ``forbidden``; unknown rooms, members, bans and invitations 404.
"""

from __future__ import annotations

import trio
from quart import Blueprint
from quart_schema import tag_blueprint, validate_querystring, validate_response

from actors.chat.access import may_manage_bans, may_withdraw_invitation
from actors.chat.commands import SetMemberRole, UnbanMember
from actors.realtime.presence import PresenceView
from actors.users.commands import USER, GetPresence
from http_facade.errors import ApiError
from http_facade.guard import login_required
from http_facade.node_access import ask_actor, checked_id, store
from http_facade.pagination import (
    ListQuery,
    after_offset,
    decode_cursor,
    next_cursor,
    offset_of,
    slice_page,
)
from http_facade.replies import Done
from http_facade.routes.pictures.subjects import PictureKind, with_pictures
from http_facade.routes.rooms.moderation_schemas import (
    Appointment,
    RoleView,
    RoomBanList,
    RoomBanView,
    RoomInvitationList,
    RoomInvitationView,
)
from http_facade.routes.rooms.routes import ask_room, readable_room
from http_facade.routes.rooms.schemas import RoomView
from http_facade.routes.rooms.unread_schemas import (
    AfterIdPosition,
    DirectoryQuery,
    MemberPresence,
    PresencePage,
    PresenceQuery,
    RoomPage,
)
from http_facade.validation import validate_body
from protocol.errors import ErrorCode
from services.principal import Principal
from storage.errors import NotFound
from storage.records import Role

blueprint = Blueprint("chat_room_moderation", __name__, url_prefix="/api/chat-rooms")
tag_blueprint(blueprint, ["chat rooms"])


async def _role(room_id: str, user_id: str) -> Role | None:
    membership = await store().rooms.members.get(checked_id(room_id, "chat room"), user_id)
    return None if membership is None else membership.role


async def _existing_room(room_id: str) -> None:
    try:
        await store().rooms.get(checked_id(room_id, "chat room"))
    except NotFound:
        raise ApiError(ErrorCode.NOT_FOUND, "no such chat room") from None


@blueprint.get("/directory")
@login_required
@validate_querystring(DirectoryQuery)
@validate_response(RoomPage)
async def directory(principal: Principal, query_args: DirectoryQuery) -> RoomPage:
    """Public rooms whose name contains ``q``."""
    after = decode_cursor(query_args.cursor, AfterIdPosition)
    rooms, last = await store().room_directory.public_rooms(
        query=query_args.q.strip(), after_id=None if after is None else after.a,
        limit=query_args.limit,
    )
    return RoomPage(
        rooms=await with_pictures(PictureKind.ROOM, [RoomView.of(room) for room in rooms]),
        next_cursor=next_cursor(None if last is None else AfterIdPosition(a=last)),
    )


@blueprint.get("/invitations")
@login_required
@validate_querystring(ListQuery)
@validate_response(RoomInvitationList)
async def my_invitations(principal: Principal, query_args: ListQuery) -> RoomInvitationList:
    """My pending room invitations."""
    found = await store().rooms.members.list_invitations(principal.user_id)
    page, cursor = slice_page(found, query_args.cursor, query_args.limit)
    return RoomInvitationList(invitations=[RoomInvitationView.of(item) for item in page],
                          next_cursor=cursor)


@blueprint.get("/<room_id>/presence")
@login_required
@validate_querystring(PresenceQuery)
@validate_response(PresencePage)
async def presence(principal: Principal, room_id: str, query_args: PresenceQuery) -> PresencePage:
    """The presence of a page of members (members only)."""
    await readable_room(room_id, principal)
    start = offset_of(query_args.cursor)
    page = await store().rooms.members.list_members(
        room_id, offset=start, limit=query_args.limit + 1
    )
    members = page[: query_args.limit]
    statuses: dict[str, str] = {}

    async def ask(user_id: str) -> None:
        view: PresenceView = await ask_actor(USER, user_id, GetPresence())
        statuses[user_id] = str(view.status)

    async with trio.open_nursery() as nursery:
        for membership in members:
            nursery.start_soon(ask, membership.user_id)
    return PresencePage(
        members=[MemberPresence(user_id=m.user_id, status=statuses[m.user_id]) for m in members],
        next_cursor=after_offset(start, len(page), query_args.limit,
                                 len(page) > query_args.limit),
    )


@blueprint.post("/<room_id>/moderators")
@login_required
@validate_body(Appointment)
@validate_response(RoleView)
async def promote(principal: Principal, room_id: str, data: Appointment) -> RoleView:
    """Make a member a moderator (the owner only)."""
    role = await ask_room(
        room_id, SetMemberRole(user_id=principal.user_id, member_id=data.user_id, promote=True)
    )
    return RoleView(user_id=data.user_id, role=role)


@blueprint.delete("/<room_id>/moderators/<user_id>")
@login_required
@validate_response(RoleView)
async def demote(principal: Principal, room_id: str, user_id: str) -> RoleView:
    """Make a moderator a plain member again (the owner only)."""
    role = await ask_room(
        room_id,
        SetMemberRole(user_id=principal.user_id, member_id=checked_id(user_id, "member"),
                      promote=False),
    )
    return RoleView(user_id=user_id, role=role)


@blueprint.get("/<room_id>/bans")
@login_required
@validate_querystring(ListQuery)
@validate_response(RoomBanList)
async def bans(principal: Principal, room_id: str, query_args: ListQuery) -> RoomBanList:
    """The bans in force (owner, moderators, admins)."""
    await _existing_room(room_id)
    if not may_manage_bans(await _role(room_id, principal.user_id), is_admin=principal.is_admin):
        raise ApiError(ErrorCode.FORBIDDEN, "only moderators see the bans")
    found = await store().rooms.members.list_bans(room_id)
    page, cursor = slice_page(found, query_args.cursor, query_args.limit)
    return RoomBanList(bans=[RoomBanView.of(ban) for ban in page], next_cursor=cursor)


@blueprint.delete("/<room_id>/bans/<user_id>")
@login_required
@validate_response(Done)
async def unban(principal: Principal, room_id: str, user_id: str) -> Done:
    """Lift a ban (owner, moderators, admins)."""
    lifted = await ask_room(
        room_id,
        UnbanMember(user_id=principal.user_id, banned_id=checked_id(user_id, "ban"),
                    is_admin=principal.is_admin),
    )
    if not lifted:
        raise ApiError(ErrorCode.NOT_FOUND, "no such ban")
    return Done(message="ban lifted")


@blueprint.get("/<room_id>/invitations")
@login_required
@validate_querystring(ListQuery)
@validate_response(RoomInvitationList)
async def room_invitations(
    principal: Principal, room_id: str, query_args: ListQuery
) -> RoomInvitationList:
    """The room's pending invitations (owner, moderators, admins)."""
    await _existing_room(room_id)
    if not may_manage_bans(await _role(room_id, principal.user_id), is_admin=principal.is_admin):
        raise ApiError(ErrorCode.FORBIDDEN, "only moderators see the invitations")
    start = offset_of(query_args.cursor)
    found = await store().room_directory.room_invitations(
        room_id, offset=start, limit=query_args.limit + 1
    )
    return RoomInvitationList(
        invitations=[RoomInvitationView.of(item) for item in found[: query_args.limit]],
        next_cursor=after_offset(start, len(found), query_args.limit,
                                 len(found) > query_args.limit),
    )


@blueprint.delete("/<room_id>/invitations/<user_id>")
@login_required
@validate_response(Done)
async def withdraw_invitation(principal: Principal, room_id: str, user_id: str) -> Done:
    """Withdraw an invitation (its inviter, moderators) or decline mine."""
    await _existing_room(room_id)
    invitee = checked_id(user_id, "invitation")
    if invitee != principal.user_id:
        mine = await store().rooms.members.list_invitations(invitee)
        invitation = next((item for item in mine if item.scope_id == room_id), None)
        if invitation is None:
            raise ApiError(ErrorCode.NOT_FOUND, "no such invitation")
        role = await _role(room_id, principal.user_id)
        if not may_withdraw_invitation(principal.user_id, invitation.invited_by, role,
                                       is_admin=principal.is_admin):
            raise ApiError(ErrorCode.FORBIDDEN, "only its inviter or a moderator may withdraw it")
    if not await store().rooms.members.withdraw_invitation(room_id, invitee):
        raise ApiError(ErrorCode.NOT_FOUND, "no such invitation")
    return Done(message="declined" if invitee == principal.user_id else "withdrawn")
