"""Mongo members, invitations and bans of one scope kind (``"topic"`` or ``"room"``).

Documents are keyed ``scope:scope_id:user_id``, so a repeated join hits the unique
``_id`` and the scope's ``member_count`` moves only for a membership really created
or removed.
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, ReturnDocument

from storage.errors import Conflict, NotFound
from storage.mongo.documents import Document, MongoContext
from storage.records import Ban, Invitation, Membership, Role
from storage.rules import page_limit

_PROJECTION = {"_id": 0, "scope": 0}


def _fields(document: Document) -> Document:
    """The record fields of a document (FerretDB has no projection in findAndModify)."""
    return {name: value for name, value in document.items() if name not in {"_id", "scope"}}


class MongoMemberships:
    def __init__(self, context: MongoContext, scope: str, scope_collection: str) -> None:
        self._members = context.database["members"]
        self._invitations = context.database["invitations"]
        self._bans = context.database["bans"]
        self._scopes = context.database[scope_collection]
        self._call = context.executor.call
        self._clock = context.clock
        self._scope = scope
        self._scope_collection = scope_collection
        self._locks = context.locks

    def _key(self, scope_id: str, user_id: str) -> str:
        return f"{self._scope}:{scope_id}:{user_id}"

    async def _adjust(self, scope_id: str, delta: int) -> bool:
        result = await self._call(
            lambda: self._scopes.update_one({"_id": scope_id}, {"$inc": {"member_count": delta}}),
            idempotent=False,
        )
        return result.matched_count > 0

    async def join(self, scope_id: str, user_id: str, *, role: Role = "member") -> bool:
        async with self._locks.hold(f"{self._scope_collection}:{scope_id}"):
            return await self._join(scope_id, user_id, role)

    async def _join(self, scope_id: str, user_id: str, role: Role) -> bool:
        key = self._key(scope_id, user_id)
        document = {
            "_id": key,
            "scope": self._scope,
            "scope_id": scope_id,
            "user_id": user_id,
            "role": role,
            "joined_at": self._clock(),
        }
        await self._call(lambda: self._invitations.delete_one({"_id": key}))
        try:
            await self._call(lambda: self._members.insert_one(document), idempotent=False)
        except Conflict:
            return False
        if not await self._adjust(scope_id, 1):
            await self._call(lambda: self._members.delete_one({"_id": key}))
            raise NotFound(self._scope, scope_id)
        return True

    async def leave(self, scope_id: str, user_id: str) -> bool:
        async with self._locks.hold(f"{self._scope_collection}:{scope_id}"):
            result = await self._call(
                lambda: self._members.delete_one({"_id": self._key(scope_id, user_id)})
            )
            if result.deleted_count:
                await self._adjust(scope_id, -1)
            return result.deleted_count > 0

    async def get(self, scope_id: str, user_id: str) -> Membership | None:
        found = await self._call(
            lambda: self._members.find_one({"_id": self._key(scope_id, user_id)}, _PROJECTION)
        )
        return None if found is None else Membership(**found)

    async def set_role(self, scope_id: str, user_id: str, role: Role) -> Membership:
        found = await self._call(
            lambda: self._members.find_one_and_update(
                {"_id": self._key(scope_id, user_id)},
                {"$set": {"role": role}},
                return_document=ReturnDocument.AFTER,
            )
        )
        if found is None:
            raise NotFound("membership", f"{scope_id}:{user_id}")
        return Membership(**_fields(found))

    async def _list(
        self, collection_name: str, query: Document, sort: list[tuple[str, int]], limit: int
    ) -> list[dict[str, Any]]:
        collection = {"members": self._members, "invitations": self._invitations}[collection_name]
        query = {"scope": self._scope, **query}
        return await self._call(
            lambda: list(collection.find(query, _PROJECTION).sort(sort).limit(limit))
        )

    async def list_members(
        self, scope_id: str, *, offset: int = 0, limit: int = 50
    ) -> list[Membership]:
        query = {"scope": self._scope, "scope_id": scope_id}
        sort = [("joined_at", ASCENDING), ("user_id", ASCENDING)]
        found = await self._call(
            lambda: list(
                self._members.find(query, _PROJECTION).sort(sort).skip(offset).limit(limit)
            )
        )
        return [Membership(**document) for document in found]

    async def list_for_user(self, user_id: str, *, limit: int = 500) -> list[Membership]:
        found = await self._list(
            "members",
            {"user_id": user_id},
            [("joined_at", ASCENDING), ("scope_id", ASCENDING)],
            limit,
        )
        return [Membership(**document) for document in found]

    async def invite(self, scope_id: str, user_id: str, *, invited_by: str) -> Invitation:
        fields = {
            "scope": self._scope,
            "scope_id": scope_id,
            "user_id": user_id,
            "invited_by": invited_by,
            "created_at": self._clock(),
        }
        found = await self._call(
            lambda: self._invitations.find_one_and_update(
                {"_id": self._key(scope_id, user_id)},
                {"$setOnInsert": fields},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        )
        assert found is not None, "an upsert returning the new document returns one"
        return Invitation(**_fields(found))

    async def list_invitations(self, user_id: str) -> list[Invitation]:
        found = await self._list(
            "invitations",
            {"user_id": user_id},
            [("created_at", ASCENDING), ("scope_id", ASCENDING)],
            1000,
        )
        return [Invitation(**document) for document in found]

    async def withdraw_invitation(self, scope_id: str, user_id: str) -> bool:
        result = await self._call(
            lambda: self._invitations.delete_one({"_id": self._key(scope_id, user_id)})
        )
        return result.deleted_count > 0

    async def purge_invitations(self, *, created_before: float, limit: int = 500) -> int:
        query = {"scope": self._scope, "created_at": {"$lt": created_before}}
        found = await self._call(
            lambda: [document["_id"] for document in self._invitations.find(query, {"_id": 1})
                     .sort("created_at", ASCENDING).limit(page_limit(limit))]
        )
        if not found:
            return 0
        result = await self._call(
            lambda: self._invitations.delete_many({"_id": {"$in": found}, **query})
        )
        return int(result.deleted_count)

    async def ban(
        self,
        scope_id: str,
        user_id: str,
        *,
        banned_by: str,
        reason: str = "",
        until: float | None = None,
    ) -> Ban:
        ban = Ban(
            scope_id=scope_id,
            user_id=user_id,
            banned_by=banned_by,
            reason=reason,
            created_at=self._clock(),
            until=until,
        )
        fields = {
            "scope": self._scope,
            **{name: getattr(ban, name) for name in ban.__struct_fields__},
        }
        await self._call(
            lambda: self._bans.replace_one(
                {"_id": self._key(scope_id, user_id)}, fields, upsert=True
            )
        )
        await self.leave(scope_id, user_id)
        return ban

    async def unban(self, scope_id: str, user_id: str) -> bool:
        result = await self._call(
            lambda: self._bans.delete_one({"_id": self._key(scope_id, user_id)})
        )
        return result.deleted_count > 0

    async def _live_bans(self, query: Document) -> list[Ban]:
        query = {
            "scope": self._scope,
            **query,
            "$or": [{"until": None}, {"until": {"$gt": self._clock()}}],
        }
        sort = [("created_at", ASCENDING), ("user_id", ASCENDING)]
        found = await self._call(lambda: list(self._bans.find(query, _PROJECTION).sort(sort)))
        return [Ban(**document) for document in found]

    async def get_ban(self, scope_id: str, user_id: str) -> Ban | None:
        bans = await self._live_bans({"_id": self._key(scope_id, user_id)})
        return bans[0] if bans else None

    async def list_bans(self, scope_id: str) -> list[Ban]:
        return await self._live_bans({"scope_id": scope_id})
