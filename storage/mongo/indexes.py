"""Every index the Mongo backend relies on, created idempotently at start-up.

Only plain and unique (compound, multikey) indexes: FerretDB 1.x has no TTL, text or
collation support, so case-insensitive uniqueness uses folded ``*_key`` fields.
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.database import Database

from storage.mongo.search_backfill import backfill_search
from storage.mongo.search_index import INDEXES as SEARCH_INDEXES

INDEXES: dict[str, list[IndexModel]] = {
    "users": [
        IndexModel([("username_key", ASCENDING)], name="username", unique=True),
        IndexModel([("email_key", ASCENDING)], name="email", unique=True),
    ],
    "one_time_tokens": [IndexModel([("user_id", ASCENDING), ("purpose", ASCENDING)])],
    "sessions": [IndexModel([("user_id", ASCENDING), ("created_at", DESCENDING)])],
    "topics": [
        IndexModel([("title_key", ASCENDING)], name="title", unique=True),
        IndexModel([("deleted_at", ASCENDING), ("last_activity_at", DESCENDING)]),
        IndexModel([("deleted_at", ASCENDING), ("member_count", DESCENDING)]),
        IndexModel([("tags", ASCENDING)]),
    ],
    "members": [
        IndexModel([("scope", ASCENDING), ("scope_id", ASCENDING), ("joined_at", ASCENDING)]),
        IndexModel([("scope", ASCENDING), ("user_id", ASCENDING)]),
    ],
    "invitations": [
        IndexModel([("scope", ASCENDING), ("user_id", ASCENDING)]),
        IndexModel([("scope", ASCENDING), ("created_at", ASCENDING)]),
    ],
    "bans": [IndexModel([("scope", ASCENDING), ("scope_id", ASCENDING)])],
    "posts": [
        IndexModel([("topic_id", ASCENDING), ("deleted_at", ASCENDING), ("_id", DESCENDING)]),
        IndexModel([("topic_id", ASCENDING), ("deleted_at", ASCENDING), ("score", DESCENDING)]),
        IndexModel([("topic_id", ASCENDING), ("deleted_at", ASCENDING), ("hot", DESCENDING)]),
        IndexModel([("author_id", ASCENDING), ("_id", DESCENDING)]),
        IndexModel([("trashed_at", DESCENDING), ("_id", DESCENDING)]),
    ],
    "votes": [IndexModel([("user_id", ASCENDING), ("item_id", ASCENDING)])],
    "comments": [
        IndexModel([("post_id", ASCENDING), ("_id", ASCENDING)]),
        IndexModel([("author_id", ASCENDING), ("_id", DESCENDING)]),
        IndexModel([("removed.author_id", ASCENDING), ("_id", DESCENDING)]),
        IndexModel([("trashed_at", DESCENDING), ("_id", DESCENDING)]),
    ],
    "rooms": [IndexModel([("topic_id", ASCENDING), ("_id", ASCENDING)])],
    "messages": [
        IndexModel([("room_id", ASCENDING), ("seq", ASCENDING)], name="room_seq", unique=True),
        IndexModel([("author_id", ASCENDING), ("_id", DESCENDING)]),
    ],
    "direct_messages": [
        IndexModel([("conversation_id", ASCENDING), ("_id", DESCENDING)]),
        IndexModel([("recipient_id", ASCENDING), ("unread", ASCENDING)]),
        IndexModel([("sender_id", ASCENDING), ("_id", DESCENDING)]),
    ],
    "conversations": [IndexModel([("user_id", ASCENDING), ("last_message_at", DESCENDING)])],
    "notifications": [
        IndexModel([("user_id", ASCENDING), ("_id", DESCENDING)]),
        IndexModel([("user_id", ASCENDING), ("read_at", ASCENDING)]),
        # Deleting content empties the text of its notifications (storage/redaction.py).
        IndexModel([("data.subject", ASCENDING), ("data.object_id", ASCENDING)]),
    ],
    "reports": [
        IndexModel(
            [("reporter_id", ASCENDING), ("item_kind", ASCENDING), ("item_id", ASCENDING)],
            name="report",
            unique=True,
        ),
        IndexModel([("state", ASCENDING), ("_id", DESCENDING)]),
        IndexModel([("topic_id", ASCENDING), ("_id", DESCENDING)]),
    ],
    "audit_log": [
        IndexModel([("topic_id", ASCENDING), ("_id", DESCENDING)]),
        IndexModel([("target_id", ASCENDING), ("_id", DESCENDING)]),
    ],
    "calls": [
        IndexModel([("participant_ids", ASCENDING), ("_id", DESCENDING)]),
        IndexModel([("ended_at", ASCENDING), ("started_at", ASCENDING)]),
    ],
    "files": [IndexModel([("owner_id", ASCENDING), ("_id", DESCENDING)])],
    "channel_events": [
        IndexModel([("channel", ASCENDING), ("seq", ASCENDING)], name="channel_seq", unique=True)
    ],
    "follows": [
        IndexModel([("kind", ASCENDING), ("target_id", ASCENDING), ("created_at", ASCENDING)]),
        IndexModel([("kind", ASCENDING), ("user_id", ASCENDING)]),
    ],
    # Friends and content settings (issue 23).
    "friendships": [
        IndexModel([("users", ASCENDING), ("state", ASCENDING), ("id", DESCENDING)]),
        IndexModel([("requester_id", ASCENDING), ("state", ASCENDING), ("id", DESCENDING)]),
        IndexModel([("addressee_id", ASCENDING), ("state", ASCENDING), ("id", DESCENDING)]),
    ],
    "hidden_items": [
        IndexModel([("user_id", ASCENDING), ("kind", ASCENDING), ("id", DESCENDING)]),
        IndexModel([("user_id", ASCENDING), ("id", DESCENDING)]),
    ],
}


INDEXES.update(
    {
        "passkeys": [IndexModel([("user_id", ASCENDING), ("created_at", ASCENDING)])],
        "security_events": [
            IndexModel([("user_id", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("session_id", ASCENDING), ("created_at", DESCENDING)]),
        ],
        "account_requests": [
            IndexModel([("user_id", ASCENDING), ("kind", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("kind", ASCENDING), ("state", ASCENDING), ("due_at", ASCENDING)]),
        ],
    }
)
"""Passkeys, the login audit and account requests (docs/AUTH.md)."""

INDEXES.update(
    {
        "api_tokens": [
            IndexModel([("token_hash", ASCENDING)], name="token_hash", unique=True),
            IndexModel([("owner_id", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("user_id", ASCENDING)]),
        ],
        "bot_owners": [IndexModel([("owner_id", ASCENDING), ("created_at", ASCENDING)])],
    }
)
"""Personal access tokens and bot ownership (docs/AUTH.md, "Tokens")."""

INDEXES.update(
    {
        "webhooks": [
            IndexModel([("owner_id", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("active", ASCENDING), ("retry_at", ASCENDING)]),
        ],
        "webhook_queue": [
            IndexModel(
                [("webhook_id", ASCENDING), ("delivery_id", ASCENDING)],
                name="webhook_delivery", unique=True,
            ),
            IndexModel([("webhook_id", ASCENDING), ("_id", ASCENDING)]),
        ],
        "webhook_attempts": [IndexModel([("webhook_id", ASCENDING), ("_id", DESCENDING)])],
    }
)
"""Outgoing webhooks, their delivery queue and log (docs/WEBHOOKS.md)."""

INDEXES.update(
    {
        "push_subscriptions": [
            IndexModel([("endpoint", ASCENDING)], name="push_endpoint", unique=True),
            IndexModel([("user_id", ASCENDING), ("_id", ASCENDING)]),
        ],
        "delivery_preferences": [IndexModel([("digest_due_at", ASCENDING)])],
        "digest_items": [IndexModel([("user_id", ASCENDING), ("_id", ASCENDING)])],
    }
)
"""Offline delivery: push subscriptions, preferences, digests (docs/NOTIFICATIONS.md)."""

INDEXES["unread_mentions"] = [
    IndexModel([("user_id", ASCENDING), ("channel", ASCENDING), ("seq", ASCENDING)])
]
INDEXES["invitations"] = [
    *INDEXES["invitations"],
    IndexModel([("scope", ASCENDING), ("scope_id", ASCENDING), ("created_at", ASCENDING)]),
]
"""Unread mentions and a room's invitations (docs/MESSAGING.md "Unread"); read positions
are read by ``_id`` only."""


INDEXES.update(SEARCH_INDEXES)


INDEXES.update(
    {
        "support_tickets": [
            IndexModel([("user_id", ASCENDING), ("status", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("status", ASCENDING), ("_id", DESCENDING)]),
        ],
        "support_replies": [IndexModel([("ticket_id", ASCENDING), ("_id", ASCENDING)])],
    }
)
INDEXES["users"] = [*INDEXES["users"], IndexModel([("is_admin", ASCENDING)])]
"""Support tickets, and the admins whom tickets and reports alert (docs/MODERATION.md)."""


def ensure_indexes(database: Database[dict[str, Any]]) -> None:
    """Create the missing indexes (blocking: run in a thread), then index the content
    written before the search index existed, once (:mod:`storage.mongo.search_backfill`).

    One index per command, and only those not listed yet: FerretDB 1.24 drops the
    connection when one ``createIndexes`` names several indexes that all exist.
    """
    for collection, models in INDEXES.items():
        existing = {index["name"] for index in database[collection].list_indexes()}
        for model in models:
            if model.document["name"] not in existing:
                database[collection].create_indexes([model])
    backfill_search(database)  # search index of content older than it (once, bounded)
