"""SQLite offline delivery: push subscriptions, preferences and the digest queue
(docs/NOTIFICATIONS.md).

The schema is :data:`DELIVERY_MIGRATION` (one entry of
:data:`storage.sqlite.schema.MIGRATIONS`).  Every method is one transaction on the
worker, so the count-then-insert bounds are exact.
"""

from __future__ import annotations

import sqlite3

import msgspec

from storage.errors import Conflict
from storage.records.delivery import (
    DeliveryMode,
    DeliveryPreferences,
    DigestItem,
    PushSubscription,
)
from storage.sqlite.context import SqliteContext
from storage.sqlite.tables import Table, placeholders

DELIVERY_MIGRATION = """
CREATE TABLE push_subscriptions (
    id TEXT PRIMARY KEY, user_id TEXT NOT NULL, endpoint TEXT NOT NULL UNIQUE,
    doc BLOB NOT NULL);
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id, id);
CREATE TABLE delivery_preferences (
    user_id TEXT PRIMARY KEY, digest_due_at REAL, doc BLOB NOT NULL);
CREATE INDEX delivery_preferences_due ON delivery_preferences (digest_due_at);
CREATE TABLE digest_items (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, doc BLOB NOT NULL);
CREATE INDEX digest_items_user ON digest_items (user_id, id);
"""

SUBSCRIPTIONS = Table(
    "push_subscriptions",
    PushSubscription,
    ("id",),
    lambda item: {"id": item.id, "user_id": item.user_id, "endpoint": item.endpoint},
)
PREFERENCES = Table(
    "delivery_preferences",
    DeliveryPreferences,
    ("user_id",),
    lambda item: {"user_id": item.user_id, "digest_due_at": item.digest_due_at},
)
ITEMS = Table(
    "digest_items", DigestItem, ("id",), lambda item: {"id": item.id, "user_id": item.user_id}
)


def _save_preferences(connection: sqlite3.Connection, preferences: DeliveryPreferences) -> None:
    if PREFERENCES.find(connection, preferences.user_id) is None:
        PREFERENCES.insert(connection, preferences)
    else:
        PREFERENCES.update(connection, preferences)


def _preferences(connection: sqlite3.Connection, user_id: str) -> DeliveryPreferences:
    return PREFERENCES.find(connection, user_id) or DeliveryPreferences(user_id=user_id)


