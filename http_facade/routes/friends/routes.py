"""``/api/friends``: friend requests, friends, and taking DMs from friends only.

Contract (rules in :mod:`services.friends`):

* Everything here acts for the caller (login required) and shows other users in their
  public view only.
* ``POST /requests`` asks a user (201 with the request; 200 with the pair's record when
  nothing changed: asked before).  Two users who ask each other become friends at once.
  A block either way refuses it (403 ``forbidden``); friends are not asked again (409).
* ``POST /requests/{user}/accept`` and ``/decline`` answer a request to the caller (404
  without one); ``DELETE /requests/{user}`` withdraws the caller's own request;
  ``DELETE /{user}`` ends a friendship (404 when there is none).
* A new request notifies the asked user (``friend_request``), an acceptance the asker
  (``friend_accepted``): stored in their feed and live on ``user:<id>`` by the
  ``notification_feed`` actor.  A notification is *told*: a failure to deliver it is
  logged and never undoes or fails the change.
* ``GET|PUT /settings``: ``dms_from_friends_only`` (the preference
  :data:`services.friends.DMS_FROM_FRIENDS_ONLY`, also visible in
  ``/api/users/me/preferences``).
"""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag_blueprint, validate_querystring, validate_response

from actors.users.notification_feed import NOTIFICATION_FEED, Notify
from http_facade.errors import ApiError
from http_facade.guard import login_required
from http_facade.node_access import checked_id, registry, store, tell_actor
from http_facade.pagination import BeforeIdPosition, decode_cursor, next_cursor
from http_facade.replies import Done
from http_facade.routes.friends.schemas import (
    FriendListQuery,
    FriendPage,
    FriendRequestCreate,
    FriendRequestPage,
    FriendRequestQuery,
    FriendRequestView,
    FriendSettings,
    FriendView,
)
from http_facade.validation import validate_body
from protocol.enums import NotificationKind
from protocol.errors import ErrorCode
from services import friends as rules
from services.principal import Principal
from storage.records import User
from storage.records.social import Friendship

blueprint = Blueprint("friends", __name__, url_prefix="/api/friends")
tag_blueprint(blueprint, ["friends"])


def _before(cursor: str | None) -> str | None:
    position = decode_cursor(cursor, BeforeIdPosition)
    return None if position is None else position.b


async def _others(viewer_id: str, records: list[Friendship]) -> dict[str, User]:
    found = await store().users.get_many([record.other(viewer_id) for record in records])
    return {user.id: user for user in found}


async def _notify(user_id: str, kind: NotificationKind, by: User, title: str) -> None:
    await tell_actor(
        registry(), NOTIFICATION_FEED, user_id,
        Notify(kind=kind, title=title, actor_id=by.id, link="/friends"),
    )


async def _announce(record: Friendship, actor: User) -> None:
    """Notify the other user of a change ``actor`` made to ``record``."""
    if record.state == "pending":
        await _notify(
            record.addressee_id, NotificationKind.FRIEND_REQUEST, actor,
            f"{actor.username} asked to be your friend",
        )
    else:
        await _notify(
            record.requester_id, NotificationKind.FRIEND_ACCEPTED, actor,
            f"{actor.username} accepted your friend request",
        )


@blueprint.get("")
@login_required
@validate_querystring(FriendListQuery)
@validate_response(FriendPage)
async def list_friends(principal: Principal, query_args: FriendListQuery) -> FriendPage:
    """My friends, newest friendship first."""
    records = await store().friends.list_friends(
        principal.user_id, before_id=_before(query_args.cursor), limit=query_args.limit + 1
    )
    page = records[: query_args.limit]
    others = await _others(principal.user_id, page)
    return FriendPage(
        friends=[
            FriendView.of(record, others[record.other(principal.user_id)])
            for record in page
            if record.other(principal.user_id) in others
        ],
        next_cursor=next_cursor(
            BeforeIdPosition(b=page[-1].id) if len(records) > query_args.limit else None
        ),
    )


