"""SQLite room directory (:class:`storage.protocols.reading.RoomDirectoryStore`).

Public rooms are read in id order from the ``rooms`` primary key, in chunks, and matched
in Python with :func:`storage.keys.fold` (the same folding as the Mongo store, so both
agree): the search text is never a pattern.  Invitations of one room read the
``invitations`` primary key ``(scope, scope_id, user_id)``.
"""

from __future__ import annotations

import sqlite3

from storage.keys import fold
from storage.protocols.reading import DIRECTORY_SCAN
from storage.records import Invitation, Room
from storage.rules import page_limit
from storage.sqlite.context import SqliteContext
from storage.sqlite.rooms import ROOMS

_CHUNK = 200


class SqliteRoomDirectory:
    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run

    async def public_rooms(
        self, *, query: str = "", after_id: str | None = None, limit: int = 50
    ) -> tuple[list[Room], str | None]:
        limit = page_limit(limit)
        needle = fold(query)

        def scan(connection: sqlite3.Connection) -> tuple[list[Room], str | None]:
            found: list[Room] = []
            last = after_id or ""
            scanned = 0
            while scanned < DIRECTORY_SCAN:
                chunk = ROOMS.select(
                    connection,
                    "WHERE id > ? AND deleted = 0"
                    " AND json_extract(CAST(doc AS TEXT), '$.is_private') = 0"
                    " ORDER BY id LIMIT ?",
                    (last, _CHUNK),
                )
                for room in chunk:
                    scanned += 1
                    last = room.id
                    if needle in fold(room.name):
                        found.append(room)
                        if len(found) == limit:
                            return found, last
                if len(chunk) < _CHUNK:
                    return found, None
            return found, last

        return await self._run(scan)

    async def room_invitations(
        self, room_id: str, *, offset: int = 0, limit: int = 50
    ) -> list[Invitation]:
        limit = page_limit(limit)
        rows = await self._run(
            lambda connection: connection.execute(
                "SELECT scope_id, user_id, invited_by, created_at FROM invitations"
                " WHERE scope = 'room' AND scope_id = ? ORDER BY created_at, user_id"
                " LIMIT ? OFFSET ?",
                (room_id, limit, offset),
            ).fetchall()
        )
        return [
            Invitation(scope_id=row[0], user_id=row[1], invited_by=row[2], created_at=row[3])
            for row in rows
        ]
