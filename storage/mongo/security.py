"""Mongo passkeys, login audit and account requests (export, deletion, erasure)."""

from __future__ import annotations

import functools
from collections.abc import Collection
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument

from storage.errors import Conflict, NotFound
from storage.mongo.documents import Codec, MongoContext
from storage.mongo.users import USERS
from storage.records import User
from storage.records.security import (
    AccountRequest,
    AccountRequestKind,
    AccountRequestState,
    Passkey,
    SecurityEvent,
)

PASSKEYS = Codec(Passkey)
EVENTS = Codec(SecurityEvent)
REQUESTS = Codec(AccountRequest)


class MongoPasskeys:
    def __init__(self, context: MongoContext) -> None:
        self._collection = context.database["passkeys"]
        self._locks = context.locks
        self._call = context.executor.call

    async def add(self, passkey: Passkey) -> Passkey:
        try:
            await self._call(
                lambda: self._collection.insert_one(PASSKEYS.encode(passkey)), idempotent=False
            )
        except Conflict:
            raise Conflict("passkey") from None
        return passkey

    async def get(self, credential_id: str) -> Passkey | None:
        found = await self._call(lambda: self._collection.find_one({"_id": credential_id}))
        return None if found is None else PASSKEYS.decode(found)

    async def list_for_user(self, user_id: str) -> list[Passkey]:
        found = await self._call(
            lambda: list(
                self._collection.find({"user_id": user_id}).sort(
                    [("created_at", ASCENDING), ("_id", ASCENDING)]
                )
            )
        )
        return [PASSKEYS.decode(document) for document in found]

    async def rename(self, user_id: str, credential_id: str, name: str) -> Passkey:
        found = await self._call(
            lambda: self._collection.find_one_and_update(
                {"_id": credential_id, "user_id": user_id},
                {"$set": {"name": name}},
                return_document=ReturnDocument.AFTER,
            )
        )
        return PASSKEYS.decode_or_raise(found, "passkey", credential_id)

    async def remove(self, user_id: str, credential_id: str) -> bool:
        result = await self._call(
            lambda: self._collection.delete_one({"_id": credential_id, "user_id": user_id})
        )
        return result.deleted_count > 0

    async def record_use(
        self, credential_id: str, *, expected_count: int, new_count: int, used_at: float
    ) -> bool:
        async with self._locks.hold(f"passkeys:{credential_id}"):
            found = await self._call(
                lambda: self._collection.find_one_and_update(
                    {"_id": credential_id, "sign_count": expected_count},
                    {"$set": {"sign_count": new_count, "last_used_at": used_at}},
                ),
                idempotent=False,
            )
        return found is not None


class MongoSecurityEvents:
    def __init__(self, context: MongoContext) -> None:
        self._collection = context.database["security_events"]
        self._call = context.executor.call
        self._ids = context.ids
        self._clock = context.clock

    async def append(
        self,
        *,
        user_id: str,
        kind: str,
        method: str = "",
        session_id: str = "",
        ip_address: str = "",
        user_agent: str = "",
    ) -> SecurityEvent:
        event = SecurityEvent(
            id=self._ids.new_id(),
            user_id=user_id,
            kind=kind,
            created_at=self._clock(),
            method=method,
            session_id=session_id,
            ip_address=ip_address,
            user_agent=user_agent,
        )
        await self._call(lambda: self._collection.insert_one(EVENTS.encode(event)))
        return event

    async def list_for_user(
        self, user_id: str, *, before_id: str | None = None, limit: int = 100
    ) -> list[SecurityEvent]:
        query: dict[str, Any] = {"user_id": user_id}
        if before_id is not None:
            query["_id"] = {"$lt": before_id}
        found = await self._call(
            lambda: list(self._collection.find(query).sort("_id", DESCENDING).limit(limit))
        )
        return [EVENTS.decode(document) for document in found]

    async def last_for_session(
        self, user_id: str, session_id: str, kinds: Collection[str]
    ) -> SecurityEvent | None:
        query = {"user_id": user_id, "session_id": session_id, "kind": {"$in": list(kinds)}}
        found = await self._call(
            lambda: list(
                self._collection.find(query)
                .sort([("created_at", DESCENDING), ("_id", DESCENDING)])
                .limit(1)
            )
        )
        return EVENTS.decode(found[0]) if found else None


