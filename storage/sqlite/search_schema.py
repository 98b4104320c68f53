"""The SQL of the search migration: FTS5 tables, the triggers that keep them, backfill.

Migration text once applied must never change: this module only assembles constant
SQL, and :data:`SEARCH_MIGRATION` is appended to :data:`storage.sqlite.schema.MIGRATIONS`.

* ``search_items`` holds one row per searchable item (``kind``, ``item_key``, its
  ``scope``: room, conversation or topic, a comment's ``parent`` post, ``created_at``);
  ``search_text`` (FTS5, ``unicode61 remove_diacritics 2``, prefix indexes of 2 and 3
  characters) holds its ``title`` and ``body`` under the same rowid.
* Triggers on ``messages``, ``direct_messages``, ``posts``, ``comments`` and
  ``topics`` keep both in the writer's own transaction: an item is indexed while it is
  live (not deleted, not removed, a text message) and re-indexed when its text, scope or
  liveness changes (reactions and votes do not touch the index).
* ``search_users`` (FTS5 ``trigram``) holds ``users.username_key`` under the user's
  rowid, for substring search.
* Existing rows are indexed by the migration itself.
"""

# The SQL here is assembled from this module's constants only (no value from outside).
# ruff: noqa: S608

from __future__ import annotations

import dataclasses
import functools


def _field(row: str, path: str) -> str:
    return f"json_extract(CAST({row}.doc AS TEXT), '$.{path}')"


@dataclasses.dataclass(frozen=True)
class Source:
    kind: str
    table: str
    key: str
    scope: str
    parent: str
    title: str
    body: str
    live: str


_SOURCES: tuple[Source, ...] = (
    Source(
        "room_message", "messages", "X.room_id || ':' || X.seq", "X.room_id", "NULL", "''",
        "$.body", "coalesce($.kind, 'text') = 'text' AND $.deleted_at IS NULL",
    ),
    Source(
        "direct_message", "direct_messages", "X.id", "X.conversation_id", "NULL", "''",
        "$.body", "$.deleted_at IS NULL",
    ),
    Source("post", "posts", "X.id", "X.topic_id", "NULL", "$.title", "$.body", "X.deleted = 0"),
    Source(
        "comment", "comments", "X.id", "(SELECT p.topic_id FROM posts p WHERE p.id = X.post_id)",
        "X.post_id", "''", "$.body", "$.deleted_at IS NULL AND $.removed IS NULL",
    ),
    Source("topic", "topics", "X.id", "X.id", "NULL", "$.title", "$.description", "X.deleted = 0"),
)


def source_sql(source: Source, template: str, row: str) -> str:
    """``template`` for ``row`` (``NEW``, ``OLD`` or a table alias): ``X.`` names the row's
    columns, ``$.name`` a field of its JSON document."""
    out = template.replace("X.", f"{row}.")
    for path in ("$.kind", "$.deleted_at", "$.removed", "$.title", "$.body", "$.description",
                 "$.created_at"):
        out = out.replace(path, _field(row, path[2:]))
    return out


def _index(source: Source, row: str) -> str:
    s, at = source, functools.partial(source_sql, source, row=row)
    key, live = at(s.key), at(s.live)
    return (
        f"INSERT INTO search_items (kind, item_key, scope, parent, created_at)"
        f" SELECT '{s.kind}', {key}, {at(s.scope)}, {at(s.parent)},"
        f" coalesce({at('$.created_at')}, 0) WHERE {live};\n"
        f"INSERT INTO search_text (rowid, title, body)"
        f" SELECT id, coalesce({at(s.title)}, ''), coalesce({at(s.body)}, '')"
        f" FROM search_items WHERE kind = '{s.kind}' AND item_key = {key} AND {live};\n"
    )


def _unindex(source: Source, row: str) -> str:
    key = source_sql(source, source.key, row)
    return (
        f"DELETE FROM search_text WHERE rowid IN (SELECT id FROM search_items"
        f" WHERE kind = '{source.kind}' AND item_key = {key});\n"
        f"DELETE FROM search_items WHERE kind = '{source.kind}' AND item_key = {key};\n"
    )


def _changed(source: Source) -> str:
    parts = (source.key, source.scope, source.title, source.body, f"({source.live})")
    return " OR ".join(
        f"({source_sql(source, part, 'OLD')}) IS NOT ({source_sql(source, part, 'NEW')})"
        for part in parts
    )


def _triggers(source: Source) -> str:
    t = source.table
    return (
        f"CREATE TRIGGER search_{t}_insert AFTER INSERT ON {t} BEGIN\n"
        f"{_unindex(source, 'NEW')}{_index(source, 'NEW')}END;\n"
        f"CREATE TRIGGER search_{t}_update AFTER UPDATE ON {t} WHEN {_changed(source)} BEGIN\n"
        f"{_unindex(source, 'OLD')}{_unindex(source, 'NEW')}{_index(source, 'NEW')}END;\n"
        f"CREATE TRIGGER search_{t}_delete AFTER DELETE ON {t} BEGIN\n"
        f"{_unindex(source, 'OLD')}END;\n"
    )


def _backfill(source: Source) -> str:
    s, at = source, functools.partial(source_sql, source, row="X")
    key, live = at(s.key), at(s.live)
    return (
        f"INSERT INTO search_items (kind, item_key, scope, parent, created_at)"
        f" SELECT '{s.kind}', {key}, {at(s.scope)}, {at(s.parent)},"
        f" coalesce({at('$.created_at')}, 0) FROM {s.table} X WHERE {live};\n"
        f"INSERT INTO search_text (rowid, title, body)"
        f" SELECT i.id, coalesce({at(s.title)}, ''), coalesce({at(s.body)}, '')"
        f" FROM {s.table} X JOIN search_items i ON i.kind = '{s.kind}' AND i.item_key = {key}"
        f" WHERE {live};\n"
    )


_USERS = """
CREATE VIRTUAL TABLE search_users USING fts5(username_key, tokenize = 'trigram');
CREATE TRIGGER search_users_insert AFTER INSERT ON users BEGIN
DELETE FROM search_users WHERE rowid = NEW.rowid;
INSERT INTO search_users (rowid, username_key) VALUES (NEW.rowid, NEW.username_key);
END;
CREATE TRIGGER search_users_update AFTER UPDATE ON users
WHEN OLD.username_key IS NOT NEW.username_key BEGIN
DELETE FROM search_users WHERE rowid = OLD.rowid;
INSERT INTO search_users (rowid, username_key) VALUES (NEW.rowid, NEW.username_key);
END;
CREATE TRIGGER search_users_delete AFTER DELETE ON users BEGIN
DELETE FROM search_users WHERE rowid = OLD.rowid;
END;
INSERT INTO search_users (rowid, username_key) SELECT rowid, username_key FROM users;
"""

ROOM_MESSAGES = _SOURCES[0]

SEARCH_MIGRATION = (
    "CREATE TABLE search_items (id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
    " item_key TEXT NOT NULL, scope TEXT NOT NULL, parent TEXT, created_at REAL NOT NULL,"
    " UNIQUE (kind, item_key));\n"
    "CREATE INDEX search_items_scope ON search_items (kind, scope);\n"
    "CREATE VIRTUAL TABLE search_text USING fts5(title, body,"
    " tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');\n"
    + "".join(_triggers(source) + _backfill(source) for source in _SOURCES)
    + _USERS
)
