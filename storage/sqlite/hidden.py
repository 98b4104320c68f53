"""SQLite content settings: one row per (user, kind, target) a user hid."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from typing import Any

from storage.records.social import HiddenItem, HiddenKind
from storage.rules import page_limit
from storage.sqlite.context import SqliteContext
from storage.sqlite.tables import Table, placeholders

HIDDEN = Table(
    "hidden_items",
    HiddenItem,
    ("user_id", "kind", "target_id"),
    lambda record: {
        "user_id": record.user_id,
        "kind": record.kind,
        "target_id": record.target_id,
        "id": record.id,
    },
)


class SqliteHidden:
    """Implements :class:`storage.protocols.social.HiddenStore` on SQLite."""

    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
        self._clock = context.clock
        self._ids = context.ids

    async def hide(self, user_id: str, kind: HiddenKind, target_id: str) -> bool:
        item = HiddenItem(
            id=self._ids.new_id(), user_id=user_id, kind=kind, target_id=target_id,
            created_at=self._clock(),
        )

        def hide(connection: sqlite3.Connection) -> bool:
            if HIDDEN.find(connection, user_id, kind, target_id) is not None:
                return False
            HIDDEN.insert(connection, item)
            return True

        added: bool = await self._run(hide)
        return added

    async def unhide(self, user_id: str, kind: HiddenKind, target_id: str) -> bool:
        removed: int = await self._run(
            lambda connection: connection.execute(
                "DELETE FROM hidden_items WHERE user_id = ? AND kind = ? AND target_id = ?",
                (user_id, kind, target_id),
            ).rowcount
        )
        return removed > 0

    async def hidden_ids(self, user_id: str, kind: HiddenKind, *, limit: int = 1000) -> list[str]:
        parameters = (user_id, kind, page_limit(limit))
        rows = await self._run(
            lambda connection: connection.execute(
                "SELECT target_id FROM hidden_items WHERE user_id = ? AND kind = ?"
                " ORDER BY id DESC LIMIT ?",
                parameters,
            ).fetchall()
        )
        return [row[0] for row in rows]

    async def list(
        self,
        user_id: str,
        kind: HiddenKind | None = None,
        *,
        before_id: str | None = None,
        limit: int = 50,
    ) -> list[HiddenItem]:
        where, parameters = "user_id = ?", [user_id]
        if kind is not None:
            where += " AND kind = ?"
            parameters.append(kind)
        if before_id is not None:
            where += " AND id < ?"
            parameters.append(before_id)
        values: list[Any] = [*parameters, page_limit(limit)]
        tail = f"WHERE {where} ORDER BY id DESC LIMIT ?"
        return await self._run(lambda connection: HIDDEN.select(connection, tail, values))

    async def count(self, user_id: str) -> int:
        row = await self._run(
            lambda connection: connection.execute(
                "SELECT count(*) FROM hidden_items WHERE user_id = ?", (user_id,)
            ).fetchone()
        )
        return int(row[0])

    async def erase_user(self, user_id: str) -> int:
        removed: int = await self._run(
            lambda connection: connection.execute(
                "DELETE FROM hidden_items WHERE user_id = ? OR (kind = 'user' AND target_id = ?)",
                (user_id, user_id),
            ).rowcount
        )
        return removed


def hidden_authors_condition(authors: Collection[str]) -> tuple[str, tuple[str, ...]]:
    """`` AND …`` leaving out the rows (posts, comments: an ``author_id`` column and an
    ``alias`` in ``doc``) signed by one of ``authors``, and its parameters; nothing
    without authors.  Anonymous rows stay: hiding a user must not reveal their aliases.
    """
    if not authors:
        return "", ()
    ordered = tuple(sorted(authors))
    return (
        f" AND NOT (author_id IN ({placeholders(len(ordered))})"
        " AND json_extract(CAST(doc AS TEXT), '$.alias') IS NULL)",
        ordered,
    )
