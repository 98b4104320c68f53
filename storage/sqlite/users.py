"""SQLite users."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

import msgspec
from msgspec import UNSET, UnsetType

from storage.keys import fold
from storage.records import Preferences, User
from storage.rules import check_preferences
from storage.sqlite.context import SqliteContext
from storage.sqlite.tables import Table, conflict_from, placeholders

USERS = Table(
    "users",
    User,
    ("id",),
    lambda user: {
        "id": user.id,
        "username_key": fold(user.username),
        "email_key": fold(user.email),
    },
)
_USER_FIELDS = {"users.username_key": "username", "users.email_key": "email"}


class SqliteUsers:
    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
        self._ids = context.ids
        self._clock = context.clock

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

        def insert(connection: sqlite3.Connection) -> User:
            try:
                return USERS.insert(connection, user)
            except sqlite3.IntegrityError as error:
                raise conflict_from(error, _USER_FIELDS) from error

        return await self._run(insert)

    async def get(self, user_id: str) -> User:
        return await self._run(lambda connection: USERS.require(connection, user_id))

    async def get_many(self, user_ids: Sequence[str]) -> list[User]:
        ids = list(user_ids)

        def select(connection: sqlite3.Connection) -> list[User]:
            found = USERS.select(connection, f"WHERE id IN ({placeholders(len(ids))})", ids)
            by_id = {user.id: user for user in found}
            return [by_id[user_id] for user_id in ids if user_id in by_id]

        return await self._run(select)

    async def _find(self, column: str, value: str) -> User | None:
        found = await self._run(
            lambda connection: USERS.select(connection, f"WHERE {column} = ?", (fold(value),))
        )
        return found[0] if found else None

    async def find_by_username(self, username: str) -> User | None:
        return await self._find("username_key", username)

    async def find_by_email(self, email: str) -> User | None:
        return await self._find("email_key", email)

    async def search(self, prefix: str, *, limit: int = 20) -> list[User]:
        key = fold(prefix)
        return await self._run(
            lambda connection: USERS.select(
                connection,
                "WHERE substr(username_key, 1, ?) = ? ORDER BY username_key LIMIT ?",
                (len(key), key, limit),
            )
        )

    async def _modify(self, user_id: str, change: Callable[[User], User]) -> User:
        def modify(connection: sqlite3.Connection) -> User:
            try:
                return USERS.modify(
                    connection,
                    (user_id,),
                    lambda user: msgspec.structs.replace(change(user), updated_at=self._clock()),
                )
            except sqlite3.IntegrityError as error:
                raise conflict_from(error, _USER_FIELDS) from error

        return await self._run(modify)

    async def _modify_if(self, user_id: str, change: Callable[[User], User | None]) -> bool:
        """Apply ``change`` unless it returns None; whether it applied.  Atomic on the worker."""

        def modify(connection: sqlite3.Connection) -> bool:
            changed = change(USERS.require(connection, user_id))
            if changed is None:
                return False
            USERS.update(connection, msgspec.structs.replace(changed, updated_at=self._clock()))
            return True

        return await self._run(modify)

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
        return await self._modify(user_id, lambda user: msgspec.structs.replace(user, **changes))

    async def change_username(self, user_id: str, username: str) -> User:
        return await self._modify(
            user_id, lambda user: msgspec.structs.replace(user, username=username)
        )

    async def change_email(self, user_id: str, email: str) -> User:
        return await self._modify(
            user_id,
            lambda user: msgspec.structs.replace(user, email=email, email_verified=False),
        )

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        await self._modify(
            user_id, lambda user: msgspec.structs.replace(user, password_hash=password_hash)
        )

    async def set_totp_secret(self, user_id: str, secret: str | None) -> None:
        await self._modify(user_id, lambda user: msgspec.structs.replace(user, totp_secret=secret))

    async def begin_totp_enrolment(self, user_id: str, secret: str) -> None:
        await self._modify(
            user_id, lambda user: msgspec.structs.replace(user, pending_totp_secret=secret)
        )

    async def enable_totp(
        self, user_id: str, *, secret: str, step: int, backup_code_hashes: Sequence[str]
    ) -> None:
        await self._modify(
            user_id,
            lambda user: msgspec.structs.replace(
                user,
                totp_secret=secret,
                pending_totp_secret=None,
                totp_last_step=step,
                backup_code_hashes=tuple(backup_code_hashes),
            ),
        )

    async def disable_totp(self, user_id: str) -> None:
        await self._modify(
            user_id,
            lambda user: msgspec.structs.replace(
                user,
                totp_secret=None,
                pending_totp_secret=None,
                totp_last_step=None,
                backup_code_hashes=(),
            ),
        )

    async def use_totp_step(self, user_id: str, step: int) -> bool:
        def advance(user: User) -> User | None:
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return None
            return msgspec.structs.replace(user, totp_last_step=step)

        return await self._modify_if(user_id, advance)

    async def replace_backup_codes(self, user_id: str, code_hashes: Sequence[str]) -> None:
        await self._modify(
            user_id,
            lambda user: msgspec.structs.replace(user, backup_code_hashes=tuple(code_hashes)),
        )

    async def consume_backup_code(self, user_id: str, code_hash: str) -> bool:
        def remove(user: User) -> User | None:
            if code_hash not in user.backup_code_hashes:
                return None
            kept = tuple(other for other in user.backup_code_hashes if other != code_hash)
            return msgspec.structs.replace(user, backup_code_hashes=kept)

        return await self._modify_if(user_id, remove)

    async def set_email_verified(self, user_id: str, verified: bool) -> None:
        await self._modify(
            user_id, lambda user: msgspec.structs.replace(user, email_verified=verified)
        )

    async def set_admin(self, user_id: str, is_admin: bool) -> None:
        await self._modify(user_id, lambda user: msgspec.structs.replace(user, is_admin=is_admin))

    async def mark_bot(self, user_id: str, owner_id: str | None) -> User:
        return await self._modify(
            user_id,
            lambda user: msgspec.structs.replace(user, is_bot=True, bot_owner_id=owner_id),
        )

    async def update_preferences(self, user_id: str, changes: Preferences) -> User:
        check_preferences(dict(changes))
        return await self._modify(
            user_id,
            lambda user: msgspec.structs.replace(user, preferences={**user.preferences, **changes}),
        )

    async def block(self, user_id: str, blocked_user_id: str) -> None:
        def add(user: User) -> User:
            if blocked_user_id in user.blocked_user_ids:
                return user
            blocked = (*user.blocked_user_ids, blocked_user_id)
            return msgspec.structs.replace(user, blocked_user_ids=blocked)

        await self._modify(user_id, add)

    async def unblock(self, user_id: str, blocked_user_id: str) -> None:
        def remove(user: User) -> User:
            kept = tuple(other for other in user.blocked_user_ids if other != blocked_user_id)
            return msgspec.structs.replace(user, blocked_user_ids=kept)

        await self._modify(user_id, remove)
