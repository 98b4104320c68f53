"""Mongo webhooks (``webhooks``), their delivery queue (``webhook_queue``) and delivery
log (``webhook_attempts``); indexes in :mod:`storage.mongo.indexes`.

Bounded counts (webhooks per owner, deliveries per queue) are checked then inserted under
a per-key lock of this process: a webhook's queue has one writer (its actor), so the
bound is exact there; the per-owner bound may be passed by concurrent creations on
several nodes, by at most one per node.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec
from pymongo import ASCENDING, DESCENDING

from storage.errors import Conflict, NotFound
from storage.mongo.documents import Codec, MongoContext
from storage.records.webhooks import DeliveryAttempt, QueuedDelivery, Webhook, WebhookScope

WEBHOOKS = Codec(Webhook)
QUEUE = Codec(QueuedDelivery)
ATTEMPTS = Codec(DeliveryAttempt)


class MongoWebhooks:
    """Implements :class:`storage.protocols.webhooks.WebhookStore` on MongoDB."""

    def __init__(self, context: MongoContext) -> None:
        self._hooks = context.database["webhooks"]
        self._queue = context.database["webhook_queue"]
        self._log = context.database["webhook_attempts"]
        self._locks = context.locks
        self._call = context.executor.call
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
        async with self._locks.hold(f"webhooks:{owner_id}"):
            count = await self._call(
                lambda: self._hooks.count_documents({"owner_id": owner_id})
            )
            if count >= limit:
                raise Conflict("webhooks")
            document = WEBHOOKS.encode(hook)
            await self._call(lambda: self._hooks.insert_one(document), idempotent=False)
        return hook

    async def get(self, webhook_id: str) -> Webhook:
        found = await self._call(lambda: self._hooks.find_one({"_id": webhook_id}))
        return WEBHOOKS.decode_or_raise(found, "webhook", webhook_id)

    async def save(self, webhook: Webhook) -> Webhook:
        document = WEBHOOKS.encode(webhook)
        result = await self._call(
            lambda: self._hooks.replace_one({"_id": webhook.id}, document)
        )
        if result.matched_count == 0:
            raise NotFound("webhook", webhook.id)
        return webhook

    async def delete(self, webhook_id: str) -> None:
        await self._call(lambda: self._queue.delete_many({"webhook_id": webhook_id}))
        await self._call(lambda: self._log.delete_many({"webhook_id": webhook_id}))
        await self._call(lambda: self._hooks.delete_one({"_id": webhook_id}))

    async def list_for_owner(
        self, owner_id: str, *, after: str | None, limit: int
    ) -> list[Webhook]:
        query = {"owner_id": owner_id, "_id": {"$gt": after or ""}}
        found = await self._call(
            lambda: list(self._hooks.find(query).sort("_id", ASCENDING).limit(limit))
        )
        return [WEBHOOKS.decode(document) for document in found]

    async def list_active(self, limit: int) -> list[Webhook]:
        found = await self._call(
            lambda: list(self._hooks.find({"active": True}).sort("_id", ASCENDING).limit(limit))
        )
        return [WEBHOOKS.decode(document) for document in found]

    async def list_due(self, now: float, limit: int) -> list[str]:
        query = {"active": True, "retry_at": {"$lte": now}}
        found = await self._call(
            lambda: list(
                self._hooks.find(query, {"_id": 1}).sort("retry_at", ASCENDING).limit(limit)
            )
        )
        return [str(document["_id"]) for document in found]

    async def enqueue(
        self, *, webhook_id: str, delivery_id: str, event: str, body: str, limit: int
    ) -> bool:
        item = QueuedDelivery(
            id=self._ids.new_id(), webhook_id=webhook_id, delivery_id=delivery_id,
            event=event, body=body, created_at=self._clock(),
        )
        async with self._locks.hold(f"webhook_queue:{webhook_id}"):
            existing = await self._call(
                lambda: self._queue.find_one(
                    {"webhook_id": webhook_id, "delivery_id": delivery_id}, {"_id": 1}
                )
            )
            if existing is not None:
                return True
            count = await self._call(
                lambda: self._queue.count_documents({"webhook_id": webhook_id})
            )
            if count >= limit:
                return False
            try:
                await self._call(
                    lambda: self._queue.insert_one(QUEUE.encode(item)), idempotent=False
                )
            except Conflict:
                return True  # queued meanwhile by another node's actor before a lease moved
        return True

    async def head(self, webhook_id: str) -> QueuedDelivery | None:
        found = await self._call(
            lambda: list(
                self._queue.find({"webhook_id": webhook_id}).sort("_id", ASCENDING).limit(1)
            )
        )
        return QUEUE.decode(found[0]) if found else None

    async def queued(self, webhook_id: str) -> int:
        count: int = await self._call(
            lambda: self._queue.count_documents({"webhook_id": webhook_id})
        )
        return count

    async def attempted(self, queue_id: str, attempts: int) -> None:
        await self._call(
            lambda: self._queue.update_one({"_id": queue_id}, {"$set": {"attempts": attempts}})
        )

    async def dequeue(self, queue_id: str) -> None:
        await self._call(lambda: self._queue.delete_one({"_id": queue_id}))

    async def log_attempt(self, attempt: DeliveryAttempt, *, keep: int) -> DeliveryAttempt:
        entry = msgspec.structs.replace(attempt, id=self._ids.new_id())
        await self._call(lambda: self._log.insert_one(ATTEMPTS.encode(entry)), idempotent=False)
        stale = await self._call(
            lambda: list(
                self._log.find({"webhook_id": entry.webhook_id}, {"_id": 1})
                .sort("_id", DESCENDING)
                .skip(keep)
                .limit(1)
            )
        )
        if stale:
            boundary = stale[0]["_id"]
            await self._call(
                lambda: self._log.delete_many(
                    {"webhook_id": entry.webhook_id, "_id": {"$lte": boundary}}
                )
            )
        return entry

    async def attempts(
        self, webhook_id: str, *, before: str | None, limit: int
    ) -> list[DeliveryAttempt]:
        query: dict[str, object] = {"webhook_id": webhook_id}
        if before is not None:
            query["_id"] = {"$lt": before}
        found = await self._call(
            lambda: list(self._log.find(query).sort("_id", DESCENDING).limit(limit))
        )
        return [ATTEMPTS.decode(document) for document in found]
