"""SQLite notifications."""

from __future__ import annotations

import sqlite3

import msgspec

from storage.records import DataValue, Notification
from storage.redaction import redacted
from storage.rules import page_limit
from storage.sqlite.context import SqliteContext
from storage.sqlite.tables import Table

NOTIFICATIONS = Table(
    "notifications",
    Notification,
    ("id",),
    lambda notification: {
        "id": notification.id,
        "user_id": notification.user_id,
        "unread": int(notification.read_at is None),
        "subject": _text(notification.data.get("subject")),
        "object_id": _text(notification.data.get("object_id")),
    },
)


def _text(value: DataValue | None) -> str | None:
    return value if isinstance(value, str) else None


class SqliteNotifications:
    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
        self._ids = context.ids
        self._clock = context.clock

    async def create(
        self, *, user_id: str, kind: str, data: dict[str, DataValue] | None = None
    ) -> Notification:
        notification = Notification(
            id=self._ids.new_id(),
            user_id=user_id,
            kind=kind,
            created_at=self._clock(),
            data=dict(data or {}),
        )
        return await self._run(lambda connection: NOTIFICATIONS.insert(connection, notification))

    async def list_for_user(
        self,
        user_id: str,
        *,
        before_id: str | None = None,
        limit: int = 50,
        unread_only: bool = False,
    ) -> list[Notification]:
        unread = " AND unread = 1" if unread_only else ""
        tail = f"WHERE user_id = ? AND id < ?{unread} ORDER BY id DESC LIMIT ?"
        parameters = (user_id, before_id or "~", page_limit(limit))
        return await self._run(
            lambda connection: NOTIFICATIONS.select(connection, tail, parameters)
        )

    async def unread_count(self, user_id: str) -> int:
        row = await self._run(
            lambda connection: connection.execute(
                "SELECT count(*) FROM notifications WHERE user_id = ? AND unread = 1", (user_id,)
            ).fetchone()
        )
        return int(row[0])

    async def _mark(self, where: str, parameters: tuple[str, ...]) -> int:
        now = self._clock()

        def mark(connection: sqlite3.Connection) -> int:
            unread = NOTIFICATIONS.select(connection, f"WHERE {where} AND unread = 1", parameters)
            for notification in unread:
                NOTIFICATIONS.update(connection, msgspec.structs.replace(notification, read_at=now))
            return len(unread)

        return await self._run(mark)

    async def mark_read(self, user_id: str, notification_id: str) -> bool:
        return await self._mark("user_id = ? AND id = ?", (user_id, notification_id)) > 0

    async def mark_all_read(self, user_id: str) -> int:
        return await self._mark("user_id = ?", (user_id,))

    async def mark_read_through(self, user_id: str, notification_id: str) -> int:
        return await self._mark("user_id = ? AND id <= ?", (user_id, notification_id))

    async def redact(
        self, subject: str, object_id: str | None = None, *, title: str | None = None
    ) -> int:
        where = "WHERE subject = ?" + ("" if object_id is None else " AND object_id = ?")
        parameters = (subject,) if object_id is None else (subject, object_id)

        def redact(connection: sqlite3.Connection) -> int:
            found = NOTIFICATIONS.select(connection, where, parameters)
            changed = [redacted(note, title) for note in found]
            changed = [new for new, old in zip(changed, found, strict=True) if new is not old]
            for notification in changed:
                NOTIFICATIONS.update(connection, notification)
            return len(changed)

        return await self._run(redact)
