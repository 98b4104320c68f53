"""SQLite votes: one row per (item, user); the item's counters move by the vote's delta."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from storage.records import VoteValue
from storage.rules import check_vote
from storage.sqlite.tables import placeholders


def record_vote(
    connection: sqlite3.Connection, item_id: str, user_id: str, value: VoteValue
) -> int:
    """Store the user's vote on the item and return the vote it replaced (0 if none)."""
    row = connection.execute(
        "SELECT value FROM votes WHERE item_id = ? AND user_id = ?", (item_id, user_id)
    ).fetchone()
    if value == 0:
        connection.execute(
            "DELETE FROM votes WHERE item_id = ? AND user_id = ?", (item_id, user_id)
        )
    else:
        connection.execute(
            "INSERT OR REPLACE INTO votes (item_id, user_id, value) VALUES (?, ?, ?)",
            (item_id, user_id, value),
        )
    return int(row[0]) if row else 0


def votes_of(
    connection: sqlite3.Connection, user_id: str, item_ids: Sequence[str]
) -> dict[str, VoteValue]:
    ids = list(item_ids)
    rows = connection.execute(
        f"SELECT item_id, value FROM votes WHERE user_id = ?"  # noqa: S608
        f" AND item_id IN ({placeholders(len(ids))})",
        (user_id, *ids),
    )
    return {item_id: check_vote(value) for item_id, value in rows}
