"""Protocols of friendships and of content settings (what a user hid)."""

from __future__ import annotations

from typing import Literal, Protocol

from storage.records.social import Friendship, HiddenItem, HiddenKind

RequestDirection = Literal["incoming", "outgoing"]


class FriendStore(Protocol):
    """One record per pair of users: a pending request from one to the other, or a
    friendship.  Every change is atomic per pair, whatever the backend.

    Rules (blocks, limits, who may do what) belong to ``services.friends``, not here.
    """

    async def request(self, requester_id: str, addressee_id: str) -> tuple[Friendship, bool]:
        """Ask ``addressee_id`` to be friends; returns the pair's record and whether it
        changed.

        No record: a pending request is stored (changed).  A pending request the other
        way: it is accepted — two users asking each other become friends (changed).  A
        pending request this way or a friendship: returned as it is (not changed).
        """
        ...

    async def accept(self, addressee_id: str, requester_id: str) -> Friendship:
        """Accept the pending request of ``requester_id`` to ``addressee_id``;
        ``NotFound`` when there is none."""
        ...

    async def drop_request(self, requester_id: str, addressee_id: str) -> bool:
        """Remove the pending request of ``requester_id`` to ``addressee_id`` (declined
        or withdrawn); False when there is none."""
        ...

    async def unfriend(self, user_id: str, other_id: str) -> bool:
        """End the friendship of the two; False when they are not friends."""
        ...

    async def get(self, user_id: str, other_id: str) -> Friendship | None:
        """The pair's record (pending either way, or accepted), None without one."""
        ...

    async def list_friends(
        self, user_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[Friendship]:
        """The user's friendships, newest first, those with ``id < before_id`` when given."""
        ...

    async def list_requests(
        self,
        user_id: str,
        direction: RequestDirection,
        *,
        before_id: str | None = None,
        limit: int = 50,
    ) -> list[Friendship]:
        """Pending requests to (``incoming``) or from (``outgoing``) the user, newest first."""
        ...

    async def count(self, user_id: str, what: Literal["friends", "outgoing"]) -> int:
        """How many friends, or pending requests sent, the user has."""
        ...

    async def erase_user(self, user_id: str) -> int:
        """Remove every request and friendship of the user (account erasure); how many."""
        ...


class HiddenStore(Protocol):
    """What each user hid from their own feeds and lists: topics and users.

    The list queries take the hidden ids (``TopicStore.list_topics(hidden=…)``,
    ``PostStore.list_for_topic(hidden_authors=…)``…) and leave them out before paging.
    """

    async def hide(self, user_id: str, kind: HiddenKind, target_id: str) -> bool:
        """Hide; False when already hidden."""
        ...

    async def unhide(self, user_id: str, kind: HiddenKind, target_id: str) -> bool:
        """Unhide; False when it was not hidden."""
        ...

    async def hidden_ids(self, user_id: str, kind: HiddenKind, *, limit: int = 1000) -> list[str]:
        """The ids of the user's hidden targets of ``kind`` (at most ``limit``, 1..1000)."""
        ...

    async def list(
        self,
        user_id: str,
        kind: HiddenKind | None = None,
        *,
        before_id: str | None = None,
        limit: int = 50,
    ) -> list[HiddenItem]:
        """The user's hidden items (of ``kind`` when given), newest first."""
        ...

    async def count(self, user_id: str) -> int:
        """How many items the user hid, of both kinds."""
        ...

    async def erase_user(self, user_id: str) -> int:
        """Remove what the user hid and every other user's hiding of them (account
        erasure); how many."""
        ...
