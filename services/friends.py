"""Friends: who may ask whom, and whether a direct message needs a friendship.

Contract:

* A friend request needs two distinct existing users of whom neither blocked the other
  (``forbidden``); friends are not asked again (``conflict``).  Asking someone who asked
  you first makes you friends at once (the store decides atomically per pair).
* Accepting needs a pending request to the caller (``not_found``) and no block either
  way (``forbidden``).
* Limits: :data:`MAX_FRIENDS` friends and :data:`MAX_PENDING_OUTGOING` unanswered
  requests per user (``conflict``).
* A user whose preference :data:`DMS_FROM_FRIENDS_ONLY` is ``true`` takes direct
  messages from friends only: :func:`require_dm_allowed` refuses everyone else
  ``forbidden``.  It is checked on every send, so it also holds in conversations that
  began before the preference was set or before a friendship ended; edits, unsends and
  reads of earlier messages are not affected.

Notifications and the REST shape belong to the facade (``http_facade/routes/friends``);
these are the rules, usable by any layer above ``services``.
"""

from __future__ import annotations

from protocol.errors import ErrorCode
from services.errors import DomainError
from storage.errors import NotFound
from storage.protocols import Store
from storage.records import User
from storage.records.social import Friendship

DMS_FROM_FRIENDS_ONLY = "dms_from_friends_only"
"""The preference (``/api/users/me/preferences``, ``/api/friends/settings``) that limits
who may send the user direct messages."""

MAX_FRIENDS = 1000
MAX_PENDING_OUTGOING = 100
FRIENDS_ONLY_REFUSAL = "this user takes direct messages from friends only"


def takes_dms_from_friends_only(user: User) -> bool:
    """Whether ``user`` set :data:`DMS_FROM_FRIENDS_ONLY` (only ``true`` counts)."""
    return user.preferences.get(DMS_FROM_FRIENDS_ONLY) is True


async def are_friends(store: Store, user_id: str, other_id: str) -> bool:
    """Whether the two users are friends (an accepted request either way)."""
    found = await store.friends.get(user_id, other_id)
    return found is not None and found.state == "accepted"


async def require_dm_allowed(store: Store, sender_id: str, recipient_id: str) -> None:
    """Refuse (``forbidden``) a direct message to a recipient who takes them from friends
    only, unless the sender is their friend.  One read of the recipient, and one of the
    pair only when the preference is set."""
    try:
        recipient = await store.users.get(recipient_id)
    except NotFound:
        raise DomainError(ErrorCode.NOT_FOUND, "no such user") from None
    if takes_dms_from_friends_only(recipient) and not await are_friends(
        store, sender_id, recipient_id
    ):
        raise DomainError(ErrorCode.FORBIDDEN, FRIENDS_ONLY_REFUSAL)


async def _pair_unblocked(store: Store, user_id: str, other_id: str) -> None:
    """Both exist (``not_found``) and neither blocked the other (``forbidden``)."""
    if user_id == other_id:
        raise DomainError(ErrorCode.INVALID, "you cannot befriend yourself")
    users = {user.id: user for user in await store.users.get_many([user_id, other_id])}
    if other_id not in users or user_id not in users:
        raise DomainError(ErrorCode.NOT_FOUND, "no such user")
    if other_id in users[user_id].blocked_user_ids:
        raise DomainError(ErrorCode.FORBIDDEN, "you blocked this user")
    if user_id in users[other_id].blocked_user_ids:
        raise DomainError(ErrorCode.FORBIDDEN, "this user does not accept your requests")


async def _room_for_a_friend(store: Store, *user_ids: str) -> None:
    for user_id in user_ids:
        if await store.friends.count(user_id, "friends") >= MAX_FRIENDS:
            raise DomainError(ErrorCode.CONFLICT, f"at most {MAX_FRIENDS} friends")


async def send_request(
    store: Store, requester_id: str, addressee_id: str
) -> tuple[Friendship, bool]:
    """Ask ``addressee_id`` to be friends (see the module); returns the pair's record and
    whether it changed (a new request, or a friendship when they had asked first)."""
    await _pair_unblocked(store, requester_id, addressee_id)
    existing = await store.friends.get(requester_id, addressee_id)
    if existing is not None and existing.state == "accepted":
        raise DomainError(ErrorCode.CONFLICT, "you are friends already")
    if existing is None:
        if await store.friends.count(requester_id, "outgoing") >= MAX_PENDING_OUTGOING:
            raise DomainError(
                ErrorCode.CONFLICT, f"at most {MAX_PENDING_OUTGOING} unanswered requests"
            )
        await _room_for_a_friend(store, requester_id)
    elif existing.requester_id == addressee_id:
        await _room_for_a_friend(store, requester_id, addressee_id)
    return await store.friends.request(requester_id, addressee_id)


async def accept_request(store: Store, addressee_id: str, requester_id: str) -> Friendship:
    """Accept the pending request of ``requester_id`` (see the module)."""
    await _pair_unblocked(store, addressee_id, requester_id)
    await _room_for_a_friend(store, requester_id, addressee_id)
    try:
        return await store.friends.accept(addressee_id, requester_id)
    except NotFound:
        raise DomainError(ErrorCode.NOT_FOUND, "no friend request from this user") from None
