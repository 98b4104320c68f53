"""SQLite search: FTS5 ``MATCH`` with the caller's permissions inside the query.

The index (``search_items`` + ``search_text``, ``search_users``) is kept by triggers
(:mod:`storage.sqlite.search_schema`), except that new room messages wait in a queue
for :func:`run_indexer` (:mod:`storage.sqlite.search_queue`); a search of room messages
first drains that queue in its own job.  A query is one statement on the worker thread:
the FTS5 match of the quoted prefix terms, joined with the item row, restricted by
kind, optional scope and the access clause of the kind (:data:`_ACCESS`), ordered by
``-bm25 * recency`` and limited — so nothing unreadable is ever fetched, and the page
is cut after the permission filter.
"""

# Statements are assembled from this module's constants; every value is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

import logging
import sqlite3

import trio

from storage.errors import StorageError
from storage.keys import fold
from storage.protocols.search import SearchHit, SearchKind, SearchQuery
from storage.records import User
from storage.search_text import (
    MIN_USER_SUBSTRING,
    RECENCY_SCALE_S,
    TITLE_WEIGHT,
    rank_users,
)
from storage.sqlite.context import SqliteContext
from storage.sqlite.search_queue import (
    INDEX_BATCH,
    INDEX_INTERVAL_SECONDS,
    drain_queue,
    index_queued_messages,
)
from storage.sqlite.users import USERS

logger = logging.getLogger(__name__)

_MEMBER_TOPIC = (
    "EXISTS (SELECT 1 FROM members m WHERE m.scope = 'topic' AND m.scope_id = t.id"
    " AND m.user_id = :me)"
)
_READABLE_TOPIC = (
    "EXISTS (SELECT 1 FROM topics t WHERE t.id = i.scope AND t.deleted = 0 AND (:admin"
    " OR json_extract(CAST(t.doc AS TEXT), '$.is_private') = 0 OR " + _MEMBER_TOPIC + "))"
)
_ACCESS: dict[SearchKind, str] = {
    "room_message": (
        "i.scope IN (SELECT m.scope_id FROM members m WHERE m.scope = 'room' AND m.user_id = :me)"
        " AND EXISTS (SELECT 1 FROM rooms r WHERE r.id = i.scope AND r.deleted = 0)"
        " AND NOT EXISTS (SELECT 1 FROM bans b WHERE b.scope = 'room' AND b.scope_id = i.scope"
        " AND b.user_id = :me AND (b.until IS NULL OR b.until > :now))"
    ),
    "direct_message": (
        "EXISTS (SELECT 1 FROM direct_messages d WHERE d.id = i.item_key"
        " AND (d.recipient_id = :me OR d.sender_id = :me)"
        " AND instr(' ' || d.hidden_for || ' ', ' ' || :me || ' ') = 0)"
    ),
    "post": _READABLE_TOPIC,
    "comment": _READABLE_TOPIC
    + " AND EXISTS (SELECT 1 FROM posts p WHERE p.id = i.parent AND p.deleted = 0)",
    "topic": (
        "EXISTS (SELECT 1 FROM topics t WHERE t.id = i.scope AND t.deleted = 0 AND (:admin"
        " OR json_extract(CAST(t.doc AS TEXT), '$.is_private') = 0 OR " + _MEMBER_TOPIC
        + " OR EXISTS (SELECT 1 FROM invitations v WHERE v.scope = 'topic'"
        " AND v.scope_id = t.id AND v.user_id = :me)))"
    ),
}


def match_expression(terms: tuple[str, ...]) -> str:
    """The FTS5 query of ``terms``: each a quoted string (quotes doubled) used as a
    prefix, all required.  Terms are words already (letters and digits), so the quotes
    are belt and braces: no FTS5 syntax can come from the user."""
    return " ".join('"' + term.replace('"', '""') + '"*' for term in terms)


def _statement(kind: SearchKind) -> str:
    return (
        "SELECT i.item_key, i.scope, i.parent, i.created_at, search_text.title,"
        f" search_text.body, -bm25(search_text, {TITLE_WEIGHT}, 1.0)"
        f" * (1.0 + 1.0 / (1.0 + max(0.0, :now - i.created_at) / {RECENCY_SCALE_S}))"
        " AS score FROM search_text JOIN search_items i ON i.id = search_text.rowid"
        " WHERE search_text MATCH :match AND i.kind = :kind"
        " AND (:within IS NULL OR i.scope = :within)"
        f" AND {_ACCESS[kind]} ORDER BY score DESC, i.item_key LIMIT :limit"
    )


class SqliteSearch:
    """Implements :class:`storage.protocols.search.SearchStore` on SQLite."""

    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run

    async def search(self, query: SearchQuery) -> list[SearchHit]:
        if not query.terms or query.limit < 1:
            return []
        parameters = {
            "match": match_expression(query.terms), "kind": query.kind, "me": query.user_id,
            "admin": int(query.is_admin), "now": query.now, "within": query.within,
            "limit": query.limit,
        }

        def select(connection: sqlite3.Connection) -> list[SearchHit]:
            if query.kind == "room_message":
                drain_queue(connection)
            rows = connection.execute(_statement(query.kind), parameters).fetchall()
            return [
                SearchHit(
                    kind=query.kind, key=key, scope=scope, parent=parent,
                    created_at=created_at, score=score, title=title, body=body,
                )
                for key, scope, parent, created_at, title, body, score in rows
            ]

        return await self._run(select)

    async def search_users(self, text: str, *, limit: int) -> list[User]:
        key = fold(text)
        if not key or limit < 1:
            return []

        def select(connection: sqlite3.Connection) -> list[User]:
            found = USERS.select(
                connection,
                "WHERE username_key >= ? AND username_key < ? ORDER BY username_key LIMIT ?",
                (key, key + "\U0010ffff", limit),
            )
            if len(key) >= MIN_USER_SUBSTRING:
                found += USERS.select(
                    connection,
                    "WHERE rowid IN (SELECT rowid FROM search_users WHERE search_users MATCH ?"
                    " ORDER BY rank LIMIT ?)",
                    ('"' + key.replace('"', '""') + '"', limit * 4),
                )
            return rank_users(found, key, limit)

        return await self._run(select)

    async def index_queued(self) -> int:
        """Index every queued room message, :data:`INDEX_BATCH` to a job so that posts
        interleave with the batches; returns how many."""
        total = 0
        while True:
            done = await self._run(
                lambda connection: index_queued_messages(connection, limit=INDEX_BATCH)
            )
            total += done
            if done < INDEX_BATCH:
                return total


async def run_indexer(
    search: SqliteSearch,
    interval: float = INDEX_INTERVAL_SECONDS,
    *,
    task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Index queued room messages every ``interval`` seconds until cancelled.  A failed
    round is logged and retried at the next: the queue keeps the messages meanwhile."""
    task_status.started()
    while True:
        await trio.sleep(interval)
        try:
            await search.index_queued()
        except StorageError as error:
            logger.warning("search indexing of room messages failed, retrying: %s", error)
