"""SQLite webhooks, their delivery queue and their delivery log (docs/WEBHOOKS.md).

The schema is :data:`WEBHOOKS_MIGRATION` (one entry of
:data:`storage.sqlite.schema.MIGRATIONS`).  Every method is one transaction on the
worker, so the count-then-insert of a bounded queue or of the per-owner limit is atomic.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import msgspec

from storage.errors import Conflict
from storage.records.webhooks import DeliveryAttempt, QueuedDelivery, Webhook, WebhookScope
from storage.sqlite.context import SqliteContext
from storage.sqlite.tables import Table

WEBHOOKS_MIGRATION = """
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, active INTEGER NOT NULL,
    retry_at REAL, doc BLOB NOT NULL);
CREATE INDEX webhooks_owner ON webhooks (owner_id, id);
CREATE INDEX webhooks_due ON webhooks (active, retry_at);
CREATE TABLE webhook_queue (
    id TEXT PRIMARY KEY, webhook_id TEXT NOT NULL, delivery_id TEXT NOT NULL,
    doc BLOB NOT NULL, UNIQUE (webhook_id, delivery_id));
CREATE INDEX webhook_queue_order ON webhook_queue (webhook_id, id);
CREATE TABLE webhook_attempts (
    id TEXT PRIMARY KEY, webhook_id TEXT NOT NULL, doc BLOB NOT NULL);
