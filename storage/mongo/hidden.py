"""Mongo content settings: one document per (user, kind, target) a user hid."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from pymongo import DESCENDING

from storage.errors import Conflict
from storage.mongo.documents import MongoContext
from storage.records.social import HiddenItem, HiddenKind
from storage.rules import page_limit


def _key(user_id: str, kind: HiddenKind, target_id: str) -> str:
    return f"{user_id}:{kind}:{target_id}"


class MongoHidden:
    """Implements :class:`storage.protocols.social.HiddenStore` on MongoDB."""

    def __init__(self, context: MongoContext) -> None:
        self._collection = context.database["hidden_items"]
        self._call = context.executor.call
        self._clock = context.clock
        self._ids = context.ids

    async def hide(self, user_id: str, kind: HiddenKind, target_id: str) -> bool:
        document = {
            "_id": _key(user_id, kind, target_id),
            "id": self._ids.new_id(),
            "user_id": user_id,
            "kind": kind,
            "target_id": target_id,
            "created_at": self._clock(),
        }
        try:
            await self._call(lambda: self._collection.insert_one(document), idempotent=False)
        except Conflict:
            return False
        return True

    async def unhide(self, user_id: str, kind: HiddenKind, target_id: str) -> bool:
        key = _key(user_id, kind, target_id)
        result = await self._call(lambda: self._collection.delete_one({"_id": key}))
        return result.deleted_count > 0

    async def hidden_ids(self, user_id: str, kind: HiddenKind, *, limit: int = 1000) -> list[str]:
        limit = page_limit(limit)
        found = await self._call(
            lambda: list(
                self._collection.find({"user_id": user_id, "kind": kind}, {"target_id": 1})
                .sort("id", DESCENDING)
                .limit(limit)
            )
        )
        return [document["target_id"] for document in found]

    async def list(
        self,
        user_id: str,
        kind: HiddenKind | None = None,
        *,
        before_id: str | None = None,
        limit: int = 50,
    ) -> list[HiddenItem]:
        query: dict[str, Any] = {"user_id": user_id}
        if kind is not None:
            query["kind"] = kind
        if before_id is not None:
            query["id"] = {"$lt": before_id}
        limit = page_limit(limit)
        found = await self._call(
            lambda: list(self._collection.find(query).sort("id", DESCENDING).limit(limit))
        )
        return [
            HiddenItem(
                id=document["id"], user_id=document["user_id"], kind=document["kind"],
                target_id=document["target_id"], created_at=document["created_at"],
            )
            for document in found
        ]

    async def count(self, user_id: str) -> int:
        counted: int = await self._call(
            lambda: self._collection.count_documents({"user_id": user_id})
        )
        return counted

    async def erase_user(self, user_id: str) -> int:
        selector = {"$or": [{"user_id": user_id}, {"kind": "user", "target_id": user_id}]}
        result = await self._call(lambda: self._collection.delete_many(selector))
        return int(result.deleted_count)


def hidden_authors_filter(authors: Collection[str]) -> dict[str, Any]:
    """Query conditions leaving out posts or comments signed by one of ``authors`` (none
    without authors).  Anonymous ones (an ``alias``) stay: hiding a user must not reveal
    their aliases."""
    if not authors:
        return {}
    return {"$or": [{"author_id": {"$nin": sorted(authors)}}, {"alias": {"$ne": None}}]}
