"""The effects of moderation actions, each carried out where it takes effect live.

Contract:

* :func:`delete_content` goes through the owning actor (topic, post or room), so live
  subscribers get the deletion event; an admin needs no role in the room.
* :func:`warn` stores a ``moderation_warning`` notification through the user's feed
  actor (a live ``notification`` event on ``user:<id>``) and publishes a ``warning``
  frame on ``user:<id>`` to the user's connections subscribed there.
* :func:`ban_globally` stores ``banned_until`` and the reason (:mod:`services.bans`),
  then closes the user's live connections on this node at once (``goodbye`` ``banned``,
  4003); the authenticator refuses the user's tokens and the login refuses the user
  (403 with the reason and the end) until the ban lapses.  :func:`unban_globally`
  removes both.  Both are for admins (403 otherwise).
* :func:`ban_in_topic` and :func:`ban_in_room` ask the topic actor (``BanUser``) and the
  room actor (``KickMember`` with ``ban``), which check the moderator's rights.
Each returns a short description of what it did, for the audit log.  Every actor is
asked through :func:`http_facade.node_access.ask_actor` (refusals unchanged, runtime
failures mapped by :func:`http_facade.errors.actor_failure`).
"""

from __future__ import annotations

import time

from actors.chat.commands import DeleteRoom, DeleteRoomMessage, KickMember
from actors.chat.room import CHAT_ROOM
from actors.community.post_commands import DeleteComment
from actors.community.topic_commands import BanUser, DeletePost
from actors.users.notification_feed import NOTIFICATION_FEED, Notify
from http_facade.context import current_context
from http_facade.errors import ApiError
from http_facade.node_access import ask_actor as ask
from http_facade.node_access import store
from http_facade.routes.community import ask_post, ask_topic
from http_facade.routes.reports.schemas import ItemKind
from http_facade.routes.reports.targets import Target
from protocol.broadcast import BroadcastFrame
from protocol.channels import ChannelKind, channel_name
from protocol.close_codes import CloseCode
from protocol.control_frames import ModerationWarning
from protocol.enums import GoodbyeReason, WarningReason
from protocol.errors import ErrorCode
from protocol.limits import MAX_HUMAN_TEXT_LENGTH
from services.bans import ban_changes, lift_changes
from services.principal import Principal

WARNING_KIND = "moderation_warning"


def require_admin(principal: Principal) -> None:
    """403 ``forbidden`` unless ``principal`` is a global admin."""
    if not principal.is_admin:
        raise ApiError(ErrorCode.FORBIDDEN, "only admins may do that")


async def delete_content(principal: Principal, target: Target, reason: str) -> str:
    """Delete the reported item through its owning actor (see module)."""
    match target:
        case Target(kind=ItemKind.POST, topic_id=str(topic_id)):
            command = DeletePost(by=principal, post_id=target.item_id, reason=reason)
            await ask_topic(topic_id, command)
        case Target(kind=ItemKind.COMMENT, post_id=str(post_id)):
            await ask_post(post_id, DeleteComment(by=principal, comment_id=target.item_id))
        case Target(kind=ItemKind.ROOM_MESSAGE, room_id=str(room_id), message_id=str(message_id)):
            await ask(CHAT_ROOM, room_id, DeleteRoomMessage(
                user_id=principal.user_id, message_id=message_id, is_admin=principal.is_admin
            ))
        case Target(kind=ItemKind.ROOM, room_id=str(room_id)):
            await ask(CHAT_ROOM, room_id, DeleteRoom(
                user_id=principal.user_id, is_admin=principal.is_admin
            ))
        case _:
            raise ApiError(
                ErrorCode.INVALID, f"{target.kind} content cannot be deleted from a report"
            )
    return f"deleted {target.kind} {target.item_id}"


def offender(target: Target) -> str:
    """Who a warn or ban of ``target`` hits; 400 ``invalid`` when nobody (a room)."""
    if target.author_id is None:
        raise ApiError(ErrorCode.INVALID, f"a {target.kind} report names nobody to act on")
    return target.author_id


async def warn(principal: Principal, user_id: str, reason: str) -> str:
    """Warn ``user_id``: a stored notification and a live ``warning`` frame (see module)."""
    context = current_context()
    if context.registry is None or context.hub is None:
        raise ApiError(ErrorCode.UNAVAILABLE, "warnings are not served by this node")
    text = reason[:MAX_HUMAN_TEXT_LENGTH]
    notification_id: str = await ask(NOTIFICATION_FEED, user_id, Notify(
        kind=WARNING_KIND, title="A moderator warned you", body=text,
        actor_id=principal.user_id,
    ))
    frame = ModerationWarning(
        warning_id=notification_id, reason=WarningReason.OTHER, message=text,
        moderator_id=principal.user_id, issued_at=int(time.time() * 1000),
    )
    context.hub.publish(channel_name(ChannelKind.USER, user_id), BroadcastFrame(frame))
    return f"warned user {user_id}"


async def ban_globally(
    principal: Principal, user_id: str, seconds: int | None, reason: str
) -> str:
    """Ban ``user_id`` site-wide for ``seconds`` (None: for good) and evict them.

    ``reason`` is kept with the ban and shown to the user when they try to log in.
    """
    require_admin(principal)
    if user_id == principal.user_id:
        raise ApiError(ErrorCode.INVALID, "you cannot ban yourself")
    await store().users.update_preferences(user_id, ban_changes(time.time(), seconds, reason))
    gateway = current_context().gateway
    closed = 0 if gateway is None else gateway.disconnect_user(
        user_id, GoodbyeReason.BANNED, CloseCode.FORBIDDEN
    )
    length = "for good" if seconds is None else f"for {seconds} s"
    return f"banned user {user_id} site-wide {length}; closed {closed} connections"


async def unban_globally(principal: Principal, user_id: str) -> str:
    """Lift ``user_id``'s site-wide ban."""
    require_admin(principal)
    await store().users.update_preferences(user_id, lift_changes())
    return f"lifted the site-wide ban of user {user_id}"


async def ban_in_topic(
    principal: Principal, topic_id: str, user_id: str, reason: str, seconds: int | None
) -> str:
    """Ban ``user_id`` from the topic through its actor."""
    await ask_topic(topic_id, BanUser(by=principal, user_id=user_id, reason=reason,
                                      duration=None if seconds is None else float(seconds)))
    return f"banned user {user_id} from topic {topic_id}"


async def ban_in_room(
    principal: Principal, room_id: str, user_id: str, reason: str, seconds: int | None
) -> str:
    """Ban (and remove) ``user_id`` from the room through its actor."""
    until = None if seconds is None else time.time() + seconds
    await ask(CHAT_ROOM, room_id, KickMember(
        moderator_id=principal.user_id, user_id=user_id, reason=reason, ban=True,
        ban_until=until, is_admin=principal.is_admin,
    ))
    return f"banned user {user_id} from room {room_id}"
