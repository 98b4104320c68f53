"""What a report is about: find the reported item and who may see it.

Contract:

* :func:`resolve_target` finds the item a report names and returns a :class:`Target`
  with its topic, room, author and parent post.  With ``viewer`` it first checks the
  viewer may see the item, through its owning actor: the topic actor's ``CheckAccess``
  (read) for posts and comments, the room actor's ``CheckMember`` for rooms and room
  messages, being one of its two participants for a direct message; a user must
  exist.  A refusal is the actor's 403, an unknown item 404.
* Deleted items are 404: there is nothing left to report.
* Ids that cannot be ids are 404 before any actor or store is asked.
"""

from __future__ import annotations

import dataclasses

from actors.chat.commands import CheckMember
from actors.chat.log import TEXT_KIND, message_seq
from actors.chat.room import CHAT_ROOM
from actors.community.topic_commands import Need
from actors.direct.access import takes_part
from http_facade.errors import ApiError
from http_facade.node_access import ask_actor as ask
from http_facade.node_access import checked_id, store
from http_facade.routes.community import live_post, topic_access
from http_facade.routes.reports.schemas import ItemKind
from protocol.errors import ErrorCode
from services.principal import Principal
from storage.errors import NotFound


@dataclasses.dataclass(frozen=True, slots=True)
class Target:
    """A reported item and where it lives; ``author_id`` is who a warn or ban hits."""

    kind: ItemKind
    item_id: str
    author_id: str | None
    topic_id: str | None = None
    room_id: str | None = None
    post_id: str | None = None
    message_id: str | None = None


def split_room_message(item_id: str) -> tuple[str, str]:
    """``(room_id, message_id)`` of a room message's item id; 404 when malformed."""
    room_id, separator, message_id = item_id.partition(":")
    if not separator:
        raise ApiError(ErrorCode.NOT_FOUND, "no such message")
    return checked_id(room_id, "chat room"), checked_id(message_id, "message")


async def resolve_target(
    kind: ItemKind, item_id: str, viewer: Principal | None = None
) -> Target:
    """The reported item; when ``viewer`` is given, only if they may see it (see module)."""
    match kind:
        case ItemKind.POST:
            return await _post(item_id, viewer)
        case ItemKind.COMMENT:
            return await _comment(item_id, viewer)
        case ItemKind.ROOM_MESSAGE:
            return await _room_message(item_id, viewer)
        case ItemKind.ROOM:
            return await _room(item_id, viewer)
        case ItemKind.USER:
            return await _user(item_id)
        case ItemKind.DIRECT_MESSAGE:
            return await _direct_message(item_id, viewer)


async def _post(post_id: str, viewer: Principal | None) -> Target:
    post = await live_post(post_id)
    if viewer is not None:
        await topic_access(viewer, post.topic_id, Need.READ)
    return Target(ItemKind.POST, post.id, post.author_id, topic_id=post.topic_id, post_id=post.id)


async def _comment(comment_id: str, viewer: Principal | None) -> Target:
    try:
        comment = await store().comments.get(checked_id(comment_id, "comment"))
    except NotFound:
        raise ApiError(ErrorCode.NOT_FOUND, "no such comment") from None
    if comment.deleted_at is not None:
        raise ApiError(ErrorCode.NOT_FOUND, "no such comment")
    post = await live_post(comment.post_id)
    if viewer is not None:
        await topic_access(viewer, post.topic_id, Need.READ)
    return Target(
        ItemKind.COMMENT, comment.id, comment.author_id, topic_id=post.topic_id, post_id=post.id
    )


async def _room_message(item_id: str, viewer: Principal | None) -> Target:
    room_id, message_id = split_room_message(item_id)
    if viewer is not None:
        await ask(CHAT_ROOM, room_id, CheckMember(user_id=viewer.user_id))
    try:
        room = await store().rooms.get(room_id)
        message = await store().messages.get(room_id, message_seq(message_id))
    except NotFound:
        message = None
    if message is None or message.kind != TEXT_KIND or message.deleted_at is not None:
        raise ApiError(ErrorCode.NOT_FOUND, "no such message")
    return Target(
        ItemKind.ROOM_MESSAGE, item_id, message.author_id, topic_id=room.topic_id,
        room_id=room_id, message_id=message_id,
    )


async def _room(room_id: str, viewer: Principal | None) -> Target:
    room_id = checked_id(room_id, "chat room")
    if viewer is not None:
        await ask(CHAT_ROOM, room_id, CheckMember(user_id=viewer.user_id))
    try:
        room = await store().rooms.get(room_id)
    except NotFound:
        raise ApiError(ErrorCode.NOT_FOUND, "no such chat room") from None
    if room.deleted_at is not None:
        raise ApiError(ErrorCode.NOT_FOUND, "no such chat room")
    return Target(ItemKind.ROOM, room.id, None, topic_id=room.topic_id, room_id=room.id)


async def _user(user_id: str) -> Target:
    try:
        user = await store().users.get(checked_id(user_id, "user"))
    except NotFound:
        raise ApiError(ErrorCode.NOT_FOUND, "no such user") from None
    return Target(ItemKind.USER, user.id, user.id)


async def _direct_message(message_id: str, viewer: Principal | None) -> Target:
    try:
        message = await store().direct_messages.get(checked_id(message_id, "message"))
    except NotFound:
        raise ApiError(ErrorCode.NOT_FOUND, "no such message") from None
    outsider = viewer is not None and not takes_part(viewer.user_id, message)
    if message.deleted_at is not None or outsider:
        raise ApiError(ErrorCode.NOT_FOUND, "no such message")
    return Target(ItemKind.DIRECT_MESSAGE, message.id, message.sender_id)
