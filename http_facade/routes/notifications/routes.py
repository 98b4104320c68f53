"""``/api/notifications``: my notifications, the unread count, marking read, room mutes.

Contract:

* Every route needs a login and reads or changes the caller's own notifications only:
  ids of someone else's notifications are ignored, never revealed.
* Notifications arrive live on the caller's ``user:<id>`` channel (``notification``
  events); ``mark_read`` on that channel and ``POST /api/notifications/read`` change the
  same read state.
* ``PUT /api/notifications/mutes/rooms/<room_id>`` stops mentions and replies from a chat
  room (members only); topics and posts have their own mute routes, conversations
  theirs under ``/api/messages``.
"""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag_blueprint, validate_querystring, validate_request, validate_response

from http_facade.guard import login_required
from http_facade.node_access import checked_id, store
from http_facade.pagination import BeforeIdPosition, decode_cursor, next_cursor
from http_facade.routes.messages.schemas import (
    MarkedRead,
    MarkNotificationsRead,
    NotificationPage,
    NotificationQuery,
    NotificationView,
    UnreadCount,
)
from http_facade.routes.topics.schemas import MuteState
from protocol.errors import ErrorCode
from services.errors import DomainError
from services.principal import Principal

blueprint = Blueprint("notifications", __name__, url_prefix="/api/notifications")
tag_blueprint(blueprint, ["notifications"])


@blueprint.get("")
@login_required
@validate_querystring(NotificationQuery)
@validate_response(NotificationPage)
async def list_notifications(
    principal: Principal, query_args: NotificationQuery
) -> NotificationPage:
    """My notifications, newest first (optionally the unread ones only)."""
    before = decode_cursor(query_args.cursor, BeforeIdPosition)
    found = await store().notifications.list_for_user(
        principal.user_id,
        before_id=None if before is None else before.b,
        limit=query_args.limit,
        unread_only=query_args.unread,
    )
    full_page = len(found) == query_args.limit
    return NotificationPage(
        notifications=[NotificationView.of(notification) for notification in found],
        next_cursor=next_cursor(
            BeforeIdPosition(b=found[-1].id) if full_page and found else None
        ),
    )


@blueprint.get("/unread-count")
@login_required
@validate_response(UnreadCount)
async def unread_count(principal: Principal) -> UnreadCount:
    """How many of my notifications are unread."""
    return UnreadCount(unread=await store().notifications.unread_count(principal.user_id))


@blueprint.post("/read")
@login_required
@validate_request(MarkNotificationsRead)
@validate_response(MarkedRead)
async def mark_read(principal: Principal, data: MarkNotificationsRead) -> MarkedRead:
    """Mark the listed notifications (or ``all``) read."""
    notifications = store().notifications
    if data.all:
        return MarkedRead(marked=await notifications.mark_all_read(principal.user_id))
    if not data.ids:
        raise DomainError(ErrorCode.INVALID, "name the notifications to mark read, or all")
    marked = 0
    for notification_id in dict.fromkeys(data.ids):
        marked += await notifications.mark_read(principal.user_id, notification_id)
    return MarkedRead(marked=marked)


async def _member_room(principal: Principal, room_id: str) -> str:
    room = checked_id(room_id, "room")
    if await store().rooms.members.get(room, principal.user_id) is None:
        raise DomainError(ErrorCode.FORBIDDEN, "you are not a member of this room")
    return room


@blueprint.get("/mutes/rooms/<room_id>")
@login_required
@validate_response(MuteState)
async def room_mute(principal: Principal, room_id: str) -> MuteState:
    """Whether I muted the chat room."""
    room = await _member_room(principal, room_id)
    return MuteState(muted=bool(await store().follows.muting([principal.user_id], [room])))


@blueprint.put("/mutes/rooms/<room_id>")
@login_required
@validate_response(MuteState)
async def mute_room(principal: Principal, room_id: str) -> MuteState:
    """No mentions or replies from this chat room notify me (members)."""
    room = await _member_room(principal, room_id)
    await store().follows.mute(principal.user_id, room)
    return MuteState(muted=True)


@blueprint.delete("/mutes/rooms/<room_id>")
@login_required
@validate_response(MuteState)
async def unmute_room(principal: Principal, room_id: str) -> MuteState:
    """Notify me from this chat room again (also after leaving it)."""
    room = checked_id(room_id, "room")
    await store().follows.unmute(principal.user_id, room)
    return MuteState(muted=False)
