"""SQLite passkeys, login audit and account requests (export, deletion, erasure)."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection

import msgspec

from storage.errors import Conflict, NotFound
from storage.records import User
from storage.records.security import (
    AccountRequest,
    AccountRequestKind,
    AccountRequestState,
    Passkey,
    SecurityEvent,
)
from storage.sqlite.context import SqliteContext
from storage.sqlite.tables import Table, placeholders
from storage.sqlite.users import USERS

PASSKEYS = Table(
    "passkeys",
    Passkey,
    ("id",),
    lambda key: {"id": key.id, "user_id": key.user_id, "created_at": key.created_at},
)
EVENTS = Table(
    "security_events",
    SecurityEvent,
    ("id",),
    lambda event: {
        "id": event.id,
        "user_id": event.user_id,
        "session_id": event.session_id,
        "kind": event.kind,
        "created_at": event.created_at,
    },
)
REQUESTS = Table(
    "account_requests",
    AccountRequest,
    ("id",),
    lambda request: {
        "id": request.id,
        "user_id": request.user_id,
        "kind": request.kind,
        "state": request.state,
        "due_at": request.due_at,
    },
)


class SqlitePasskeys:
    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run

    async def add(self, passkey: Passkey) -> Passkey:
        def insert(connection: sqlite3.Connection) -> Passkey:
            try:
                return PASSKEYS.insert(connection, passkey)
            except sqlite3.IntegrityError as error:
                raise Conflict("passkey") from error

        return await self._run(insert)

    async def get(self, credential_id: str) -> Passkey | None:
        return await self._run(lambda connection: PASSKEYS.find(connection, credential_id))

    async def list_for_user(self, user_id: str) -> list[Passkey]:
        return await self._run(
            lambda connection: PASSKEYS.select(
                connection, "WHERE user_id = ? ORDER BY created_at, id", (user_id,)
            )
        )

    async def rename(self, user_id: str, credential_id: str, name: str) -> Passkey:
        def rename(connection: sqlite3.Connection) -> Passkey:
            found = PASSKEYS.find(connection, credential_id)
            if found is None or found.user_id != user_id:
                raise NotFound("passkey", credential_id)
            return PASSKEYS.update(connection, msgspec.structs.replace(found, name=name))

        return await self._run(rename)

    async def remove(self, user_id: str, credential_id: str) -> bool:
        deleted: int = await self._run(
            lambda connection: connection.execute(
                "DELETE FROM passkeys WHERE id = ? AND user_id = ?", (credential_id, user_id)
            ).rowcount
        )
        return deleted > 0

    async def record_use(
        self, credential_id: str, *, expected_count: int, new_count: int, used_at: float
    ) -> bool:
        def use(connection: sqlite3.Connection) -> bool:
            found = PASSKEYS.find(connection, credential_id)
            if found is None or found.sign_count != expected_count:
                return False
            PASSKEYS.update(
                connection,
                msgspec.structs.replace(found, sign_count=new_count, last_used_at=used_at),
            )
            return True

        return await self._run(use)


class SqliteSecurityEvents:
    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
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
        return await self._run(lambda connection: EVENTS.insert(connection, event))

    async def list_for_user(
        self, user_id: str, *, before_id: str | None = None, limit: int = 100
    ) -> list[SecurityEvent]:
        return await self._run(
            lambda connection: EVENTS.select(
                connection,
                "WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
                (user_id, before_id or "~", limit),
            )
        )

    async def last_for_session(
        self, user_id: str, session_id: str, kinds: Collection[str]
    ) -> SecurityEvent | None:
        wanted = list(kinds)
        found = await self._run(
            lambda connection: EVENTS.select(
                connection,
                f"WHERE session_id = ? AND user_id = ? AND kind IN ({placeholders(len(wanted))})"
                " ORDER BY created_at DESC, id DESC LIMIT 1",
                (session_id, user_id, *wanted),
            )
        )
        return found[0] if found else None


class SqliteAccountRequests:
    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
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
        return await self._run(lambda connection: REQUESTS.insert(connection, request))

    async def get(self, request_id: str) -> AccountRequest:
        return await self._run(lambda connection: REQUESTS.require(connection, request_id))

    async def list_for_user(
        self, user_id: str, kind: AccountRequestKind, *, limit: int = 20
    ) -> list[AccountRequest]:
        return await self._run(
            lambda connection: REQUESTS.select(
                connection,
                "WHERE user_id = ? AND kind = ? ORDER BY id DESC LIMIT ?",
                (user_id, kind, limit),
            )
        )

    async def list_due(
        self, kind: AccountRequestKind, *, now: float, limit: int = 20
    ) -> list[AccountRequest]:
        return await self._run(
            lambda connection: REQUESTS.select(
                connection,
                "WHERE kind = ? AND state IN ('pending', 'building') AND due_at <= ? "
                "ORDER BY due_at, id LIMIT ?",
                (kind, now, limit),
            )
        )

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
        updated_at = self._clock()

        def claim(connection: sqlite3.Connection) -> AccountRequest | None:
            found = REQUESTS.find(connection, request_id)
            if found is None or found.state not in from_states or found.due_at > now:
                return None
            claimed = msgspec.structs.replace(
                found, state=to_state, claimed_by=claimant, due_at=until,
                attempts=found.attempts + 1, updated_at=updated_at,
            )
            return REQUESTS.update(connection, claimed)

        return await self._run(claim)

    async def renew(self, request_id: str, *, claimant: str, until: float) -> bool:
        def renew(connection: sqlite3.Connection) -> bool:
            found = REQUESTS.find(connection, request_id)
            if found is None or found.claimed_by != claimant:
                return False
            REQUESTS.update(connection, msgspec.structs.replace(found, due_at=until))
            return True

        return await self._run(renew)

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
        changes: dict[str, object] = {
            name: value for name, value in given.items() if value is not None
        }
        now = self._clock()
        if claimant is not None:
            changes.update(claimed_by="", due_at=now)

        def transition(connection: sqlite3.Connection) -> AccountRequest:
            found = REQUESTS.require(connection, request_id)
            if found.state not in from_states or (
                claimant is not None and found.claimed_by != claimant
            ):
                raise Conflict("state")
            changed = msgspec.structs.replace(found, state=to_state, updated_at=now, **changes)
            return REQUESTS.update(connection, changed)

        return await self._run(transition)

    async def erase_account(self, tombstone: User) -> None:
        user_id = tombstone.id

        def erase(connection: sqlite3.Connection) -> None:
            USERS.require(connection, user_id)
            USERS.update(connection, tombstone)
            for statement in (
                "DELETE FROM notifications WHERE user_id = ?",
                "DELETE FROM one_time_tokens WHERE user_id = ?",
                "DELETE FROM sessions WHERE user_id = ?",
                "DELETE FROM passkeys WHERE user_id = ?",
                "DELETE FROM security_events WHERE user_id = ?",
                "DELETE FROM account_requests WHERE user_id = ? AND kind = 'export'",
            ):
                connection.execute(statement, (user_id,))

        await self._run(erase)
