"""Records of friendships and content settings (hidden topics and users)."""

from __future__ import annotations

from typing import Literal, TypeAlias

import msgspec

FriendshipState: TypeAlias = Literal["pending", "accepted"]
HiddenKind: TypeAlias = Literal["topic", "user"]


class Friendship(msgspec.Struct, frozen=True, kw_only=True):
    """The one relation of a pair of users: a pending request or a friendship.

    ``pair`` is :func:`storage.keys.conversation_id` of the two users (unique); ``id`` is
    time-sortable and issued again when a request is accepted, so lists ordered by ``id``
    show the newest request or friendship first.
    """

    pair: str
    id: str
    requester_id: str
    addressee_id: str
    state: FriendshipState
    created_at: float
    accepted_at: float | None = None

    def other(self, user_id: str) -> str:
        """The user of the pair who is not ``user_id``."""
        return self.addressee_id if user_id == self.requester_id else self.requester_id


class HiddenItem(msgspec.Struct, frozen=True, kw_only=True):
    """A topic or a user that ``user_id`` hid from their feeds and lists."""

    id: str
    user_id: str
    kind: HiddenKind
    target_id: str
    created_at: float
