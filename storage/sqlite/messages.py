"""SQLite room messages: a per-room counter row hands out gap-free sequence numbers."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

import msgspec

from storage.errors import Conflict
from storage.records import Edit, Message, MessageDraft, Reaction, ReopenedLog
from storage.rules import check_emoji, page_limit, push_edit
from storage.sqlite.context import SqliteContext
from storage.sqlite.tables import Table

MESSAGES = Table(
    "messages",
    Message,
    ("room_id", "seq"),
    lambda message: {"room_id": message.room_id, "seq": message.seq},
)


def reserve_sequence(connection: sqlite3.Connection, room_id: str, count: int) -> int:
    """Reserve ``count`` sequence numbers in the room; returns the first."""
    row = connection.execute(
        "INSERT INTO room_counters (room_id, last_seq) VALUES (?, ?)"
        " ON CONFLICT (room_id) DO UPDATE SET last_seq = last_seq + excluded.last_seq"
        " RETURNING last_seq",
        (room_id, count),
    ).fetchone()
    return int(row[0]) - count + 1


def with_reaction(message: Message, emoji: str, user_id: str, present: bool) -> Message:
    """The message with ``user_id`` added to (or removed from) the ``emoji`` reaction."""
    check_emoji(emoji)
    reactions = {reaction.emoji: reaction.user_ids for reaction in message.reactions}
    users = reactions.get(emoji, ())
    if present and user_id not in users:
        reactions[emoji] = (*users, user_id)
    elif not present:
        reactions[emoji] = tuple(user for user in users if user != user_id)
    return msgspec.structs.replace(
        message,
        reactions=tuple(
            Reaction(emoji=key, user_ids=value) for key, value in sorted(reactions.items()) if value
        ),
    )


class SqliteMessages:
    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
        self._ids = context.ids
        self._clock = context.clock
        self._fences: dict[str, int] = {}

    async def append(
        self, room_id: str, draft: MessageDraft, *, fence: int | None = None
    ) -> Message:
        (message,) = await self.append_many(room_id, (draft,), fence=fence)
        return message

    async def append_many(
        self, room_id: str, drafts: Sequence[MessageDraft], *, fence: int | None = None
    ) -> list[Message]:
        if not drafts:
            return []
        now = self._clock()
        ids = [self._ids.new_id() for _ in drafts]

        def insert(connection: sqlite3.Connection) -> list[Message]:
            if fence is not None:  # the worker thread is the only writer: no race here
                if fence < self._fences.get(room_id, 0):
                    raise Conflict("fence", f"room {room_id} has a newer owner")
                self._fences[room_id] = fence
            first = reserve_sequence(connection, room_id, len(drafts))
            messages = [
                Message(
                    id=message_id,
                    room_id=room_id,
                    seq=first + offset,
                    author_id=draft.author_id,
                    body=draft.body,
                    created_at=now,
                    kind=draft.kind,
                    reply_to_id=draft.reply_to_id,
                    attachment_ids=draft.attachment_ids,
                    nonce=draft.nonce,
                    gif_url=draft.gif_url,
                )
                for offset, (message_id, draft) in enumerate(zip(ids, drafts, strict=True))
            ]
            for message in messages:
                MESSAGES.insert(connection, message)
            return messages

        return await self._run(insert)

    async def get(self, room_id: str, seq: int) -> Message:
        return await self._run(lambda connection: MESSAGES.require(connection, room_id, seq))

    async def last_seq(self, room_id: str) -> int:
        row = await self._run(
            lambda connection: connection.execute(
                "SELECT last_seq FROM room_counters WHERE room_id = ?", (room_id,)
            ).fetchone()
        )
        return int(row[0]) if row else 0

    async def page_before(
        self, room_id: str, *, before_seq: int | None = None, limit: int = 50
    ) -> list[Message]:
        bound = before_seq if before_seq is not None else 2**62
        parameters = (room_id, bound, page_limit(limit))
        newest_first = await self._run(
            lambda connection: MESSAGES.select(
                connection, "WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?", parameters
            )
        )
        return newest_first[::-1]

    async def reopen(self, room_id: str, *, recent: int, fence: int | None = None) -> ReopenedLog:
        def settle(connection: sqlite3.Connection) -> ReopenedLog:
            if fence is not None:
                if fence < self._fences.get(room_id, 0):
                    raise Conflict("fence", f"room {room_id} has a newer owner")
                self._fences[room_id] = fence
            newest = MESSAGES.select(
                connection, "WHERE room_id = ? ORDER BY seq DESC LIMIT ?",
                (room_id, max(recent, 1)),
            )
            last_seq = newest[0].seq if newest else 0
            connection.execute(
                "UPDATE room_counters SET last_seq = ? WHERE room_id = ? AND last_seq > ?",
                (last_seq, room_id, last_seq),
            )
            nonces = tuple(
                (message.author_id, message.nonce, message.seq)
                for message in reversed(newest[:recent])
                if message.nonce is not None
            )
            return ReopenedLog(last_seq=last_seq, nonces=nonces)

        return await self._run(settle)

    async def since(self, room_id: str, *, after_seq: int, limit: int = 200) -> list[Message]:
        parameters = (room_id, after_seq, page_limit(limit))
        return await self._run(
            lambda connection: MESSAGES.select(
                connection, "WHERE room_id = ? AND seq > ? ORDER BY seq LIMIT ?", parameters
            )
        )

    async def _modify(
        self, room_id: str, seq: int, change: Callable[[Message], Message]
    ) -> Message:
        return await self._run(
            lambda connection: MESSAGES.modify(connection, (room_id, seq), change)
        )

    async def edit(self, room_id: str, seq: int, *, body: str) -> Message:
        now = self._clock()

        def change(message: Message) -> Message:
            if message.deleted_at is not None:
                raise Conflict("deleted")
            history = push_edit(message.edit_history, Edit(body=message.body, edited_at=now))
            return msgspec.structs.replace(message, body=body, edited_at=now, edit_history=history)

        return await self._modify(room_id, seq, change)

    async def delete(self, room_id: str, seq: int) -> Message:
        now = self._clock()

        def tombstone(message: Message) -> Message:
            if message.deleted_at is not None:
                return message
            return msgspec.structs.replace(
                message, body="", attachment_ids=(), reactions=(), edit_history=(), deleted_at=now,
                gif_url=None,
            )

        return await self._modify(room_id, seq, tombstone)

    async def add_reaction(self, room_id: str, seq: int, *, user_id: str, emoji: str) -> Message:
        return await self._modify(
            room_id, seq, lambda message: with_reaction(message, emoji, user_id, True)
        )

    async def remove_reaction(self, room_id: str, seq: int, *, user_id: str, emoji: str) -> Message:
        return await self._modify(
            room_id, seq, lambda message: with_reaction(message, emoji, user_id, False)
        )
