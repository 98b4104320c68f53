"""Who may see and who may change a picture: the owners' own access rules.

Contract:

* Reading: a user's avatar is public like their profile (any caller, even anonymous);
  a topic's picture is seen by whoever may see the topic (``Need.VIEW``: anyone for a
  public topic, members and invitees of an invite-only one); a chat room's picture by
  anyone logged in for a public room, by its members for a private one, and in both
  cases only by those who may see the room's topic, if it has one.  Whoever may not
  see it gets the same 404 ``not_found`` as for a subject without a picture.
* Changing: a user changes their own avatar only; a topic's picture its owner,
  moderators and admins (``Need.MODERATE``, as for editing the topic); a room's picture
  its owner and moderators (:func:`actors.chat.access.may_update_room`, as for renaming
  it).  Refusals are the owners' own (403 ``forbidden``, 404 ``not_found``).
* When an actor asked does not answer, its failure passes through (503/504/500).
"""

from __future__ import annotations

from actors.chat.access import may_update_room
from actors.chat.commands import CheckMember
from actors.chat.room import CHAT_ROOM
from actors.community.topic_commands import Need
from http_facade.errors import ActorFailure, ApiError
from http_facade.node_access import ask_actor, checked_id, store
from http_facade.routes.community import topic_access
from protocol.errors import ErrorCode
from services.errors import DomainError
from services.principal import Principal
from storage.errors import NotFound
from storage.records import Room


def no_such_picture() -> ApiError:
    """The one answer for a picture that is absent or not for the caller's eyes."""
    return ApiError(ErrorCode.NOT_FOUND, "no such picture")


async def require_user(user_id: str) -> None:
    """404 unless ``user_id`` is a user."""
    try:
        await store().users.get(checked_id(user_id, "user"))
    except (NotFound, DomainError):
        raise no_such_picture() from None


async def require_topic_viewer(principal: Principal, topic_id: str) -> None:
    """404 unless ``principal`` may see the topic."""
    try:
        await topic_access(principal, topic_id, Need.VIEW)
    except ActorFailure:
        raise
    except DomainError:
        raise no_such_picture() from None


async def require_topic_moderator(principal: Principal, topic_id: str) -> None:
    """The topic's refusal unless ``principal`` moderates it (admins included)."""
    await topic_access(principal, topic_id, Need.MODERATE)


async def _live_room(room_id: str) -> Room:
    try:
        room = await store().rooms.get(checked_id(room_id, "chat room"))
    except NotFound:
        raise ApiError(ErrorCode.NOT_FOUND, "no such chat room") from None
    if room.deleted_at is not None:
        raise ApiError(ErrorCode.NOT_FOUND, "no such chat room")
    return room


async def require_room_viewer(principal: Principal, room_id: str) -> None:
    """404 unless ``principal`` may see the room (see the module docstring)."""
    try:
        room = await _live_room(room_id)
        if room.topic_id is not None:
            await topic_access(principal, room.topic_id, Need.VIEW)
        if room.is_private:
            await ask_actor(CHAT_ROOM, room.id, CheckMember(user_id=principal.user_id))
    except ActorFailure:
        raise
    except DomainError:
        raise no_such_picture() from None


async def require_room_moderator(principal: Principal, room_id: str) -> None:
    """The room's refusal unless ``principal`` is its owner or one of its moderators."""
    room = await _live_room(room_id)
    await ask_actor(CHAT_ROOM, room.id, CheckMember(user_id=principal.user_id))
    membership = await store().rooms.members.get(room.id, principal.user_id)
    if not may_update_room(None if membership is None else membership.role):
        raise ApiError(ErrorCode.FORBIDDEN, "only the room's owner and moderators may do that")
