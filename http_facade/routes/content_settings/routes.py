"""``/api/content-settings``: hide a topic or a user from my feeds and lists.

Contract:

* Everything acts for the caller (login required) and changes only what the caller sees.
* A hidden topic is left out of my ``GET /api/topics`` and ``GET /api/posts/recent``; a
  hidden user's posts and comments (signed, not anonymous) are left out of a topic's
  ``GET /api/posts``, of ``/api/posts/recent`` and of a post's comment tree (with the
  replies under a hidden comment).  The store filters before paging, so a page is never
  emptied by it (:mod:`http_facade.routes.content_settings.filters`).  Direct fetches
  (``GET /api/topics/{id}``, ``/api/posts/{id}``, ``/api/comments/{id}``) and a hidden
  topic's own post list still answer: hiding is a filter, not a block.
* Hiding needs a topic the caller may see (``topic_access`` ``VIEW``, refused as
  ``GET /api/topics/{id}`` refuses it) or an existing other user; at most
  :data:`~http_facade.routes.content_settings.filters.MAX_HIDDEN` in all (409).
  Hiding twice or unhiding what is not hidden changes nothing.
"""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag_blueprint, validate_querystring, validate_response

from actors.community.access import may_read_topic
from actors.community.topic_commands import Need
from http_facade.errors import ApiError
from http_facade.guard import login_required
from http_facade.node_access import checked_id, store
from http_facade.pagination import BeforeIdPosition, decode_cursor, next_cursor
from http_facade.replies import Done
from http_facade.routes.community import topic_access
from http_facade.routes.content_settings.filters import MAX_HIDDEN
from http_facade.routes.content_settings.schemas import (
    HiddenItemPage,
    HiddenItemQuery,
    HiddenItemView,
)
from protocol.errors import ErrorCode
from services.principal import Principal
from storage.errors import NotFound
from storage.records.social import HiddenItem, HiddenKind

KINDS: tuple[HiddenKind, ...] = ("topic", "user")

blueprint = Blueprint("content_settings", __name__, url_prefix="/api/content-settings")
tag_blueprint(blueprint, ["content settings"])


async def _hide(principal: Principal, kind: HiddenKind, target_id: str) -> Done:
    hidden = store().hidden
    if await hidden.count(principal.user_id) >= MAX_HIDDEN:
        raise ApiError(ErrorCode.CONFLICT, f"at most {MAX_HIDDEN} hidden topics and users")
    await hidden.hide(principal.user_id, kind, target_id)
    return Done(message="hidden")


async def _unhide(principal: Principal, kind: HiddenKind, target_id: str) -> Done:
    await store().hidden.unhide(principal.user_id, kind, target_id)
    return Done(message="shown")


async def _labels(principal: Principal, items: list[HiddenItem]) -> dict[str, str]:
    """Titles of the topics the caller may still see, usernames of the users that exist."""
    ids = {kind: [item.target_id for item in items if item.kind == kind] for kind in KINDS}
    labels = {user.id: user.username for user in await store().users.get_many(ids["user"])}
    for topic in await store().topics.get_many(ids["topic"]):
        member = await store().topics.members.get(topic.id, principal.user_id)
        if may_read_topic(principal, topic, None if member is None else member.role):
            labels[topic.id] = topic.title
    return labels


@blueprint.get("/hidden")
@login_required
@validate_querystring(HiddenItemQuery)
@validate_response(HiddenItemPage)
async def list_hidden(principal: Principal, query_args: HiddenItemQuery) -> HiddenItemPage:
    """What I hid, newest first (``kind`` narrows it to topics or users)."""
    position = decode_cursor(query_args.cursor, BeforeIdPosition)
    items = await store().hidden.list(
        principal.user_id,
        query_args.kind,
        before_id=None if position is None else position.b,
        limit=query_args.limit + 1,
    )
    page = items[: query_args.limit]
    labels = await _labels(principal, page)
    return HiddenItemPage(
        items=[HiddenItemView.of(item, labels.get(item.target_id, "")) for item in page],
        next_cursor=next_cursor(
            BeforeIdPosition(b=page[-1].id) if len(items) > query_args.limit else None
        ),
    )


@blueprint.put("/hidden/topics/<topic_id>")
@login_required
@validate_response(Done)
async def hide_topic(principal: Principal, topic_id: str) -> Done:
    """Hide a topic I may see from my topic lists and feeds."""
    access = await topic_access(principal, topic_id, Need.VIEW)
    return await _hide(principal, "topic", access.topic.id)


@blueprint.delete("/hidden/topics/<topic_id>")
@login_required
@validate_response(Done)
async def unhide_topic(principal: Principal, topic_id: str) -> Done:
    """Show a hidden topic again."""
    return await _unhide(principal, "topic", checked_id(topic_id, "topic"))


@blueprint.put("/hidden/users/<user_id>")
@login_required
@validate_response(Done)
async def hide_user(principal: Principal, user_id: str) -> Done:
    """Hide a user's posts and comments from my lists and feeds."""
    if user_id == principal.user_id:
        raise ApiError(ErrorCode.INVALID, "you cannot hide yourself")
    try:
        user = await store().users.get(checked_id(user_id, "user"))
    except NotFound:
        raise ApiError(ErrorCode.NOT_FOUND, "no such user") from None
    return await _hide(principal, "user", user.id)


@blueprint.delete("/hidden/users/<user_id>")
@login_required
@validate_response(Done)
async def unhide_user(principal: Principal, user_id: str) -> Done:
    """Show a hidden user's posts and comments again."""
    return await _unhide(principal, "user", checked_id(user_id, "user"))