@blueprint.delete("/<user_id>")
@login_required
@validate_response(Done)
async def remove_friend(principal: Principal, user_id: str) -> Done:
    """End a friendship (either friend may); 404 when we are not friends."""
    if not await store().friends.unfriend(principal.user_id, checked_id(user_id, "friend")):
        raise ApiError(ErrorCode.NOT_FOUND, "no such friend")
    return Done(message="removed")


@blueprint.get("/requests")
@login_required
@validate_querystring(FriendRequestQuery)
@validate_response(FriendRequestPage)
async def list_requests(principal: Principal, query_args: FriendRequestQuery) -> FriendRequestPage:
    """Pending requests to me (``incoming``, the default) or from me (``outgoing``)."""
    records = await store().friends.list_requests(
        principal.user_id,
        query_args.direction,
        before_id=_before(query_args.cursor),
        limit=query_args.limit + 1,
    )
    page = records[: query_args.limit]
    others = await _others(principal.user_id, page)
    return FriendRequestPage(
        requests=[
            FriendRequestView.of(record, principal.user_id, others[record.other(principal.user_id)])
            for record in page
            if record.other(principal.user_id) in others
        ],
        next_cursor=next_cursor(
            BeforeIdPosition(b=page[-1].id) if len(records) > query_args.limit else None
        ),
    )


@blueprint.post("/requests")
@login_required
@validate_body(FriendRequestCreate)
@validate_response(FriendRequestView, 200)
@validate_response(FriendRequestView, 201)
async def send_request(
    principal: Principal, data: FriendRequestCreate
) -> tuple[FriendRequestView, int]:
    """Ask a user to be my friend (201); asked before: 200 with the request as it is."""
    record, changed = await rules.send_request(store(), principal.user_id, data.user_id)
    users = await _others(principal.user_id, [record])
    if changed:
        await _announce(record, await store().users.get(principal.user_id))
    return FriendRequestView.of(record, principal.user_id, users[data.user_id]), (
        201 if changed else 200
    )


@blueprint.post("/requests/<user_id>/accept")
@login_required
@validate_response(FriendRequestView)
async def accept_request(principal: Principal, user_id: str) -> FriendRequestView:
    """Accept the request of ``user_id``: we are friends."""
    record = await rules.accept_request(
        store(), principal.user_id, checked_id(user_id, "friend request")
    )
    me, other = await store().users.get(principal.user_id), await store().users.get(user_id)
    await _announce(record, me)
    return FriendRequestView.of(record, principal.user_id, other)


@blueprint.post("/requests/<user_id>/decline")
@login_required
@validate_response(Done)
async def decline_request(principal: Principal, user_id: str) -> Done:
    """Decline the request of ``user_id`` (they are not told)."""
    requester = checked_id(user_id, "friend request")
    if not await store().friends.drop_request(requester, principal.user_id):
        raise ApiError(ErrorCode.NOT_FOUND, "no friend request from this user")
    return Done(message="declined")


@blueprint.delete("/requests/<user_id>")
@login_required
@validate_response(Done)
async def withdraw_request(principal: Principal, user_id: str) -> Done:
    """Withdraw my pending request to ``user_id``."""
    addressee = checked_id(user_id, "friend request")
    if not await store().friends.drop_request(principal.user_id, addressee):
        raise ApiError(ErrorCode.NOT_FOUND, "no friend request to this user")
    return Done(message="withdrawn")


@blueprint.get("/settings")
@login_required
@validate_response(FriendSettings)
async def my_settings(principal: Principal) -> FriendSettings:
    """Whether I take direct messages from friends only."""
    me = await store().users.get(principal.user_id)
    return FriendSettings(dms_from_friends_only=rules.takes_dms_from_friends_only(me))


@blueprint.put("/settings")
@login_required
@validate_body(FriendSettings)
@validate_response(FriendSettings)
async def update_settings(principal: Principal, data: FriendSettings) -> FriendSettings:
    """Take direct messages from friends only (``true``) or from everyone (``false``)."""
    user = await store().users.update_preferences(
        principal.user_id, {rules.DMS_FROM_FRIENDS_ONLY: data.dms_from_friends_only}
    )
    return FriendSettings(dms_from_friends_only=rules.takes_dms_from_friends_only(user))
