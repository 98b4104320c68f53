"""Protocol of the by-author reads admins use to review one user's content."""

from __future__ import annotations

from typing import Protocol

from storage.records import Comment, DirectMessage, Message, Post


class AuthoredStore(Protocol):
    """What one user wrote, per kind, newest first (by id), deleted items included.

    Each read is one indexed query: ``before_id`` continues after the previous page's
    last id and ``limit`` is 1..1000.  Deleted comments are found through the author
    kept in ``removed`` until they are purged; purged posts keep their author.
    """

    async def posts(
        self, author_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[Post]: ...

    async def comments(
        self, author_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[Comment]: ...

    async def room_messages(
        self, author_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[Message]: ...

    async def direct_messages(
        self, sender_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[DirectMessage]:
        """Direct messages the user sent."""
        ...