class MongoAccountRequests:
    def __init__(self, context: MongoContext) -> None:
        self._database = context.database
        self._collection = context.database["account_requests"]
        self._locks = context.locks
        self._call = context.executor.call
        self._ids = context.ids
        self._clock = context.clock

    async def create(
        self, *, user_id: str, kind: AccountRequestKind, due_at: float
    ) -> AccountRequest:
        now = self._clock()
        request = AccountRequest(
            id=self._ids.new_id(),
            user_id=user_id,
            kind=kind,
            state="pending",
            created_at=now,
            updated_at=now,
            due_at=due_at,
        )
        await self._call(
            lambda: self._collection.insert_one(REQUESTS.encode(request)), idempotent=False
        )
        return request

    async def get(self, request_id: str) -> AccountRequest:
        found = await self._call(lambda: self._collection.find_one({"_id": request_id}))
        return REQUESTS.decode_or_raise(found, "account_request", request_id)

    async def list_for_user(
        self, user_id: str, kind: AccountRequestKind, *, limit: int = 20
    ) -> list[AccountRequest]:
        query = {"user_id": user_id, "kind": kind}
        found = await self._call(
            lambda: list(self._collection.find(query).sort("_id", DESCENDING).limit(limit))
        )
        return [REQUESTS.decode(document) for document in found]

    async def list_due(
        self, kind: AccountRequestKind, *, now: float, limit: int = 20
    ) -> list[AccountRequest]:
        query = {"kind": kind, "state": {"$in": ["pending", "building"]}, "due_at": {"$lte": now}}
        found = await self._call(
            lambda: list(
                self._collection.find(query)
                .sort([("due_at", ASCENDING), ("_id", ASCENDING)])
                .limit(limit)
            )
        )
        return [REQUESTS.decode(document) for document in found]

    async def claim(
        self,
        request_id: str,
        *,
        from_states: Collection[str],
        to_state: AccountRequestState,
        claimant: str,
        now: float,
        until: float,
    ) -> AccountRequest | None:
        query = {"_id": request_id, "state": {"$in": list(from_states)}, "due_at": {"$lte": now}}
        change = {
            "$set": {"state": to_state, "claimed_by": claimant, "due_at": until,
                     "updated_at": self._clock()},
            "$inc": {"attempts": 1},
        }
        async with self._locks.hold(f"account_requests:{request_id}"):
            found = await self._call(
                lambda: self._collection.find_one_and_update(
                    query, change, return_document=ReturnDocument.AFTER
                ),
                idempotent=False,
            )
        return None if found is None else REQUESTS.decode(found)

    async def renew(self, request_id: str, *, claimant: str, until: float) -> bool:
        async with self._locks.hold(f"account_requests:{request_id}"):
            renewed = await self._call(
                lambda: self._collection.update_one(
                    {"_id": request_id, "claimed_by": claimant}, {"$set": {"due_at": until}}
                )
            )
        return bool(renewed.matched_count)

    async def transition(
        self,
        request_id: str,
        *,
        from_states: Collection[str],
        to_state: AccountRequestState,
        archive_key: str | None = None,
        size: int | None = None,
        expires_at: float | None = None,
        error: str | None = None,
        claimant: str | None = None,
    ) -> AccountRequest:
        given = {
            "archive_key": archive_key,
            "size": size,
            "expires_at": expires_at,
            "error": error,
        }
        changes: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        now = self._clock()
        changes.update(state=to_state, updated_at=now)
        query: dict[str, Any] = {"_id": request_id, "state": {"$in": list(from_states)}}
        if claimant is not None:
            query["claimed_by"] = claimant
            changes.update(claimed_by="", due_at=now)
        async with self._locks.hold(f"account_requests:{request_id}"):
            found = await self._call(
                lambda: self._collection.find_one_and_update(
                    query,
                    {"$set": changes},
                    return_document=ReturnDocument.AFTER,
                ),
                idempotent=False,
            )
        if found is None:
            await self.get(request_id)
            raise Conflict("state")
        return REQUESTS.decode(found)

    async def erase_account(self, tombstone: User) -> None:
        user_id = tombstone.id
        users = self._database["users"]
        replaced = await self._call(
            lambda: users.replace_one({"_id": user_id}, USERS.encode(tombstone))
        )
        if replaced.matched_count == 0:
            raise NotFound("user", user_id)
        for collection in (
            "notifications",
            "one_time_tokens",
            "sessions",
            "passkeys",
            "security_events",
        ):
            await self._call(functools.partial(self._delete_of, collection, user_id))
        await self._call(
            lambda: self._collection.delete_many({"user_id": user_id, "kind": "export"})
        )

    def _delete_of(self, collection: str, user_id: str) -> int:
        """Remove the user's documents from ``collection`` (blocking: a worker thread)."""
        return self._database[collection].delete_many({"user_id": user_id}).deleted_count
