"""SQLite pictures: one row per subject (see :class:`storage.protocols.pictures.PictureStore`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from storage.records.pictures import Picture
from storage.sqlite.context import SqliteContext
from storage.sqlite.tables import Table

PICTURES = Table("pictures", Picture, ("subject",), lambda picture: {"subject": picture.subject})
MAX_LOOKUP = 1000
"""Subjects per :meth:`SqlitePictures.versions` statement (SQLite's variable limit)."""


class SqlitePictures:
    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run

    async def put(self, picture: Picture) -> Picture | None:
        def put(connection: sqlite3.Connection) -> Picture | None:
            earlier = PICTURES.find(connection, picture.subject)
            if earlier is None:
                PICTURES.insert(connection, picture)
            else:
                PICTURES.update(connection, picture)
            return earlier

        return await self._run(put)

    async def get(self, subject: str) -> Picture:
        return await self._run(lambda connection: PICTURES.require(connection, subject))

    async def delete(self, subject: str) -> Picture:
        def delete(connection: sqlite3.Connection) -> Picture:
            found = PICTURES.require(connection, subject)
            connection.execute("DELETE FROM pictures WHERE subject = ?", (subject,))
            return found

        return await self._run(delete)

    async def versions(self, subjects: Sequence[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(subjects))[:MAX_LOOKUP]
        if not wanted:
            return {}
        marks = ", ".join("?" for _ in wanted)
        found = await self._run(
            lambda connection: PICTURES.select(connection, f"WHERE subject IN ({marks})", wanted)
        )
        return {picture.subject: picture.version for picture in found}
