"""SQLite channel event logs: a counter row per channel hands out gap-free numbers."""

from __future__ import annotations

import sqlite3

from storage.records import ChannelEvent
from storage.rules import page_limit
from storage.sqlite.context import SqliteContext
from storage.sqlite.tables import Table

CHANNEL_EVENTS = Table(
    "channel_events",
    ChannelEvent,
    ("channel", "seq"),
    lambda event: {"channel": event.channel, "seq": event.seq},
)


class SqliteChannelEvents:
    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
        self._clock = context.clock

    async def append(self, channel: str, *, kind: str, data: str) -> ChannelEvent:
        now = self._clock()

        def insert(connection: sqlite3.Connection) -> ChannelEvent:
            row = connection.execute(
                "INSERT INTO channel_counters (channel, last_seq) VALUES (?, 1)"
                " ON CONFLICT (channel) DO UPDATE SET last_seq = last_seq + 1"
                " RETURNING last_seq",
                (channel,),
            ).fetchone()
            event = ChannelEvent(
                channel=channel, seq=int(row[0]), kind=kind, data=data, created_at=now
            )
            return CHANNEL_EVENTS.insert(connection, event)

        return await self._run(insert)

    async def last_seq(self, channel: str) -> int:
        row = await self._run(
            lambda connection: connection.execute(
                "SELECT last_seq FROM channel_counters WHERE channel = ?", (channel,)
            ).fetchone()
        )
        return int(row[0]) if row else 0

    async def since(self, channel: str, *, after_seq: int, limit: int = 200) -> list[ChannelEvent]:
        parameters = (channel, after_seq, page_limit(limit))
        return await self._run(
            lambda connection: CHANNEL_EVENTS.select(
                connection, "WHERE channel = ? AND seq > ? ORDER BY seq LIMIT ?", parameters
            )
        )
