"""Mongo users."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from msgspec import UNSET, UnsetType
from pymongo import ASCENDING, ReturnDocument

from storage.errors import Conflict
from storage.keys import fold
from storage.mongo.documents import Codec, Document, MongoContext, in_order
from storage.mongo.search_index import SearchIndexer
from storage.records import Preferences, User
from storage.rules import check_preferences

USERS = Codec(
    User,
    extra=lambda user: {"username_key": fold(user.username), "email_key": fold(user.email)},
)


class MongoUsers:
    def __init__(self, context: MongoContext) -> None:
        self._collection = context.database["users"]
        self._locks = context.locks
        self._search = SearchIndexer(context)
        self._call = context.executor.call
        self._ids = context.ids
        self._clock = context.clock

    async def _which_conflict(self, username: str, email: str, user_id: str | None) -> Conflict:
        """FerretDB does not name the violated index: look for the colliding user."""
        taken = await self.find_by_username(username)
        if taken is not None and taken.id != user_id:
            return Conflict("username")
        return Conflict("email")

    async def create(
        self, *, username: str, email: str, password_hash: str, display_name: str = ""
    ) -> User:
        now = self._clock()
        user = User(
            id=self._ids.new_id(),
            username=username,
            email=email,
            password_hash=password_hash,
            display_name=display_name or username,
            created_at=now,
            updated_at=now,
        )
        try:
            await self._call(
                lambda: self._collection.insert_one(USERS.encode(user)), idempotent=False
            )
        except Conflict as conflict:
            raise await self._which_conflict(username, email, None) from conflict
        await self._search.put_user(user.id, user.username)
        return user

    async def get(self, user_id: str) -> User:
        found = await self._call(lambda: self._collection.find_one({"_id": user_id}))
        return USERS.decode_or_raise(found, "user", user_id)

    async def get_many(self, user_ids: Sequence[str]) -> list[User]:
        ids = list(user_ids)
        found = await self._call(lambda: list(self._collection.find({"_id": {"$in": ids}})))
        return in_order({document["_id"]: USERS.decode(document) for document in found}, ids)

    async def _find(self, field: str, value: str) -> User | None:
        found = await self._call(lambda: self._collection.find_one({field: fold(value)}))
        return None if found is None else USERS.decode(found)

    async def find_by_username(self, username: str) -> User | None:
        return await self._find("username_key", username)

    async def find_by_email(self, email: str) -> User | None:
        return await self._find("email_key", email)

    async def search(self, prefix: str, *, limit: int = 20) -> list[User]:
        query = {"username_key": {"$regex": f"^{re.escape(fold(prefix))}"}}
        found = await self._call(
            lambda: list(self._collection.find(query).sort("username_key", ASCENDING).limit(limit))
        )
        return [USERS.decode(document) for document in found]

    async def _update(self, user_id: str, update: Document) -> User:
        update.setdefault("$set", {})["updated_at"] = self._clock()
        async with self._locks.hold(f"users:{user_id}"):
            found = await self._call(
                lambda: self._collection.find_one_and_update(
                    {"_id": user_id}, update, return_document=ReturnDocument.AFTER
                )
            )
        return USERS.decode_or_raise(found, "user", user_id)

    async def _update_if(self, user_id: str, condition: Document, update: Document) -> bool:
        """Apply ``update`` when the user matches ``condition``; whether it applied.

        The per-user lock makes the check and the write one step on FerretDB too.
        """
        update.setdefault("$set", {})["updated_at"] = self._clock()
        async with self._locks.hold(f"users:{user_id}"):
            found = await self._call(
                lambda: self._collection.find_one_and_update({"_id": user_id, **condition}, update),
                idempotent=False,
            )
        if found is None:
            await self.get(user_id)
            return False
        return True

    async def update_profile(
        self,
        user_id: str,
        *,
        display_name: str | UnsetType = UNSET,
        bio: str | UnsetType = UNSET,
        avatar_file_id: str | UnsetType | None = UNSET,
    ) -> User:
        changes = {
            name: value
            for name, value in (
                ("display_name", display_name),
                ("bio", bio),
                ("avatar_file_id", avatar_file_id),
            )
            if value is not UNSET
        }
        return await self._update(user_id, {"$set": changes})

    async def _change_identity(self, user_id: str, changes: dict[str, Any]) -> User:
        try:
            return await self._update(user_id, {"$set": changes})
        except Conflict as conflict:
            current = await self.get(user_id)
            username = changes.get("username", current.username)
            raise await self._which_conflict(username, "", user_id) from conflict

    async def change_username(self, user_id: str, username: str) -> User:
        changed = await self._change_identity(
            user_id, {"username": username, "username_key": fold(username)}
        )
        await self._search.put_user(changed.id, changed.username)
        return changed

    async def change_email(self, user_id: str, email: str) -> User:
        return await self._change_identity(
            user_id, {"email": email, "email_key": fold(email), "email_verified": False}
        )

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        await self._update(user_id, {"$set": {"password_hash": password_hash}})

    async def set_totp_secret(self, user_id: str, secret: str | None) -> None:
        await self._update(user_id, {"$set": {"totp_secret": secret}})

    async def begin_totp_enrolment(self, user_id: str, secret: str) -> None:
        await self._update(user_id, {"$set": {"pending_totp_secret": secret}})

    async def enable_totp(
        self, user_id: str, *, secret: str, step: int, backup_code_hashes: Sequence[str]
    ) -> None:
        changes = {
            "totp_secret": secret,
            "pending_totp_secret": None,
            "totp_last_step": step,
            "backup_code_hashes": list(backup_code_hashes),
        }
        await self._update(user_id, {"$set": changes})

    async def disable_totp(self, user_id: str) -> None:
        changes: Document = {
            "totp_secret": None,
            "pending_totp_secret": None,
            "totp_last_step": None,
            "backup_code_hashes": [],
        }
        await self._update(user_id, {"$set": changes})

    async def use_totp_step(self, user_id: str, step: int) -> bool:
        # {"field": None} also matches documents written before the field existed.
        newer = {"$or": [{"totp_last_step": None}, {"totp_last_step": {"$lt": step}}]}
        return await self._update_if(user_id, newer, {"$set": {"totp_last_step": step}})

    async def replace_backup_codes(self, user_id: str, code_hashes: Sequence[str]) -> None:
        await self._update(user_id, {"$set": {"backup_code_hashes": list(code_hashes)}})

    async def consume_backup_code(self, user_id: str, code_hash: str) -> bool:
        return await self._update_if(
            user_id,
            {"backup_code_hashes": code_hash},
            {"$pull": {"backup_code_hashes": code_hash}},
        )

    async def set_email_verified(self, user_id: str, verified: bool) -> None:
        await self._update(user_id, {"$set": {"email_verified": verified}})

    async def set_admin(self, user_id: str, is_admin: bool) -> None:
        await self._update(user_id, {"$set": {"is_admin": is_admin}})

    async def mark_bot(self, user_id: str, owner_id: str | None) -> User:
        return await self._update(user_id, {"$set": {"is_bot": True, "bot_owner_id": owner_id}})

    async def update_preferences(self, user_id: str, changes: Preferences) -> User:
        check_preferences(dict(changes))
        update = {f"preferences.{key}": value for key, value in changes.items()}
        return await self._update(user_id, {"$set": update})

    async def block(self, user_id: str, blocked_user_id: str) -> None:
        await self._update(user_id, {"$addToSet": {"blocked_user_ids": blocked_user_id}})

    async def unblock(self, user_id: str, blocked_user_id: str) -> None:
        await self._update(user_id, {"$pull": {"blocked_user_ids": blocked_user_id}})
