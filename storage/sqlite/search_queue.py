"""Room messages reach the search index in batches, off the path of the post.

Indexing a message inside its own write (the trigger of :mod:`storage.sqlite.search_schema`)
was about 70 % of the SQL of a room post (``bench/sqlite_append_cost.py``): FTS5 writes
a segment per transaction.  Since :data:`SEARCH_QUEUE_MIGRATION`, inserting a message
only appends ``(room_id, seq)`` to ``search_message_queue``; :func:`index_queued_messages`
indexes the queue oldest first, many messages to a transaction.

Who runs it, and why no search ever misses a message:

* :class:`~storage.sqlite.search.SqliteSearch` drains the whole queue in the same job,
  before it reads, whenever it searches room messages: a search sees every message
  committed before it, as when the trigger indexed them;
* the store's indexer (:func:`storage.sqlite.search.run_indexer`) drains it every
  :data:`INDEX_INTERVAL_SECONDS`, in jobs of at most :data:`INDEX_BATCH` messages, so
  the queue stays short and a search pays for at most an interval of posts.

The other triggers on ``messages`` stay as they were.  An edit or a deletion of a
message still in the queue indexes (or unindexes) it at once, and the batch then skips
it: ``INSERT OR IGNORE`` on the item's unique ``(kind, item_key)``, and only the items
this batch inserted get their text.  A message deleted from the table before its batch
simply has nothing to join.
"""

from __future__ import annotations

import functools
import sqlite3

from storage.sqlite.search_schema import ROOM_MESSAGES, source_sql

INDEX_BATCH = 512
INDEX_INTERVAL_SECONDS = 1.0

SEARCH_QUEUE_MIGRATION = """
CREATE TABLE search_message_queue (
    id INTEGER PRIMARY KEY, room_id TEXT NOT NULL, seq INTEGER NOT NULL);
DROP TRIGGER search_messages_insert;
CREATE TRIGGER search_messages_insert AFTER INSERT ON messages BEGIN
INSERT INTO search_message_queue (room_id, seq) VALUES (NEW.room_id, NEW.seq);
END;
"""


def _statements() -> tuple[str, str]:
    s, at = ROOM_MESSAGES, functools.partial(source_sql, ROOM_MESSAGES, row="X")
    queued = (
        "FROM search_message_queue q JOIN messages X ON X.room_id = q.room_id"
        " AND X.seq = q.seq"
    )
    items = (
        "INSERT OR IGNORE INTO search_items (kind, item_key, scope, parent, created_at)"
        f" SELECT '{s.kind}', {at(s.key)}, {at(s.scope)}, {at(s.parent)},"
        f" coalesce({at('$.created_at')}, 0) {queued}"
        f" WHERE q.id <= :through AND {at(s.live)} ORDER BY q.id"
    )
    texts = (
        "INSERT INTO search_text (rowid, title, body)"
        f" SELECT DISTINCT i.id, coalesce({at(s.title)}, ''), coalesce({at(s.body)}, '')"
        f" {queued} JOIN search_items i ON i.kind = '{s.kind}' AND i.item_key = {at(s.key)}"
        " WHERE q.id <= :through AND i.id > :before"
    )
    return items, texts


_ITEMS, _TEXTS = _statements()


def index_queued_messages(connection: sqlite3.Connection, *, limit: int) -> int:
    """Index the oldest ``limit`` queued messages and dequeue them, in the caller's
    transaction; returns how many were dequeued (fewer than ``limit``: the queue is empty).
    """
    through, taken = connection.execute(
        "SELECT max(id), count(*) FROM"
        " (SELECT id FROM search_message_queue ORDER BY id LIMIT ?)",
        (limit,),
    ).fetchone()
    if not taken:
        return 0
    # New items take rowids above the current largest (no AUTOINCREMENT, never reused
    # below it), so "above `before`" is exactly what this batch inserts.
    (before,) = connection.execute("SELECT coalesce(max(id), 0) FROM search_items").fetchone()
    parameters = {"through": through, "before": before}
    connection.execute(_ITEMS, parameters)
    connection.execute(_TEXTS, parameters)
    connection.execute("DELETE FROM search_message_queue WHERE id <= ?", (through,))
    return int(taken)


def drain_queue(connection: sqlite3.Connection) -> int:
    """Index every queued message in the caller's transaction; returns how many."""
    total = 0
    while True:
        done = index_queued_messages(connection, limit=INDEX_BATCH)
        total += done
        if done < INDEX_BATCH:
            return total
