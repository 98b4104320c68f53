"""``GET /api/admin/users/{id}/content``: one user's posts, comments and messages (admins).

Contract:

* :func:`~http_facade.guard.admin_required` (401 anonymous, 403 others); an unknown
  user is 404.
* Newest first across kinds: each kind asked is one indexed by-author read of ``limit``
  items below the ``cursor``'s id (:class:`~storage.protocols.AuthoredStore`), merged by id
  (ids sort by time), cut to ``limit``; ``next_cursor`` continues.  The places are
  resolved with one batched read per page (posts of comments, rooms of messages), never
  one per item.
* Deleted items are included with ``deleted_at``; direct messages are metadata only.
"""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag_blueprint, validate_querystring, validate_response

from http_facade.guard import admin_required
from http_facade.node_access import checked_id, store
from http_facade.pagination import BeforeIdPosition, decode_cursor, next_cursor
from http_facade.routes.admin.content_schemas import (
    ContentItem,
    ContentKind,
    UserContent,
    UserContentQuery,
)
from services.principal import Principal

blueprint = Blueprint("admin_content", __name__, url_prefix="/api/admin/users")
tag_blueprint(blueprint, ["admin"])


@blueprint.get("/<user_id>/content")
@admin_required
@validate_querystring(UserContentQuery)
@validate_response(UserContent)
async def user_content(
    principal: Principal, user_id: str, query_args: UserContentQuery
) -> UserContent:
    """A page of what the user wrote, newest first, deleted items included."""
    user = await store().users.get(checked_id(user_id, "user"))
    kinds = list(ContentKind) if query_args.kind is None else [query_args.kind]
    before = decode_cursor(query_args.cursor, BeforeIdPosition)
    found: list[ContentItem] = []
    full = False
    for kind in kinds:
        items = await _read(kind, user.id, None if before is None else before.b, query_args.limit)
        full = full or len(items) == query_args.limit
        found.extend(items)
    found.sort(key=lambda item: item.id, reverse=True)
    page = found[: query_args.limit]
    more = full or len(found) > query_args.limit
    return UserContent(
        user_id=user.id, items=page,
        next_cursor=next_cursor(BeforeIdPosition(b=page[-1].id) if page and more else None),
    )


async def _read(
    kind: ContentKind, user_id: str, before_id: str | None, limit: int
) -> list[ContentItem]:
    """Up to ``limit`` items of ``kind`` by ``user_id`` below ``before_id``, as items."""
    authored = store().authored
    match kind:
        case ContentKind.POST:
            posts = await authored.posts(user_id, before_id=before_id, limit=limit)
            return [ContentItem.of_post(post) for post in posts]
        case ContentKind.COMMENT:
            comments = await authored.comments(user_id, before_id=before_id, limit=limit)
            posts = await store().posts.get_many(sorted({c.post_id for c in comments}))
            topics = {post.id: post.topic_id for post in posts}
            return [ContentItem.of_comment(c, topics.get(c.post_id)) for c in comments]
        case ContentKind.ROOM_MESSAGE:
            messages = await authored.room_messages(user_id, before_id=before_id, limit=limit)
            rooms = await store().rooms.get_many(sorted({m.room_id for m in messages}))
            places: dict[str, str | None] = {room.id: room.topic_id for room in rooms}
            return [ContentItem.of_room_message(m, places.get(m.room_id)) for m in messages]
        case ContentKind.DIRECT_MESSAGE:
            sent = await authored.direct_messages(user_id, before_id=before_id, limit=limit)
            return [ContentItem.of_direct_message(message) for message in sent]