class SqliteDelivery:
    """Implements :class:`storage.protocols.delivery.DeliveryStore` on SQLite."""

    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
        self._ids = context.ids
        self._clock = context.clock

    async def add_subscription(
        self, *, user_id: str, endpoint: str, p256dh: str, auth: str, limit: int
    ) -> PushSubscription:
        fresh = PushSubscription(
            id=self._ids.new_id(), user_id=user_id, endpoint=endpoint, p256dh=p256dh,
            auth=auth, created_at=self._clock(),
        )

        def upsert(connection: sqlite3.Connection) -> PushSubscription:
            found = SUBSCRIPTIONS.select(connection, "WHERE endpoint = ?", (endpoint,))
            if found and found[0].user_id == user_id:
                return SUBSCRIPTIONS.update(
                    connection, msgspec.structs.replace(found[0], p256dh=p256dh, auth=auth)
                )
            connection.execute("DELETE FROM push_subscriptions WHERE endpoint = ?", (endpoint,))
            (count,) = connection.execute(
                "SELECT count(*) FROM push_subscriptions WHERE user_id = ?", (user_id,)
            ).fetchone()
            if count >= limit:
                raise Conflict("push_subscriptions")
            return SUBSCRIPTIONS.insert(connection, fresh)

        return await self._run(upsert)

    async def subscriptions(
        self, user_id: str, *, after: str | None = None, limit: int = 100
    ) -> list[PushSubscription]:
        return await self._run(
            lambda connection: SUBSCRIPTIONS.select(
                connection, "WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?",
                (user_id, after or "", limit),
            )
        )

    async def remove_subscription(self, user_id: str, subscription_id: str) -> bool:
        def delete(connection: sqlite3.Connection) -> bool:
            cursor = connection.execute(
                "DELETE FROM push_subscriptions WHERE id = ? AND user_id = ?",
                (subscription_id, user_id),
            )
            return cursor.rowcount > 0

        return await self._run(delete)

    async def remove_endpoint(self, endpoint: str) -> None:
        await self._run(
            lambda connection: connection.execute(
                "DELETE FROM push_subscriptions WHERE endpoint = ?", (endpoint,)
            )
        )

    async def preferences(self, user_id: str) -> DeliveryPreferences:
        return await self._run(lambda connection: _preferences(connection, user_id))

    async def set_mode(self, user_id: str, mode: DeliveryMode) -> DeliveryPreferences:
        now = self._clock()

        def change(connection: sqlite3.Connection) -> DeliveryPreferences:
            preferences = msgspec.structs.replace(
                _preferences(connection, user_id), mode=mode, updated_at=now
            )
            if mode not in ("email", "both"):
                connection.execute("DELETE FROM digest_items WHERE user_id = ?", (user_id,))
                preferences = msgspec.structs.replace(
                    preferences, digest_due_at=None, overflow=0
                )
            _save_preferences(connection, preferences)
            return preferences

        return await self._run(change)

    async def queue_digest(
        self, *, user_id: str, kind: str, title: str, body: str, link: str | None,
        interval: float, limit: int,
    ) -> bool:
        now = self._clock()
        item = DigestItem(
            id=self._ids.new_id(), user_id=user_id, kind=kind, title=title, body=body,
            link=link, created_at=now,
        )

        def queue(connection: sqlite3.Connection) -> bool:
            preferences = _preferences(connection, user_id)
            (count,) = connection.execute(
                "SELECT count(*) FROM digest_items WHERE user_id = ?", (user_id,)
            ).fetchone()
            queued = bool(count < limit)
            if queued:
                ITEMS.insert(connection, item)
            due = preferences.digest_due_at
            if due is None:
                due = max(now, (preferences.last_digest_at or 0.0) + interval)
            _save_preferences(connection, msgspec.structs.replace(
                preferences, digest_due_at=due, overflow=preferences.overflow + (not queued)
            ))
            return queued

        return await self._run(queue)

    async def due_digests(self, now: float, limit: int) -> list[str]:
        def due(connection: sqlite3.Connection) -> list[str]:
            rows = connection.execute(
                "SELECT user_id FROM delivery_preferences WHERE digest_due_at <= ? "
                "ORDER BY digest_due_at LIMIT ?",
                (now, limit),
            )
            return [row[0] for row in rows]

        return await self._run(due)

    async def claim_digest(self, user_id: str, now: float, lease: float) -> bool:
        def claim(connection: sqlite3.Connection) -> bool:
            preferences = PREFERENCES.find(connection, user_id)
            if preferences is None or preferences.digest_due_at is None:
                return False
            if preferences.digest_due_at > now:
                return False
            PREFERENCES.update(
                connection, msgspec.structs.replace(preferences, digest_due_at=now + lease)
            )
            return True

        return await self._run(claim)

    async def digest_items(self, user_id: str, limit: int) -> list[DigestItem]:
        return await self._run(
            lambda connection: ITEMS.select(
                connection, "WHERE user_id = ? ORDER BY id LIMIT ?", (user_id, limit)
            )
        )

    async def digest_sent(
        self, user_id: str, item_ids: list[str], *, at: float, interval: float
    ) -> None:
        def sent(connection: sqlite3.Connection) -> None:
            connection.execute(
                f"DELETE FROM digest_items WHERE user_id = ? "  # noqa: S608
                f"AND id IN ({placeholders(len(item_ids))})",
                (user_id, *item_ids),
            )
            remaining = connection.execute(
                "SELECT 1 FROM digest_items WHERE user_id = ? LIMIT 1", (user_id,)
            ).fetchone()
            _save_preferences(connection, msgspec.structs.replace(
                _preferences(connection, user_id), last_digest_at=at, overflow=0,
                digest_due_at=at + interval if remaining else None,
            ))

        await self._run(sent)

    async def erase_user(self, user_id: str) -> None:
        def erase(connection: sqlite3.Connection) -> None:
            for table in ("push_subscriptions", "delivery_preferences", "digest_items"):
                connection.execute(
                    f"DELETE FROM {table} WHERE user_id = ?", (user_id,)  # noqa: S608
                )

        await self._run(erase)
