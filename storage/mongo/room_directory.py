"""Mongo room directory (:class:`storage.protocols.reading.RoomDirectoryStore`).

Public rooms are read in ``_id`` order, in chunks, and matched in Python with
:func:`storage.keys.fold` (the same folding as the SQLite store; no ``$regex``: the search
text is never a pattern).  Invitations of one room read ``invitations`` by
``scope, scope_id`` (index of :mod:`storage.mongo.indexes`).
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING

from storage.keys import fold
from storage.mongo.documents import MongoContext
from storage.mongo.rooms import ROOMS
from storage.protocols.reading import DIRECTORY_SCAN
from storage.records import Invitation, Room
from storage.rules import page_limit

_CHUNK = 200
_INVITATION_FIELDS = ("scope_id", "user_id", "invited_by", "created_at")


class MongoRoomDirectory:
    def __init__(self, context: MongoContext) -> None:
        self._rooms = context.database["rooms"]
        self._invitations = context.database["invitations"]
        self._call = context.executor.call

    async def public_rooms(
        self, *, query: str = "", after_id: str | None = None, limit: int = 50
    ) -> tuple[list[Room], str | None]:
        limit = page_limit(limit)
        needle = fold(query)

        def scan() -> tuple[list[Room], str | None]:
            found: list[Room] = []
            last = after_id or ""
            scanned = 0
            while scanned < DIRECTORY_SCAN:
                chunk = list(
                    self._rooms.find(
                        {"_id": {"$gt": last}, "is_private": False, "deleted_at": None}
                    ).sort("_id", ASCENDING).limit(_CHUNK)
                )
                for document in chunk:
                    scanned += 1
                    room = ROOMS.decode(document)
                    last = room.id
                    if needle in fold(room.name):
                        found.append(room)
                        if len(found) == limit:
                            return found, last
                if len(chunk) < _CHUNK:
                    return found, None
            return found, last

        return await self._call(scan)

    async def room_invitations(
        self, room_id: str, *, offset: int = 0, limit: int = 50
    ) -> list[Invitation]:
        limit = page_limit(limit)
        query: dict[str, Any] = {"scope": "room", "scope_id": room_id}
        found = await self._call(
            lambda: list(
                self._invitations.find(query)
                .sort([("created_at", ASCENDING), ("user_id", ASCENDING)])
                .skip(offset).limit(limit)
            )
        )
        return [
            Invitation(**{name: document[name] for name in _INVITATION_FIELDS})
            for document in found
        ]
