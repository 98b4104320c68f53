"""Mongo chat rooms; members through :class:`MongoMemberships` with scope ``"room"``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from msgspec import UNSET, UnsetType
from pymongo import ASCENDING, ReturnDocument

from storage.builders import new_room
from storage.mongo.documents import Codec, MongoContext, in_order
from storage.mongo.memberships import MongoMemberships
from storage.records import Room

ROOMS = Codec(Room)


class MongoRooms:
    def __init__(self, context: MongoContext) -> None:
        self._collection = context.database["rooms"]
        self._members = context.database["members"]
        self._call = context.executor.call
        self._ids = context.ids
        self._clock = context.clock
        self.members = MongoMemberships(context, "room", "rooms")
        self._locks = context.locks

    async def create(
        self,
        *,
        owner_id: str,
        name: str,
        topic_id: str | None = None,
        description: str = "",
        is_private: bool = False,
    ) -> Room:
        now = self._clock()
        room = new_room(
            self._ids.new_id(),
            now,
            owner_id=owner_id,
            name=name,
            topic_id=topic_id,
            description=description,
            is_private=is_private,
        )
        await self._call(lambda: self._collection.insert_one(ROOMS.encode(room)), idempotent=False)
        owner = {
            "_id": f"room:{room.id}:{owner_id}",
            "scope": "room",
            "scope_id": room.id,
            "user_id": owner_id,
            "role": "owner",
            "joined_at": now,
        }
        await self._call(
            lambda: self._members.replace_one({"_id": owner["_id"]}, owner, upsert=True)
        )
        return room

    async def get(self, room_id: str) -> Room:
        found = await self._call(
            lambda: self._collection.find_one({"_id": room_id, "deleted_at": None})
        )
        return ROOMS.decode_or_raise(found, "room", room_id)

    async def get_many(self, room_ids: Sequence[str]) -> list[Room]:
        ids = list(room_ids)
        query = {"_id": {"$in": ids}, "deleted_at": None}
        found = await self._call(lambda: list(self._collection.find(query)))
        return in_order({document["_id"]: ROOMS.decode(document) for document in found}, ids)

    async def _set(self, room_id: str, changes: dict[str, Any]) -> Room:
        if not changes:
            return await self.get(room_id)
        async with self._locks.hold(f"rooms:{room_id}"):
            found = await self._call(
                lambda: self._collection.find_one_and_update(
                    {"_id": room_id, "deleted_at": None},
                    {"$set": changes},
                    return_document=ReturnDocument.AFTER,
                )
            )
        return ROOMS.decode_or_raise(found, "room", room_id)

    async def update(
        self,
        room_id: str,
        *,
        name: str | UnsetType = UNSET,
        description: str | UnsetType = UNSET,
        is_private: bool | UnsetType = UNSET,
        slow_mode_seconds: int | UnsetType = UNSET,
    ) -> Room:
        changes = {
            field: value
            for field, value in (
                ("name", name),
                ("description", description),
                ("is_private", is_private),
                ("slow_mode_seconds", slow_mode_seconds),
            )
            if value is not UNSET
        }
        return await self._set(room_id, changes)

    async def delete(self, room_id: str) -> Room:
        return await self._set(room_id, {"deleted_at": self._clock()})

    async def list_for_topic(self, topic_id: str) -> list[Room]:
        query = {"topic_id": topic_id, "deleted_at": None}
        found = await self._call(lambda: list(self._collection.find(query).sort("_id", ASCENDING)))
        return [ROOMS.decode(document) for document in found]
