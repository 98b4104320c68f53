"""SQLite schema and its migrations, applied once when the connection opens.

``MIGRATIONS[i]`` brings the schema from version ``i`` to ``i + 1``; the version lives
in ``schema_version``. Append new migrations, never edit applied ones.
"""

from __future__ import annotations

import sqlite3

from storage.sqlite.delivery import DELIVERY_MIGRATION
from storage.sqlite.search_queue import SEARCH_QUEUE_MIGRATION
from storage.sqlite.search_schema import SEARCH_MIGRATION
from storage.sqlite.support import SUPPORT_MIGRATION
from storage.sqlite.webhooks import WEBHOOKS_MIGRATION

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE users (
        id TEXT PRIMARY KEY, username_key TEXT NOT NULL UNIQUE,
        email_key TEXT NOT NULL UNIQUE, doc BLOB NOT NULL);
    CREATE TABLE one_time_tokens (
        token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, purpose TEXT NOT NULL,
        expires_at REAL NOT NULL, doc BLOB NOT NULL);
    CREATE INDEX one_time_tokens_user ON one_time_tokens (user_id, purpose);
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at REAL NOT NULL,
        expires_at REAL NOT NULL, doc BLOB NOT NULL);
    CREATE INDEX sessions_user ON sessions (user_id, created_at);
    CREATE TABLE topics (
        id TEXT PRIMARY KEY, title_key TEXT NOT NULL UNIQUE, search_text TEXT NOT NULL,
        tags TEXT NOT NULL, deleted INTEGER NOT NULL, member_count INTEGER NOT NULL,
        last_activity_at REAL NOT NULL, doc BLOB NOT NULL);
    CREATE INDEX topics_activity ON topics (deleted, last_activity_at);
    CREATE INDEX topics_members ON topics (deleted, member_count);
    CREATE TABLE members (
        scope TEXT NOT NULL, scope_id TEXT NOT NULL, user_id TEXT NOT NULL,
        role TEXT NOT NULL, joined_at REAL NOT NULL,
        PRIMARY KEY (scope, scope_id, user_id));
    CREATE INDEX members_user ON members (scope, user_id);
    CREATE INDEX members_order ON members (scope, scope_id, joined_at);
    CREATE TABLE invitations (
        scope TEXT NOT NULL, scope_id TEXT NOT NULL, user_id TEXT NOT NULL,
        invited_by TEXT NOT NULL, created_at REAL NOT NULL,
        PRIMARY KEY (scope, scope_id, user_id));
    CREATE INDEX invitations_user ON invitations (scope, user_id);
    CREATE TABLE bans (
        scope TEXT NOT NULL, scope_id TEXT NOT NULL, user_id TEXT NOT NULL,
        banned_by TEXT NOT NULL, reason TEXT NOT NULL, created_at REAL NOT NULL, until REAL,
        PRIMARY KEY (scope, scope_id, user_id));
    CREATE TABLE posts (
        id TEXT PRIMARY KEY, topic_id TEXT NOT NULL, deleted INTEGER NOT NULL,
        score INTEGER NOT NULL, hot REAL NOT NULL, doc BLOB NOT NULL);
    CREATE INDEX posts_topic_new ON posts (topic_id, deleted, id);
    CREATE INDEX posts_topic_top ON posts (topic_id, deleted, score);
    CREATE INDEX posts_topic_hot ON posts (topic_id, deleted, hot);
    CREATE TABLE votes (
        item_id TEXT NOT NULL, user_id TEXT NOT NULL, value INTEGER NOT NULL,
        PRIMARY KEY (item_id, user_id));
    CREATE INDEX votes_user ON votes (user_id, item_id);
    CREATE TABLE comments (
        id TEXT PRIMARY KEY, post_id TEXT NOT NULL, doc BLOB NOT NULL);
    CREATE INDEX comments_post ON comments (post_id, id);
    CREATE TABLE rooms (
        id TEXT PRIMARY KEY, topic_id TEXT, deleted INTEGER NOT NULL, doc BLOB NOT NULL);
    CREATE INDEX rooms_topic ON rooms (topic_id, id);
    CREATE TABLE room_counters (room_id TEXT PRIMARY KEY, last_seq INTEGER NOT NULL);
    CREATE TABLE messages (
        room_id TEXT NOT NULL, seq INTEGER NOT NULL, doc BLOB NOT NULL,
        PRIMARY KEY (room_id, seq)) WITHOUT ROWID;
    CREATE TABLE direct_messages (
        id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, recipient_id TEXT NOT NULL,
        unread INTEGER NOT NULL, hidden_for TEXT NOT NULL, doc BLOB NOT NULL);
    CREATE INDEX direct_messages_conversation ON direct_messages (conversation_id, id);
    CREATE INDEX direct_messages_unread ON direct_messages (recipient_id, unread);
    CREATE TABLE conversations (
        user_id TEXT NOT NULL, conversation_id TEXT NOT NULL, other_id TEXT NOT NULL,
        last_message_id TEXT NOT NULL, last_message_at REAL NOT NULL,
        PRIMARY KEY (user_id, conversation_id));
    CREATE INDEX conversations_activity ON conversations (user_id, last_message_at);
    CREATE TABLE notifications (
        id TEXT PRIMARY KEY, user_id TEXT NOT NULL, unread INTEGER NOT NULL,
        doc BLOB NOT NULL);
    CREATE INDEX notifications_user ON notifications (user_id, id);
    CREATE INDEX notifications_unread ON notifications (user_id, unread);
    CREATE TABLE reports (
        id TEXT PRIMARY KEY, reporter_id TEXT NOT NULL, item_kind TEXT NOT NULL,
        item_id TEXT NOT NULL, state TEXT NOT NULL, topic_id TEXT, doc BLOB NOT NULL,
        UNIQUE (reporter_id, item_kind, item_id));
    CREATE INDEX reports_queue ON reports (state, id);
    CREATE TABLE audit_log (
        id TEXT PRIMARY KEY, topic_id TEXT, target_id TEXT NOT NULL, doc BLOB NOT NULL);
    CREATE TABLE calls (id TEXT PRIMARY KEY, doc BLOB NOT NULL);
    CREATE TABLE call_participants (
        user_id TEXT NOT NULL, call_id TEXT NOT NULL, PRIMARY KEY (user_id, call_id));
    CREATE TABLE files (id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, doc BLOB NOT NULL);
    CREATE INDEX files_owner ON files (owner_id, id);
    """,
    """
    CREATE TABLE channel_counters (channel TEXT PRIMARY KEY, last_seq INTEGER NOT NULL);
    CREATE TABLE channel_events (
        channel TEXT NOT NULL, seq INTEGER NOT NULL, doc BLOB NOT NULL,
        PRIMARY KEY (channel, seq)) WITHOUT ROWID;
    CREATE TABLE follows (
        kind TEXT NOT NULL, target_id TEXT NOT NULL, user_id TEXT NOT NULL,
        created_at REAL NOT NULL, PRIMARY KEY (kind, target_id, user_id));
    CREATE INDEX follows_user ON follows (kind, user_id, target_id);
    """,
    # Moderation (issue 9): columns generated from the record documents, so the existing
    # rows are covered at once and no writer has to fill them in.
    """
    ALTER TABLE posts ADD COLUMN author_id TEXT
        GENERATED ALWAYS AS (json_extract(CAST(doc AS TEXT), '$.author_id')) VIRTUAL;
    ALTER TABLE posts ADD COLUMN trashed_at REAL GENERATED ALWAYS AS (CASE
        WHEN deleted = 1 AND json_extract(CAST(doc AS TEXT), '$.purged_at') IS NULL
        THEN json_extract(CAST(doc AS TEXT), '$.deleted_at') END) VIRTUAL;
    CREATE INDEX posts_author ON posts (author_id, id);
    CREATE INDEX posts_trash ON posts (trashed_at, id);
    ALTER TABLE comments ADD COLUMN author_id TEXT GENERATED ALWAYS AS (coalesce(
        json_extract(CAST(doc AS TEXT), '$.author_id'),
        json_extract(CAST(doc AS TEXT), '$.removed.author_id'))) VIRTUAL;
    ALTER TABLE comments ADD COLUMN trashed_at REAL GENERATED ALWAYS AS (CASE
        WHEN json_extract(CAST(doc AS TEXT), '$.removed') IS NOT NULL
        THEN json_extract(CAST(doc AS TEXT), '$.deleted_at') END) VIRTUAL;
    CREATE INDEX comments_author ON comments (author_id, id);
    CREATE INDEX comments_trash ON comments (trashed_at, id);
    ALTER TABLE messages ADD COLUMN author_id TEXT
        GENERATED ALWAYS AS (json_extract(CAST(doc AS TEXT), '$.author_id')) VIRTUAL;
    ALTER TABLE messages ADD COLUMN message_id TEXT
        GENERATED ALWAYS AS (json_extract(CAST(doc AS TEXT), '$.id')) VIRTUAL;
    CREATE INDEX messages_author ON messages (author_id, message_id);
    ALTER TABLE direct_messages ADD COLUMN sender_id TEXT
        GENERATED ALWAYS AS (json_extract(CAST(doc AS TEXT), '$.sender_id')) VIRTUAL;
    CREATE INDEX direct_messages_sender ON direct_messages (sender_id, id);
    ALTER TABLE calls ADD COLUMN open_since REAL GENERATED ALWAYS AS (CASE
        WHEN json_extract(CAST(doc AS TEXT), '$.ended_at') IS NULL
        THEN json_extract(CAST(doc AS TEXT), '$.started_at') END) VIRTUAL;
    CREATE INDEX calls_open ON calls (open_since);
    CREATE INDEX invitations_age ON invitations (scope, created_at);
    """,
    """
    CREATE TABLE passkeys (
        id TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at REAL NOT NULL,
        doc BLOB NOT NULL);
    CREATE INDEX passkeys_user ON passkeys (user_id, created_at);
    CREATE TABLE security_events (
        id TEXT PRIMARY KEY, user_id TEXT NOT NULL, session_id TEXT NOT NULL,
        kind TEXT NOT NULL, created_at REAL NOT NULL, doc BLOB NOT NULL);
    CREATE INDEX security_events_user ON security_events (user_id, id);
    CREATE INDEX security_events_session ON security_events (session_id, created_at);
    CREATE TABLE account_requests (
        id TEXT PRIMARY KEY, user_id TEXT NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL,
        due_at REAL NOT NULL, doc BLOB NOT NULL);
    CREATE INDEX account_requests_user ON account_requests (user_id, kind, id);
    CREATE INDEX account_requests_due ON account_requests (kind, state, due_at);
    """,
    # Search (issue 22): FTS5 over messages, posts, comments, topics and usernames, kept
    # by triggers and filled from the existing rows (storage/sqlite/search_schema.py).
    SEARCH_MIGRATION,
    # Personal access tokens and bot ownership (issue 22, docs/AUTH.md "Tokens").
    """
    CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL,
        owner_id TEXT NOT NULL, doc BLOB NOT NULL);
    CREATE INDEX api_tokens_owner ON api_tokens (owner_id, id);
    CREATE INDEX api_tokens_user ON api_tokens (user_id);
    CREATE TABLE bot_owners (
        bot_id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, created_at REAL NOT NULL,
        doc BLOB NOT NULL);
    CREATE INDEX bot_owners_owner ON bot_owners (owner_id, created_at);
    """,
    # Outgoing webhooks, their delivery queue and log (issue 22, docs/WEBHOOKS.md).
    WEBHOOKS_MIGRATION,
    # Friends and content settings (issue 23, docs/COMMUNITY.md "Friends").
    """
    CREATE TABLE friendships (
        pair TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE, requester_id TEXT NOT NULL,
        addressee_id TEXT NOT NULL, state TEXT NOT NULL, doc BLOB NOT NULL);
    CREATE INDEX friendships_requester ON friendships (requester_id, state, id);
    CREATE INDEX friendships_addressee ON friendships (addressee_id, state, id);
    CREATE TABLE hidden_items (
        user_id TEXT NOT NULL, kind TEXT NOT NULL, target_id TEXT NOT NULL, id TEXT NOT NULL,
        doc BLOB NOT NULL, PRIMARY KEY (user_id, kind, target_id));
    CREATE INDEX hidden_items_user ON hidden_items (user_id, id);
    """,
    # Offline delivery: push subscriptions, preferences, digests (issue 23,
    # docs/NOTIFICATIONS.md).
    DELIVERY_MIGRATION,
    # Pictures (avatars, topic and room pictures), and what each notification is about,
    # so that deleting content empties its notifications' text (issue 23, docs/FILES.md).
    """
    CREATE TABLE pictures (subject TEXT PRIMARY KEY, doc BLOB NOT NULL);
    ALTER TABLE notifications ADD COLUMN subject TEXT;
    ALTER TABLE notifications ADD COLUMN object_id TEXT;
    UPDATE notifications SET
        subject = json_extract(CAST(doc AS TEXT), '$.data.subject'),
        object_id = json_extract(CAST(doc AS TEXT), '$.data.object_id');
    CREATE INDEX notifications_about ON notifications (subject, object_id);
    """,
    # Read positions per user and channel, and the mentions not read yet (issue 23,
    # docs/MESSAGING.md "Unread").
    """
    CREATE TABLE read_positions (
        user_id TEXT NOT NULL, channel TEXT NOT NULL, seq INTEGER NOT NULL,
        updated_at REAL NOT NULL, PRIMARY KEY (user_id, channel)) WITHOUT ROWID;
    CREATE TABLE unread_mentions (
        user_id TEXT NOT NULL, channel TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (user_id, channel, seq)) WITHOUT ROWID;
    """,
    # Support tickets and their replies (issue 23, docs/MODERATION.md "Support tickets").
    SUPPORT_MIGRATION,
    # Room messages are indexed for search in batches, not inside their own insert
    # (issue 26; storage/sqlite/search_queue.py).
    SEARCH_QUEUE_MIGRATION,
)


def configure(connection: sqlite3.Connection, *, synchronous: str) -> None:
    """Pragmas for one connection: WAL, the durability level, foreign waits bounded."""
    if synchronous not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise ValueError(f"unknown synchronous level {synchronous!r}")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute(f"PRAGMA synchronous = {synchronous}")
    connection.execute("PRAGMA busy_timeout = 5000")
    connection.execute("PRAGMA foreign_keys = ON")


def current_version(connection: sqlite3.Connection) -> int:
    connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = connection.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(connection: sqlite3.Connection) -> int:
    """Apply the pending migrations, each in its own transaction; returns the version."""
    version = current_version(connection)
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        connection.executescript(
            f"BEGIN IMMEDIATE;\n{script}\nINSERT INTO schema_version VALUES ({number});\nCOMMIT;"
        )
    return len(MIGRATIONS)
