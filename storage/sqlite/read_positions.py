"""SQLite read positions and unread mentions (:class:`storage.protocols.reading.ReadPositionStore`).

Tables ``read_positions (user_id, channel) -> seq`` and ``unread_mentions (user_id,
channel, seq)``, both keyed for the queries below: a position moving forward deletes the
mentions it covers, so ``unread_mentions`` holds only mentions not read yet and a count
reads one key range.  Unread room messages are counted over the ``messages`` primary key
``(room_id, seq)`` from the position up, at most ``cap`` rows; topic feeds over
``channel_events (channel, seq)`` alike.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from storage.protocols.reading import COUNT_CAP
from storage.sqlite.context import SqliteContext

_ADVANCE = (
    "INSERT INTO read_positions (user_id, channel, seq, updated_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (user_id, channel) DO UPDATE SET seq = excluded.seq,"
    " updated_at = excluded.updated_at WHERE excluded.seq > read_positions.seq"
)
_FORGET_MENTIONS = "DELETE FROM unread_mentions WHERE user_id = ? AND channel = ? AND seq <= ?"
_COUNT_MENTIONS = (
    "SELECT count(*) FROM (SELECT 1 FROM unread_mentions"
    " WHERE user_id = ? AND channel = ? AND seq > ? LIMIT ?)"
)
_COUNT_MESSAGES = (
    "SELECT count(*) FROM (SELECT 1 FROM messages WHERE room_id = ? AND seq > ?"
    " AND json_extract(CAST(doc AS TEXT), '$.kind') = 'text'"
    " AND json_extract(CAST(doc AS TEXT), '$.deleted_at') IS NULL"
    " AND json_extract(CAST(doc AS TEXT), '$.author_id') != ? LIMIT ?)"
)
_COUNT_POSTS = (
    "SELECT count(*) FROM (SELECT 1 FROM channel_events WHERE channel = ? AND seq > ?"
    " AND json_extract(CAST(doc AS TEXT), '$.kind') = 'post_created' LIMIT ?)"
)


def _counts(
    connection: sqlite3.Connection, statement: str, rows: Sequence[tuple[str, tuple[Any, ...]]]
) -> dict[str, int]:
    found: dict[str, int] = {}
    for key, parameters in rows:
        (count,) = connection.execute(statement, parameters).fetchone()
        if count:
            found[key] = int(count)
    return found


class SqliteReadPositions:
    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
        self._clock = context.clock

    async def advance(self, moves: Sequence[tuple[str, str, int]]) -> None:
        if not moves:
            return
        now = self._clock()

        def advance(connection: sqlite3.Connection) -> None:
            connection.executemany(
                _ADVANCE, [(user, channel, seq, now) for user, channel, seq in moves]
            )
            connection.executemany(_FORGET_MENTIONS, moves)

        await self._run(advance)

    async def positions(self, user_id: str, channels: Sequence[str]) -> dict[str, int]:
        wanted = list(dict.fromkeys(channels))
        if not wanted:
            return {}

        def read(connection: sqlite3.Connection) -> dict[str, int]:
            found: dict[str, int] = {}
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ", ".join("?" for _ in chunk)
                rows = connection.execute(
                    "SELECT channel, seq FROM read_positions"  # noqa: S608 (marks only)
                    f" WHERE user_id = ? AND channel IN ({marks})",
                    (user_id, *chunk),
                )
                found.update((channel, int(seq)) for channel, seq in rows)
            return found

        return await self._run(read)

    async def record_mentions(self, channel: str, seq: int, user_ids: Sequence[str]) -> None:
        if not user_ids:
            return
        await self._run(
            lambda connection: connection.executemany(
                "INSERT OR IGNORE INTO unread_mentions (user_id, channel, seq) VALUES (?, ?, ?)",
                [(user_id, channel, seq) for user_id in dict.fromkeys(user_ids)],
            )
        )

    async def mention_counts(
        self, user_id: str, positions: Mapping[str, int], *, cap: int = COUNT_CAP
    ) -> dict[str, int]:
        rows = [(channel, (user_id, channel, seq, cap)) for channel, seq in positions.items()]
        return await self._run(lambda connection: _counts(connection, _COUNT_MENTIONS, rows))

    async def unread_room_messages(
        self, user_id: str, positions: Mapping[str, int], *, cap: int = COUNT_CAP
    ) -> dict[str, int]:
        rows = [(room, (room, seq, user_id, cap)) for room, seq in positions.items()]
        return await self._run(lambda connection: _counts(connection, _COUNT_MESSAGES, rows))

    async def unread_feed_posts(
        self, positions: Mapping[str, int], *, cap: int = COUNT_CAP
    ) -> dict[str, int]:
        rows = [(channel, (channel, seq, cap)) for channel, seq in positions.items()]
        return await self._run(lambda connection: _counts(connection, _COUNT_POSTS, rows))
