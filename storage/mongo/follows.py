"""Mongo follows and mutes: one document per (kind, target, user), keyed by all three."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pymongo import ASCENDING

from storage.errors import Conflict
from storage.mongo.documents import MongoContext
from storage.rules import page_limit

Relation = Literal["follow", "mute"]


class MongoFollows:
    def __init__(self, context: MongoContext) -> None:
        self._collection = context.database["follows"]
        self._call = context.executor.call
        self._clock = context.clock

    async def _add(self, kind: Relation, user_id: str, target_id: str) -> bool:
        document = {
            "_id": f"{kind}:{target_id}:{user_id}",
            "kind": kind,
            "target_id": target_id,
            "user_id": user_id,
            "created_at": self._clock(),
        }
        try:
            await self._call(lambda: self._collection.insert_one(document), idempotent=False)
        except Conflict:
            return False
        return True

    async def _remove(self, kind: Relation, user_id: str, target_id: str) -> bool:
        result = await self._call(
            lambda: self._collection.delete_one({"_id": f"{kind}:{target_id}:{user_id}"})
        )
        return result.deleted_count > 0

    async def follow(self, user_id: str, target_id: str) -> bool:
        return await self._add("follow", user_id, target_id)

    async def unfollow(self, user_id: str, target_id: str) -> bool:
        return await self._remove("follow", user_id, target_id)

    async def is_following(self, user_id: str, target_id: str) -> bool:
        found = await self._call(
            lambda: self._collection.find_one({"_id": f"follow:{target_id}:{user_id}"}, {"_id": 1})
        )
        return found is not None

    async def followers(self, target_id: str, *, limit: int = 1000) -> list[str]:
        limit = page_limit(limit)
        found = await self._call(
            lambda: list(
                self._collection.find({"kind": "follow", "target_id": target_id})
                .sort([("created_at", ASCENDING), ("user_id", ASCENDING)])
                .limit(limit)
            )
        )
        return [document["user_id"] for document in found]

    async def mute(self, user_id: str, target_id: str) -> bool:
        return await self._add("mute", user_id, target_id)

    async def unmute(self, user_id: str, target_id: str) -> bool:
        return await self._remove("mute", user_id, target_id)

    async def muting(self, user_ids: Sequence[str], target_ids: Sequence[str]) -> set[str]:
        keys = [f"mute:{target}:{user}" for target in target_ids for user in user_ids]
        if not keys:
            return set()
        found = await self._call(
            lambda: list(self._collection.find({"_id": {"$in": keys}}, {"user_id": 1}))
        )
        return {document["user_id"] for document in found}
