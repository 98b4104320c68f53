"""SQLite follows and mutes: one row per (kind, target, user)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Literal

from storage.rules import page_limit
from storage.sqlite.context import SqliteContext
from storage.sqlite.tables import placeholders

Relation = Literal["follow", "mute"]


class SqliteFollows:
    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
        self._clock = context.clock

    async def _add(self, kind: Relation, user_id: str, target_id: str) -> bool:
        now = self._clock()
        added: int = await self._run(
            lambda connection: (
                connection.execute(
                    "INSERT OR IGNORE INTO follows (kind, target_id, user_id, created_at)"
                    " VALUES (?, ?, ?, ?)",
                    (kind, target_id, user_id, now),
                ).rowcount
            )
        )
        return added > 0

    async def _remove(self, kind: Relation, user_id: str, target_id: str) -> bool:
        removed: int = await self._run(
            lambda connection: (
                connection.execute(
                    "DELETE FROM follows WHERE kind = ? AND target_id = ? AND user_id = ?",
                    (kind, target_id, user_id),
                ).rowcount
            )
        )
        return removed > 0

    async def follow(self, user_id: str, target_id: str) -> bool:
        return await self._add("follow", user_id, target_id)

    async def unfollow(self, user_id: str, target_id: str) -> bool:
        return await self._remove("follow", user_id, target_id)

    async def is_following(self, user_id: str, target_id: str) -> bool:
        row = await self._run(
            lambda connection: connection.execute(
                "SELECT 1 FROM follows WHERE kind = 'follow' AND target_id = ? AND user_id = ?",
                (target_id, user_id),
            ).fetchone()
        )
        return row is not None

    async def followers(self, target_id: str, *, limit: int = 1000) -> list[str]:
        parameters = (target_id, page_limit(limit))
        rows = await self._run(
            lambda connection: connection.execute(
                "SELECT user_id FROM follows WHERE kind = 'follow' AND target_id = ?"
                " ORDER BY created_at, user_id LIMIT ?",
                parameters,
            ).fetchall()
        )
        return [row[0] for row in rows]

    async def mute(self, user_id: str, target_id: str) -> bool:
        return await self._add("mute", user_id, target_id)

    async def unmute(self, user_id: str, target_id: str) -> bool:
        return await self._remove("mute", user_id, target_id)

    async def muting(self, user_ids: Sequence[str], target_ids: Sequence[str]) -> set[str]:
        users, targets = list(user_ids), list(target_ids)

        def select(connection: sqlite3.Connection) -> set[str]:
            rows = connection.execute(
                "SELECT DISTINCT user_id FROM follows WHERE kind = 'mute'"  # noqa: S608
                f" AND user_id IN ({placeholders(len(users))})"
                f" AND target_id IN ({placeholders(len(targets))})",
                (*users, *targets),
            )
            return {row[0] for row in rows}

        return await self._run(select)