CREATE INDEX webhook_attempts_log ON webhook_attempts (webhook_id, id);
"""

WEBHOOKS = Table(
    "webhooks",
    Webhook,
    ("id",),
    lambda hook: {
        "id": hook.id,
        "owner_id": hook.owner_id,
        "active": int(hook.active),
        "retry_at": hook.retry_at,
    },
)
QUEUE = Table(
    "webhook_queue",
    QueuedDelivery,
    ("id",),
    lambda item: {"id": item.id, "webhook_id": item.webhook_id, "delivery_id": item.delivery_id},
)
ATTEMPTS = Table(
    "webhook_attempts",
    DeliveryAttempt,
    ("id",),
    lambda attempt: {"id": attempt.id, "webhook_id": attempt.webhook_id},
)


class SqliteWebhooks:
    """Implements :class:`storage.protocols.webhooks.WebhookStore` on SQLite."""

    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
        self._ids = context.ids
        self._clock = context.clock

    async def create(
        self,
        *,
        owner_id: str,
        scope: WebhookScope,
        scope_id: str,
        url: str,
        events: tuple[str, ...],
        seal: Callable[[str], str],
        limit: int,
    ) -> Webhook:
        now = self._clock()
        webhook_id = self._ids.new_id()
        hook = Webhook(
            id=webhook_id, owner_id=owner_id, scope=scope, scope_id=scope_id, url=url,
            events=events, secret=seal(webhook_id), created_at=now, updated_at=now,
        )

        def insert(connection: sqlite3.Connection) -> Webhook:
            (count,) = connection.execute(
                "SELECT count(*) FROM webhooks WHERE owner_id = ?", (owner_id,)
            ).fetchone()
            if count >= limit:
                raise Conflict("webhooks")
            return WEBHOOKS.insert(connection, hook)

        return await self._run(insert)

    async def get(self, webhook_id: str) -> Webhook:
        return await self._run(lambda connection: WEBHOOKS.require(connection, webhook_id))

    async def save(self, webhook: Webhook) -> Webhook:
        def update(connection: sqlite3.Connection) -> Webhook:
            WEBHOOKS.require(connection, webhook.id)
            return WEBHOOKS.update(connection, webhook)

        return await self._run(update)

    async def delete(self, webhook_id: str) -> None:
        def delete(connection: sqlite3.Connection) -> None:
            for table in ("webhook_queue", "webhook_attempts"):
                connection.execute(
                    f"DELETE FROM {table} WHERE webhook_id = ?", (webhook_id,)  # noqa: S608
                )
            connection.execute("DELETE FROM webhooks WHERE id = ?", (webhook_id,))

        await self._run(delete)

    async def list_for_owner(
        self, owner_id: str, *, after: str | None, limit: int
    ) -> list[Webhook]:
        return await self._run(
            lambda connection: WEBHOOKS.select(
                connection,
                "WHERE owner_id = ? AND id > ? ORDER BY id LIMIT ?",
                (owner_id, after or "", limit),
            )
        )

    async def list_active(self, limit: int) -> list[Webhook]:
        return await self._run(
            lambda connection: WEBHOOKS.select(
                connection, "WHERE active = 1 ORDER BY id LIMIT ?", (limit,)
            )
        )

    async def list_due(self, now: float, limit: int) -> list[str]:
        def due(connection: sqlite3.Connection) -> list[str]:
            rows = connection.execute(
                "SELECT id FROM webhooks WHERE active = 1 AND retry_at <= ? "
                "ORDER BY retry_at LIMIT ?",
                (now, limit),
            )
            return [row[0] for row in rows]

        return await self._run(due)

    async def enqueue(
        self, *, webhook_id: str, delivery_id: str, event: str, body: str, limit: int
    ) -> bool:
        item = QueuedDelivery(
            id=self._ids.new_id(), webhook_id=webhook_id, delivery_id=delivery_id,
            event=event, body=body, created_at=self._clock(),
        )

        def insert(connection: sqlite3.Connection) -> bool:
            if connection.execute(
                "SELECT 1 FROM webhook_queue WHERE webhook_id = ? AND delivery_id = ?",
                (webhook_id, delivery_id),
            ).fetchone():
                return True
            (count,) = connection.execute(
                "SELECT count(*) FROM webhook_queue WHERE webhook_id = ?", (webhook_id,)
            ).fetchone()
            if count >= limit:
                return False
            QUEUE.insert(connection, item)
            return True

        return await self._run(insert)

    async def head(self, webhook_id: str) -> QueuedDelivery | None:
        def head(connection: sqlite3.Connection) -> QueuedDelivery | None:
            found = QUEUE.select(
                connection, "WHERE webhook_id = ? ORDER BY id LIMIT 1", (webhook_id,)
            )
            return found[0] if found else None

        return await self._run(head)

    async def queued(self, webhook_id: str) -> int:
        def count(connection: sqlite3.Connection) -> int:
            (found,) = connection.execute(
                "SELECT count(*) FROM webhook_queue WHERE webhook_id = ?", (webhook_id,)
            ).fetchone()
            return int(found)

        return await self._run(count)

    async def attempted(self, queue_id: str, attempts: int) -> None:
        def update(connection: sqlite3.Connection) -> None:
            found = QUEUE.find(connection, queue_id)
            if found is not None:
                QUEUE.update(connection, msgspec.structs.replace(found, attempts=attempts))

        await self._run(update)

    async def dequeue(self, queue_id: str) -> None:
        await self._run(
            lambda connection: connection.execute(
                "DELETE FROM webhook_queue WHERE id = ?", (queue_id,)
            )
        )

    async def log_attempt(self, attempt: DeliveryAttempt, *, keep: int) -> DeliveryAttempt:
        entry = msgspec.structs.replace(attempt, id=self._ids.new_id())

        def insert(connection: sqlite3.Connection) -> DeliveryAttempt:
            ATTEMPTS.insert(connection, entry)
            connection.execute(
                "DELETE FROM webhook_attempts WHERE webhook_id = ? AND id NOT IN "
                "(SELECT id FROM webhook_attempts WHERE webhook_id = ? ORDER BY id DESC LIMIT ?)",
                (entry.webhook_id, entry.webhook_id, keep),
            )
            return entry

        return await self._run(insert)

    async def attempts(
        self, webhook_id: str, *, before: str | None, limit: int
    ) -> list[DeliveryAttempt]:
        if before is None:
            tail, parameters = "WHERE webhook_id = ? ORDER BY id DESC LIMIT ?", (webhook_id, limit)
            return await self._run(lambda connection: ATTEMPTS.select(connection, tail, parameters))
        tail = "WHERE webhook_id = ? AND id < ? ORDER BY id DESC LIMIT ?"
        return await self._run(
            lambda connection: ATTEMPTS.select(connection, tail, (webhook_id, before, limit))
        )
