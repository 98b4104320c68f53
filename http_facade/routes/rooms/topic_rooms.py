"""``GET /api/topics/<topic_id>/rooms``: a topic's rooms, respecting privacy.

Contract: the caller must be able to see the topic (the topic actor decides,
``Need.VIEW``: a private topic's rooms are hidden from non-members like the topic);
public rooms are listed to all of them, private rooms only to their members
(:func:`actors.chat.access.may_list_room`).  Oldest first, ``cursor`` and ``limit``.
"""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag_blueprint, validate_querystring, validate_response

from actors.chat.access import may_list_room
from actors.community.access import Need
from http_facade.guard import login_required
from http_facade.node_access import store
from http_facade.pagination import ListQuery, slice_page
from http_facade.routes.community import topic_access
from http_facade.routes.pictures.subjects import PictureKind, with_pictures
from http_facade.routes.rooms.schemas import RoomView
from http_facade.routes.rooms.unread_schemas import RoomPage
from services.principal import Principal

blueprint = Blueprint("topic_rooms", __name__, url_prefix="/api/topics")
tag_blueprint(blueprint, ["chat rooms"])


@blueprint.get("/<topic_id>/rooms")
@login_required
@validate_querystring(ListQuery)
@validate_response(RoomPage)
async def topic_rooms(principal: Principal, topic_id: str, query_args: ListQuery) -> RoomPage:
    """The topic's rooms the caller may know of."""
    await topic_access(principal, topic_id, Need.VIEW)
    rooms = await store().rooms.list_for_topic(topic_id)
    mine: set[str] = set()
    if any(room.is_private for room in rooms):
        memberships = await store().rooms.members.list_for_user(principal.user_id)
        mine = {membership.scope_id for membership in memberships}
    visible = [room for room in rooms if may_list_room(room.is_private, room.id in mine)]
    page, cursor = slice_page(visible, query_args.cursor, query_args.limit)
    views = await with_pictures(PictureKind.ROOM, [RoomView.of(room) for room in page])
    return RoomPage(rooms=views, next_cursor=cursor)
