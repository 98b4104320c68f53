"""SQLite by-author reads: each one indexed query on a column generated from the records."""

from __future__ import annotations

from typing import TypeVar

import msgspec

from storage.records import Comment, DirectMessage, Message, Post
from storage.rules import page_limit
from storage.sqlite.comments import COMMENTS
from storage.sqlite.context import SqliteContext
from storage.sqlite.direct_messages import DIRECT_MESSAGES
from storage.sqlite.messages import MESSAGES
from storage.sqlite.posts import POSTS
from storage.sqlite.tables import Table

R = TypeVar("R", bound=msgspec.Struct)


class SqliteAuthored:
    """Implements :class:`storage.protocols.AuthoredStore` on SQLite."""

    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run

    async def _page(
        self, table: Table[R], columns: tuple[str, str], user_id: str, before_id: str | None,
        limit: int,
    ) -> list[R]:
        user, order = columns
        tail = f"WHERE {user} = ? AND {order} < ? ORDER BY {order} DESC LIMIT ?"
        parameters = (user_id, before_id or "~", page_limit(limit))
        return await self._run(lambda connection: table.select(connection, tail, parameters))

    async def posts(
        self, author_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[Post]:
        return await self._page(POSTS, ("author_id", "id"), author_id, before_id, limit)

    async def comments(
        self, author_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[Comment]:
        return await self._page(COMMENTS, ("author_id", "id"), author_id, before_id, limit)

    async def room_messages(
        self, author_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[Message]:
        return await self._page(
            MESSAGES, ("author_id", "message_id"), author_id, before_id, limit
        )

    async def direct_messages(
        self, sender_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[DirectMessage]:
        return await self._page(
            DIRECT_MESSAGES, ("sender_id", "id"), sender_id, before_id, limit
        )
