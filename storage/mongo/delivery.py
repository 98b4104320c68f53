"""Mongo offline delivery: ``push_subscriptions``, ``delivery_preferences`` and
``digest_items`` (docs/NOTIFICATIONS.md); indexes in :mod:`storage.mongo.indexes`.

Bounded counts (subscriptions per user, queued items per user) are checked then written
under a per-user lock of this process; concurrent writes for one user on several nodes
may pass a bound by at most one per node.  ``endpoint`` is unique, so a browser's
subscription has one owner.
"""

from __future__ import annotations

from typing import Any

import msgspec
from pymongo import ASCENDING

from storage.errors import Conflict
from storage.mongo.documents import Codec, MongoContext
from storage.records.delivery import (
    DeliveryMode,
    DeliveryPreferences,
    DigestItem,
    PushSubscription,
)

SUBSCRIPTIONS = Codec(PushSubscription)
PREFERENCES = Codec(DeliveryPreferences, id_field="user_id")
ITEMS = Codec(DigestItem)


class MongoDelivery:
    """Implements :class:`storage.protocols.delivery.DeliveryStore` on MongoDB."""

    def __init__(self, context: MongoContext) -> None:
        self._subscriptions = context.database["push_subscriptions"]
        self._preferences = context.database["delivery_preferences"]
        self._items = context.database["digest_items"]
        self._locks = context.locks
        self._call = context.executor.call
        self._ids = context.ids
        self._clock = context.clock

    async def add_subscription(
        self, *, user_id: str, endpoint: str, p256dh: str, auth: str, limit: int
    ) -> PushSubscription:
        async with self._locks.hold(f"push_subscriptions:{user_id}"):
            found = await self._call(lambda: self._subscriptions.find_one({"endpoint": endpoint}))
            if found is not None and found["user_id"] == user_id:
                changed = msgspec.structs.replace(
                    SUBSCRIPTIONS.decode(found), p256dh=p256dh, auth=auth
                )
                document = SUBSCRIPTIONS.encode(changed)
                await self._call(
                    lambda: self._subscriptions.replace_one({"_id": changed.id}, document)
                )
                return changed
            count = await self._call(
                lambda: self._subscriptions.count_documents({"user_id": user_id})
            )
            if count >= limit:
                raise Conflict("push_subscriptions")
            await self._call(lambda: self._subscriptions.delete_many({"endpoint": endpoint}))
            fresh = PushSubscription(
                id=self._ids.new_id(), user_id=user_id, endpoint=endpoint, p256dh=p256dh,
                auth=auth, created_at=self._clock(),
            )
            document = SUBSCRIPTIONS.encode(fresh)
            await self._call(lambda: self._subscriptions.insert_one(document), idempotent=False)
            return fresh

    async def subscriptions(
        self, user_id: str, *, after: str | None = None, limit: int = 100
    ) -> list[PushSubscription]:
        query = {"user_id": user_id, "_id": {"$gt": after or ""}}
        found = await self._call(
            lambda: list(self._subscriptions.find(query).sort("_id", ASCENDING).limit(limit))
        )
        return [SUBSCRIPTIONS.decode(document) for document in found]

    async def remove_subscription(self, user_id: str, subscription_id: str) -> bool:
        result = await self._call(
            lambda: self._subscriptions.delete_one({"_id": subscription_id, "user_id": user_id})
        )
        return bool(result.deleted_count)

    async def remove_endpoint(self, endpoint: str) -> None:
        await self._call(lambda: self._subscriptions.delete_many({"endpoint": endpoint}))

    async def preferences(self, user_id: str) -> DeliveryPreferences:
        found = await self._call(lambda: self._preferences.find_one({"_id": user_id}))
        return DeliveryPreferences(user_id=user_id) if found is None else PREFERENCES.decode(found)

    async def _save(self, preferences: DeliveryPreferences) -> None:
        document: dict[str, Any] = PREFERENCES.encode(preferences)
        await self._call(
            lambda: self._preferences.replace_one(
                {"_id": preferences.user_id}, document, upsert=True
            )
        )

    async def set_mode(self, user_id: str, mode: DeliveryMode) -> DeliveryPreferences:
        async with self._locks.hold(f"delivery:{user_id}"):
            preferences = msgspec.structs.replace(
                await self.preferences(user_id), mode=mode, updated_at=self._clock()
            )
            if mode not in ("email", "both"):
                await self._call(lambda: self._items.delete_many({"user_id": user_id}))
                preferences = msgspec.structs.replace(
                    preferences, digest_due_at=None, overflow=0
                )
            await self._save(preferences)
            return preferences

    async def queue_digest(
        self, *, user_id: str, kind: str, title: str, body: str, link: str | None,
        interval: float, limit: int,
    ) -> bool:
        now = self._clock()
        async with self._locks.hold(f"delivery:{user_id}"):
            preferences = await self.preferences(user_id)
            count = await self._call(lambda: self._items.count_documents({"user_id": user_id}))
            queued = count < limit
            if queued:
                item = DigestItem(
                    id=self._ids.new_id(), user_id=user_id, kind=kind, title=title, body=body,
                    link=link, created_at=now,
                )
                document = ITEMS.encode(item)
                await self._call(lambda: self._items.insert_one(document), idempotent=False)
            due = preferences.digest_due_at
            if due is None:
                due = max(now, (preferences.last_digest_at or 0.0) + interval)
            await self._save(msgspec.structs.replace(
                preferences, digest_due_at=due, overflow=preferences.overflow + (not queued)
            ))
            return queued

    async def due_digests(self, now: float, limit: int) -> list[str]:
        query = {"digest_due_at": {"$lte": now}}
        found = await self._call(
            lambda: list(
                self._preferences.find(query, {"_id": 1})
                .sort("digest_due_at", ASCENDING).limit(limit)
            )
        )
        return [str(document["_id"]) for document in found]

    async def claim_digest(self, user_id: str, now: float, lease: float) -> bool:
        query = {"_id": user_id, "digest_due_at": {"$lte": now}}
        result = await self._call(
            lambda: self._preferences.update_one(
                query, {"$set": {"digest_due_at": now + lease}}
            ),
            idempotent=False,
        )
        return bool(result.modified_count)

    async def digest_items(self, user_id: str, limit: int) -> list[DigestItem]:
        found = await self._call(
            lambda: list(
                self._items.find({"user_id": user_id}).sort("_id", ASCENDING).limit(limit)
            )
        )
        return [ITEMS.decode(document) for document in found]

    async def digest_sent(
        self, user_id: str, item_ids: list[str], *, at: float, interval: float
    ) -> None:
        async with self._locks.hold(f"delivery:{user_id}"):
            await self._call(
                lambda: self._items.delete_many({"user_id": user_id, "_id": {"$in": item_ids}})
            )
            remaining = await self._call(lambda: self._items.find_one({"user_id": user_id}))
            await self._save(msgspec.structs.replace(
                await self.preferences(user_id), last_digest_at=at, overflow=0,
                digest_due_at=at + interval if remaining is not None else None,
            ))

    async def erase_user(self, user_id: str) -> None:
        await self._call(lambda: self._subscriptions.delete_many({"user_id": user_id}))
        await self._call(lambda: self._items.delete_many({"user_id": user_id}))
        await self._call(lambda: self._preferences.delete_one({"_id": user_id}))
