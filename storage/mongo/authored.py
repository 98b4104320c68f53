"""Mongo by-author reads: each one query on an ``(author, _id)`` index, newest first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pymongo import DESCENDING

from storage.mongo.comments import COMMENTS
from storage.mongo.direct_messages import DIRECT_MESSAGES
from storage.mongo.documents import Document, MongoContext
from storage.mongo.messages import _decode as decode_message
from storage.mongo.posts import POSTS
from storage.records import Comment, DirectMessage, Message, Post
from storage.rules import page_limit

R = TypeVar("R")


class MongoAuthored:
    """Implements :class:`storage.protocols.AuthoredStore` on MongoDB."""

    def __init__(self, context: MongoContext) -> None:
        self._database = context.database
        self._call = context.executor.call

    async def _page(
        self, collection: str, query: Document, before_id: str | None, limit: int,
        decode: Callable[[Document], R],
    ) -> list[R]:
        if before_id is not None:
            query = {**query, "_id": {"$lt": before_id}}
        limit = page_limit(limit)
        found: list[dict[str, Any]] = await self._call(
            lambda: list(
                self._database[collection].find(query).sort("_id", DESCENDING).limit(limit)
            )
        )
        return [decode(document) for document in found]

    async def posts(
        self, author_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[Post]:
        return await self._page(
            "posts", {"author_id": author_id}, before_id, limit, POSTS.decode
        )

    async def comments(
        self, author_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[Comment]:
        query = {"$or": [{"author_id": author_id}, {"removed.author_id": author_id}]}
        return await self._page("comments", query, before_id, limit, COMMENTS.decode)

    async def room_messages(
        self, author_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[Message]:
        return await self._page(
            "messages", {"author_id": author_id}, before_id, limit, decode_message
        )

    async def direct_messages(
        self, sender_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[DirectMessage]:
        return await self._page(
            "direct_messages", {"sender_id": sender_id}, before_id, limit,
            DIRECT_MESSAGES.decode,
        )
