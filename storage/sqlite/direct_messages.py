"""SQLite direct messages, per-user conversation index and read state."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import msgspec

from storage.errors import Conflict
from storage.keys import conversation_id
from storage.records import Conversation, DirectMessage, Edit
from storage.rules import page_limit, push_edit
from storage.sqlite.context import SqliteContext
from storage.sqlite.tables import Table, placeholders

DIRECT_MESSAGES = Table(
    "direct_messages",
    DirectMessage,
    ("id",),
    lambda message: {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "recipient_id": message.recipient_id,
        "unread": int(message.read_at is None and message.deleted_at is None),
        "hidden_for": " ".join(message.hidden_for),
    },
)


class SqliteDirectMessages:
    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
        self._ids = context.ids
        self._clock = context.clock

    async def send(
        self,
        *,
        sender_id: str,
        recipient_id: str,
        body: str,
        gif_url: str | None = None,
        attachment_ids: Sequence[str] = (),
    ) -> DirectMessage:
        message = DirectMessage(
            id=self._ids.new_id(),
            conversation_id=conversation_id(sender_id, recipient_id),
            sender_id=sender_id,
            recipient_id=recipient_id,
            body=body,
            created_at=self._clock(),
            gif_url=gif_url,
            attachment_ids=tuple(attachment_ids),
        )

        def insert(connection: sqlite3.Connection) -> DirectMessage:
            DIRECT_MESSAGES.insert(connection, message)
            for user_id, other_id in ((sender_id, recipient_id), (recipient_id, sender_id)):
                connection.execute(
                    "INSERT OR REPLACE INTO conversations (user_id, conversation_id, other_id,"
                    " last_message_id, last_message_at) VALUES (?, ?, ?, ?, ?)",
                    (user_id, message.conversation_id, other_id, message.id, message.created_at),
                )
            return message

        return await self._run(insert)

    async def get(self, message_id: str) -> DirectMessage:
        return await self._run(lambda connection: DIRECT_MESSAGES.require(connection, message_id))

    async def get_many(self, message_ids: Sequence[str]) -> list[DirectMessage]:
        ids = list(message_ids)

        def select(connection: sqlite3.Connection) -> list[DirectMessage]:
            found = DIRECT_MESSAGES.select(
                connection, f"WHERE id IN ({placeholders(len(ids))})", ids
            )
            by_id = {message.id: message for message in found}
            return [by_id[message_id] for message_id in ids if message_id in by_id]

        return await self._run(select)

    async def list_messages(
        self,
        conversation_id: str,
        *,
        viewer_id: str,
        before_id: str | None = None,
        limit: int = 50,
    ) -> list[DirectMessage]:
        parameters = (conversation_id, before_id or "~", f" {viewer_id} ", page_limit(limit))
        newest_first = await self._run(
            lambda connection: DIRECT_MESSAGES.select(
                connection,
                "WHERE conversation_id = ? AND id < ? AND instr(' ' || hidden_for || ' ', ?) = 0"
                " ORDER BY id DESC LIMIT ?",
                parameters,
            )
        )
        return newest_first[::-1]

    async def edit(self, message_id: str, *, body: str) -> DirectMessage:
        now = self._clock()

        def change(message: DirectMessage) -> DirectMessage:
            if message.deleted_at is not None:
                raise Conflict("deleted")
            history = push_edit(message.edit_history, Edit(body=message.body, edited_at=now))
            return msgspec.structs.replace(message, body=body, edited_at=now, edit_history=history)

        return await self._run(
            lambda connection: DIRECT_MESSAGES.modify(connection, (message_id,), change)
        )

    async def delete_for(self, message_id: str, user_id: str) -> None:
        now = self._clock()

        def hide(message: DirectMessage) -> DirectMessage:
            if user_id in message.hidden_for:
                return message
            read_at = now if user_id == message.recipient_id and message.read_at is None else None
            return msgspec.structs.replace(
                message,
                hidden_for=(*message.hidden_for, user_id),
                read_at=read_at or message.read_at,
            )

        await self._run(lambda connection: DIRECT_MESSAGES.modify(connection, (message_id,), hide))

    async def unsend(self, message_id: str) -> DirectMessage:
        now = self._clock()

        def tombstone(message: DirectMessage) -> DirectMessage:
            if message.deleted_at is not None:
                return message
            return msgspec.structs.replace(
                message, body="", edit_history=(), deleted_at=now, gif_url=None,
                attachment_ids=(),
            )

        return await self._run(
            lambda connection: DIRECT_MESSAGES.modify(connection, (message_id,), tombstone)
        )

    async def mark_read(
        self, conversation_id: str, user_id: str, *, up_to_id: str | None = None
    ) -> int:
        now = self._clock()

        def mark(connection: sqlite3.Connection) -> int:
            unread = DIRECT_MESSAGES.select(
                connection,
                "WHERE recipient_id = ? AND unread = 1 AND conversation_id = ? AND id <= ?",
                (user_id, conversation_id, up_to_id or "~"),
            )
            for message in unread:
                DIRECT_MESSAGES.update(connection, msgspec.structs.replace(message, read_at=now))
            return len(unread)

        return await self._run(mark)

    async def unread_count(self, user_id: str) -> int:
        row = await self._run(
            lambda connection: connection.execute(
                "SELECT count(*) FROM direct_messages WHERE recipient_id = ? AND unread = 1",
                (user_id,),
            ).fetchone()
        )
        return int(row[0])

    async def conversations(self, user_id: str, *, limit: int = 50) -> list[Conversation]:
        def select(connection: sqlite3.Connection) -> list[Conversation]:
            rows = connection.execute(
                "SELECT conversation_id, other_id, last_message_id, last_message_at"
                " FROM conversations WHERE user_id = ?"
                " ORDER BY last_message_at DESC, last_message_id DESC LIMIT ?",
                (user_id, page_limit(limit)),
            ).fetchall()
            ids = [row[0] for row in rows]
            unread = dict(
                connection.execute(
                    "SELECT conversation_id, count(*) FROM direct_messages"  # noqa: S608
                    " WHERE recipient_id = ? AND unread = 1"
                    f" AND conversation_id IN ({placeholders(len(ids))})"
                    " GROUP BY conversation_id",
                    (user_id, *ids),
                ).fetchall()
            )
            return [
                Conversation(
                    id=row[0],
                    user_ids=(user_id, row[1]),
                    last_message_id=row[2],
                    last_message_at=row[3],
                    unread_count=unread.get(row[0], 0),
                )
                for row in rows
            ]

        return await self._run(select)
