"""SQLite chat rooms; members through :class:`SqliteMemberships` with scope ``"room"``."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

from storage.builders import new_room
from storage.errors import NotFound
from storage.records import Room
from storage.sqlite.context import SqliteContext
from storage.sqlite.memberships import SqliteMemberships
from storage.sqlite.tables import Table, placeholders

ROOMS = Table(
    "rooms",
    Room,
    ("id",),
    lambda room: {
        "id": room.id,
        "topic_id": room.topic_id,
        "deleted": int(room.deleted_at is not None),
    },
)


def _adjust_members(connection: sqlite3.Connection, room_id: str, delta: int) -> None:
    ROOMS.modify(
        connection,
        (room_id,),
        lambda room: msgspec.structs.replace(room, member_count=room.member_count + delta),
    )


class SqliteRooms:
    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
        self._ids = context.ids
        self._clock = context.clock
        self.members = SqliteMemberships(context, "room", _adjust_members)

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

        def insert(connection: sqlite3.Connection) -> Room:
            ROOMS.insert(connection, room)
            connection.execute(
                "INSERT INTO members (scope, scope_id, user_id, role, joined_at)"
                " VALUES ('room', ?, ?, 'owner', ?)",
                (room.id, owner_id, now),
            )
            return room

        return await self._run(insert)

    async def get(self, room_id: str) -> Room:
        room = await self._run(lambda connection: ROOMS.require(connection, room_id))
        if room.deleted_at is not None:
            raise NotFound("room", room_id)
        return room

    async def get_many(self, room_ids: Sequence[str]) -> list[Room]:
        ids = list(room_ids)
        found = await self._run(
            lambda connection: ROOMS.select(
                connection, f"WHERE id IN ({placeholders(len(ids))}) AND deleted = 0", ids
            )
        )
        by_id = {room.id: room for room in found}
        return [by_id[room_id] for room_id in ids if room_id in by_id]

    async def _modify(self, room_id: str, change: Callable[[Room], Room]) -> Room:
        def guarded(room: Room) -> Room:
            if room.deleted_at is not None:
                raise NotFound("room", room_id)
            return change(room)

        return await self._run(lambda connection: ROOMS.modify(connection, (room_id,), guarded))

    async def update(
        self,
        room_id: str,
        *,
        name: str | UnsetType = UNSET,
        description: str | UnsetType = UNSET,
        is_private: bool | UnsetType = UNSET,
        slow_mode_seconds: int | UnsetType = UNSET,
    ) -> Room:
        changes: dict[str, Any] = {
            field: value
            for field, value in (
                ("name", name),
                ("description", description),
                ("is_private", is_private),
                ("slow_mode_seconds", slow_mode_seconds),
            )
            if value is not UNSET
        }
        return await self._modify(room_id, lambda room: msgspec.structs.replace(room, **changes))

    async def delete(self, room_id: str) -> Room:
        now = self._clock()
        return await self._modify(
            room_id, lambda room: msgspec.structs.replace(room, deleted_at=now)
        )

    async def list_for_topic(self, topic_id: str) -> list[Room]:
        return await self._run(
            lambda connection: ROOMS.select(
                connection, "WHERE topic_id = ? AND deleted = 0 ORDER BY id", (topic_id,)
            )
        )
