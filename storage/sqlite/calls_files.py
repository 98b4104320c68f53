"""SQLite call log and file metadata."""

from __future__ import annotations

import sqlite3

import msgspec

from storage.errors import Conflict
from storage.records import Call, CallOutcome, FileRecord
from storage.rules import page_limit
from storage.sqlite.context import SqliteContext
from storage.sqlite.tables import Table

CALLS = Table("calls", Call, ("id",), lambda call: {"id": call.id})
FILES = Table("files", FileRecord, ("id",), lambda file: {"id": file.id, "owner_id": file.owner_id})


def _add_participant(connection: sqlite3.Connection, call: Call, user_id: str) -> Call:
    connection.execute(
        "INSERT OR IGNORE INTO call_participants (user_id, call_id) VALUES (?, ?)",
        (user_id, call.id),
    )
    if user_id in call.participant_ids:
        return call
    return msgspec.structs.replace(call, participant_ids=(*call.participant_ids, user_id))


class SqliteCalls:
    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
        self._ids = context.ids
        self._clock = context.clock

    async def start(self, *, context_id: str, initiator_id: str, kind: str = "audio") -> Call:
        call = Call(
            id=self._ids.new_id(),
            context_id=context_id,
            initiator_id=initiator_id,
            kind=kind,
            started_at=self._clock(),
        )

        def insert(connection: sqlite3.Connection) -> Call:
            return CALLS.insert(connection, _add_participant(connection, call, initiator_id))

        return await self._run(insert)

    async def join(self, call_id: str, user_id: str) -> Call:
        return await self._run(
            lambda connection: CALLS.modify(
                connection, (call_id,), lambda call: _add_participant(connection, call, user_id)
            )
        )

    async def end(self, call_id: str, *, outcome: CallOutcome) -> Call:
        now = self._clock()

        def end(call: Call) -> Call:
            if call.ended_at is not None:
                raise Conflict("state", "the call already ended")
            return msgspec.structs.replace(call, ended_at=now, outcome=outcome)

        return await self._run(lambda connection: CALLS.modify(connection, (call_id,), end))

    async def get(self, call_id: str) -> Call:
        return await self._run(lambda connection: CALLS.require(connection, call_id))

    async def list_unfinished(self, *, started_before: float, limit: int = 100) -> list[Call]:
        parameters = (started_before, page_limit(limit))
        return await self._run(
            lambda connection: CALLS.select(
                connection, "WHERE open_since < ? ORDER BY open_since LIMIT ?", parameters
            )
        )

    async def list_for_user(
        self, user_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[Call]:
        parameters = (user_id, before_id or "~", page_limit(limit))
        return await self._run(
            lambda connection: CALLS.select(
                connection,
                "WHERE id IN (SELECT call_id FROM call_participants WHERE user_id = ?"
                " AND call_id < ?) ORDER BY id DESC LIMIT ?",
                parameters,
            )
        )


class SqliteFiles:
    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
        self._ids = context.ids
        self._clock = context.clock

    async def create(
        self, *, owner_id: str, name: str, content_type: str, size: int, blob_key: str
    ) -> FileRecord:
        record = FileRecord(
            id=self._ids.new_id(),
            owner_id=owner_id,
            name=name,
            content_type=content_type,
            size=size,
            blob_key=blob_key,
            created_at=self._clock(),
        )
        return await self._run(lambda connection: FILES.insert(connection, record))

    async def get(self, file_id: str) -> FileRecord:
        return await self._run(lambda connection: FILES.require(connection, file_id))

    async def delete(self, file_id: str) -> FileRecord:
        def delete(connection: sqlite3.Connection) -> FileRecord:
            record = FILES.require(connection, file_id)
            connection.execute("DELETE FROM files WHERE id = ?", (file_id,))
            return record

        return await self._run(delete)

    async def list_for_owner(
        self, owner_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[FileRecord]:
        parameters = (owner_id, before_id or "~", page_limit(limit))
        return await self._run(
            lambda connection: FILES.select(
                connection, "WHERE owner_id = ? AND id < ? ORDER BY id DESC LIMIT ?", parameters
            )
        )
