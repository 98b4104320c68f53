"""Protocols of topics, memberships, posts and comments."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from msgspec import UNSET, UnsetType

from storage.records import (
    Ban,
    Comment,
    CommentSort,
    Invitation,
    Membership,
    Post,
    PostSort,
    Role,
    Topic,
    TopicSort,
    VoteTally,
    VoteValue,
)
from storage.trash import TrashCursor


class MembershipStore(Protocol):
    """Members, invitations and bans of one kind of scope (topics or rooms).

    The scope's ``member_count`` moves only when a membership is really created or
    removed, so repeated joins and leaves never double count. Policy (who may join,
    whether a ban blocks a join) belongs to the actors, not here.
    """

    async def join(self, scope_id: str, user_id: str, *, role: Role = "member") -> bool:
        """Add a membership and drop any invitation; False if already a member.

        Raises ``NotFound`` when the scope does not exist.
        """
        ...

    async def leave(self, scope_id: str, user_id: str) -> bool: ...

    async def get(self, scope_id: str, user_id: str) -> Membership | None: ...

    async def set_role(self, scope_id: str, user_id: str, role: Role) -> Membership: ...

    async def list_members(
        self, scope_id: str, *, offset: int = 0, limit: int = 50
    ) -> list[Membership]:
        """Members in joining order."""
        ...

    async def list_for_user(self, user_id: str, *, limit: int = 500) -> list[Membership]: ...

    async def invite(self, scope_id: str, user_id: str, *, invited_by: str) -> Invitation:
        """Record an invitation; inviting again keeps the first one."""
        ...

    async def list_invitations(self, user_id: str) -> list[Invitation]: ...

    async def withdraw_invitation(self, scope_id: str, user_id: str) -> bool: ...

    async def purge_invitations(self, *, created_before: float, limit: int = 500) -> int:
        """Withdraw up to ``limit`` pending invitations made before ``created_before``;
        returns how many."""
        ...

    async def ban(
        self,
        scope_id: str,
        user_id: str,
        *,
        banned_by: str,
        reason: str = "",
        until: float | None = None,
    ) -> Ban:
        """Ban (or re-ban, replacing the old terms) and remove the membership."""
        ...

    async def unban(self, scope_id: str, user_id: str) -> bool: ...

    async def get_ban(self, scope_id: str, user_id: str) -> Ban | None:
        """The ban in force now; an expired ban reads as None."""
        ...

    async def list_bans(self, scope_id: str) -> list[Ban]:
        """Bans in force now."""
        ...


class TopicStore(Protocol):
    """Topics. Titles are unique after folding (``Conflict("title")``); tags are folded."""

    @property
    def members(self) -> MembershipStore:
        """Members, invitations and bans of these scopes."""
        ...

    async def create(
        self,
        *,
        owner_id: str,
        title: str,
        description: str = "",
        tags: Sequence[str] = (),
        is_private: bool = False,
    ) -> Topic:
        """Create the topic with its owner as a member of role ``owner``."""
        ...

    async def get(self, topic_id: str, *, include_deleted: bool = False) -> Topic: ...

    async def get_many(self, topic_ids: Sequence[str]) -> list[Topic]:
        """Existing, not deleted topics among ``topic_ids``, in the order asked."""
        ...

    async def update(
        self,
        topic_id: str,
        *,
        title: str | UnsetType = UNSET,
        description: str | UnsetType = UNSET,
        tags: Sequence[str] | UnsetType = UNSET,
        is_private: bool | UnsetType = UNSET,
        owner_id: str | UnsetType = UNSET,
    ) -> Topic:
        """Change the given fields of a not deleted topic (``NotFound`` otherwise).

        ``owner_id`` only moves the record's owner; roles of members are the caller's.
        """
        ...

    async def delete(self, topic_id: str) -> Topic:
        """Soft delete: hidden from get and lists until restored."""
        ...

    async def restore(self, topic_id: str) -> Topic: ...

    async def list_topics(
        self,
        *,
        sort: TopicSort = "activity",
        tag: str | None = None,
        query: str | None = None,
        offset: int = 0,
        limit: int = 20,
        visible_with: Collection[str] | None = None,
        hidden: Collection[str] = (),
    ) -> list[Topic]:
        """Not deleted topics, newest first within the sort key.

        ``query`` matches a case-insensitive substring of title or description; it is
        literal text, never a pattern.  With ``visible_with`` (the ids of the topics the
        reader belongs to), invite-only topics are listed only when their id is in it:
        the filter applies before ``offset`` and ``limit``, so a page is never emptied by
        what its reader may not see.  None lists every topic (admins).  Topics whose id
        is in ``hidden`` (the reader's content settings) are left out the same way.
        """
        ...

    async def touch(self, topic_id: str) -> None:
        """Mark activity now (``last_activity_at``)."""
        ...


class PostStore(Protocol):
    """Posts and their votes. Creating or deleting a post moves the topic's post count."""

    async def create(
        self,
        *,
        topic_id: str,
        author_id: str,
        title: str,
        body: str,
        gif_url: str | None = None,
        attachment_ids: Sequence[str] = (),
        alias: str | None = None,
    ) -> Post:
        """Raises ``NotFound`` for an unknown topic."""
        ...

    async def get(self, post_id: str) -> Post:
        """The post, deleted or not."""
        ...

    async def get_many(self, post_ids: Sequence[str]) -> list[Post]: ...

    async def edit(self, post_id: str, *, body: str, title: str | None = None) -> Post:
        """Replace the text, pushing the previous version onto ``edit_history``."""
        ...

    async def delete(self, post_id: str) -> Post:
        """Soft delete (idempotent: the topic's count drops once)."""
        ...

    async def purge_deleted(self, *, deleted_before: float, limit: int = 500) -> int:
        """Erase the content of up to ``limit`` posts soft-deleted before ``deleted_before``.

        Title, body, edit history, GIF and attachments are emptied; the id, topic, author
        and times stay (so comments and reports still resolve).  Returns how many were
        erased; erased posts are not counted again.
        """
        ...

    async def restore(self, post_id: str) -> Post:
        """Undo a soft delete (the topic's count moves back); see :mod:`storage.trash`."""
        ...

    async def purge(self, post_id: str) -> Post:
        """Erase a deleted post's content now, as :meth:`purge_deleted` does."""
        ...

    async def list_deleted(
        self, *, before: TrashCursor | None = None, limit: int = 50
    ) -> list[Post]:
        """Deleted, not yet purged posts, newest deletion first (see :mod:`storage.trash`)."""
        ...

    async def list_for_topic(
        self,
        topic_id: str,
        *,
        sort: PostSort = "new",
        offset: int = 0,
        limit: int = 20,
        hidden_authors: Collection[str] = (),
    ) -> list[Post]:
        """Not deleted posts of the topic; ties broken by newest id.

        Posts signed by an author in ``hidden_authors`` (the reader's content settings)
        are left out before ``offset`` and ``limit``; anonymous posts never are, so the
        filter cannot reveal who wrote one.
        """
        ...

    async def recent_for_topics(
        self, topic_ids: Sequence[str], *, limit: int = 20, hidden_authors: Collection[str] = ()
    ) -> list[Post]:
        """The newest not deleted posts across the topics (a home feed), newest first;
        ``hidden_authors`` as in :meth:`list_for_topic`."""
        ...

    async def vote(self, post_id: str, user_id: str, value: VoteValue) -> VoteTally:
        """Set the user's vote (0 removes it); counts stay exact under concurrency."""
        ...

    async def votes_of(self, user_id: str, post_ids: Sequence[str]) -> dict[str, VoteValue]:
        """The user's non-zero votes among ``post_ids``."""
        ...


class CommentStore(Protocol):
    """Comment trees under posts; creating a comment moves the post's comment count."""

    async def create(
        self,
        *,
        post_id: str,
        author_id: str,
        body: str,
        parent_id: str | None = None,
        alias: str | None = None,
    ) -> Comment:
        """Raises ``NotFound`` for an unknown post or parent (of another post)."""
        ...

    async def get(self, comment_id: str) -> Comment: ...

    async def edit(self, comment_id: str, *, body: str) -> Comment:
        """Raises ``Conflict("deleted")`` on a tombstone."""
        ...

    async def delete(self, comment_id: str) -> Comment:
        """Turn the comment into a tombstone; its replies stay (text kept in ``removed``)."""
        ...

    async def restore(self, comment_id: str) -> Comment:
        """Bring back the text and author of a deleted comment; see :mod:`storage.trash`."""
        ...

    async def purge(self, comment_id: str) -> Comment:
        """Drop a deleted comment's set-aside text and author for good."""
        ...

    async def purge_deleted(self, *, deleted_before: float, limit: int = 500) -> int:
        """Purge up to ``limit`` comments deleted before ``deleted_before``; returns how many
        (purged comments are not counted again)."""
        ...

    async def list_deleted(
        self, *, before: TrashCursor | None = None, limit: int = 50
    ) -> list[Comment]:
        """Deleted, not yet purged comments, newest deletion first."""
        ...

    async def list_for_post(
        self,
        post_id: str,
        *,
        sort: CommentSort = "top",
        limit: int = 500,
        hidden_authors: Collection[str] = (),
    ) -> list[Comment]:
        """The tree flattened depth-first, siblings ordered by ``sort``.

        Comments signed by an author in ``hidden_authors`` are left out with their
        replies before ``limit`` applies (anonymous ones never are).
        """
        ...

    async def vote(self, comment_id: str, user_id: str, value: VoteValue) -> VoteTally: ...

    async def votes_of(self, user_id: str, comment_ids: Sequence[str]) -> dict[str, VoteValue]: ...
