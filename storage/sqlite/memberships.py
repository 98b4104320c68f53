"""SQLite members, invitations and bans of one scope kind (``"topic"`` or ``"room"``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import msgspec

from storage.errors import NotFound
from storage.records import Ban, Invitation, Membership, Role
from storage.rules import page_limit
from storage.sqlite.context import SqliteContext

AdjustMembers = Callable[[sqlite3.Connection, str, int], None]
"""Move the scope's member count by a delta; raises ``NotFound`` for an unknown scope."""


def _membership(row: sqlite3.Row | tuple[Any, ...]) -> Membership:
    return Membership(scope_id=row[0], user_id=row[1], role=row[2], joined_at=row[3])


def _ban(row: tuple[Any, ...]) -> Ban:
    return Ban(
        scope_id=row[0],
        user_id=row[1],
        banned_by=row[2],
        reason=row[3],
        created_at=row[4],
        until=row[5],
    )


class SqliteMemberships:
    def __init__(self, context: SqliteContext, scope: str, adjust_members: AdjustMembers) -> None:
        self._run = context.worker.run
        self._clock = context.clock
        self._scope = scope
        self._adjust = adjust_members

    def _get(
        self, connection: sqlite3.Connection, scope_id: str, user_id: str
    ) -> Membership | None:
        row = connection.execute(
            "SELECT scope_id, user_id, role, joined_at FROM members"
            " WHERE scope = ? AND scope_id = ? AND user_id = ?",
            (self._scope, scope_id, user_id),
        ).fetchone()
        return _membership(row) if row else None

    def _remove(self, connection: sqlite3.Connection, scope_id: str, user_id: str) -> bool:
        removed = connection.execute(
            "DELETE FROM members WHERE scope = ? AND scope_id = ? AND user_id = ?",
            (self._scope, scope_id, user_id),
        ).rowcount
        if removed:
            self._adjust(connection, scope_id, -1)
        return removed > 0

    async def join(self, scope_id: str, user_id: str, *, role: Role = "member") -> bool:
        now = self._clock()

        def join(connection: sqlite3.Connection) -> bool:
            connection.execute(
                "DELETE FROM invitations WHERE scope = ? AND scope_id = ? AND user_id = ?",
                (self._scope, scope_id, user_id),
            )
            added = connection.execute(
                "INSERT OR IGNORE INTO members (scope, scope_id, user_id, role, joined_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (self._scope, scope_id, user_id, role, now),
            ).rowcount
            if added:
                self._adjust(connection, scope_id, 1)
            return added > 0

        return await self._run(join)

    async def leave(self, scope_id: str, user_id: str) -> bool:
        return await self._run(lambda connection: self._remove(connection, scope_id, user_id))

    async def get(self, scope_id: str, user_id: str) -> Membership | None:
        return await self._run(lambda connection: self._get(connection, scope_id, user_id))

    async def set_role(self, scope_id: str, user_id: str, role: Role) -> Membership:
        def set_role(connection: sqlite3.Connection) -> Membership:
            membership = self._get(connection, scope_id, user_id)
            if membership is None:
                raise NotFound("membership", f"{scope_id}:{user_id}")
            connection.execute(
                "UPDATE members SET role = ? WHERE scope = ? AND scope_id = ? AND user_id = ?",
                (role, self._scope, scope_id, user_id),
            )
            return msgspec.structs.replace(membership, role=role)

        return await self._run(set_role)

    async def list_members(
        self, scope_id: str, *, offset: int = 0, limit: int = 50
    ) -> list[Membership]:
        rows = await self._run(
            lambda connection: connection.execute(
                "SELECT scope_id, user_id, role, joined_at FROM members"
                " WHERE scope = ? AND scope_id = ? ORDER BY joined_at, user_id LIMIT ? OFFSET ?",
                (self._scope, scope_id, limit, offset),
            ).fetchall()
        )
        return [_membership(row) for row in rows]

    async def list_for_user(self, user_id: str, *, limit: int = 500) -> list[Membership]:
        rows = await self._run(
            lambda connection: connection.execute(
                "SELECT scope_id, user_id, role, joined_at FROM members"
                " WHERE scope = ? AND user_id = ? ORDER BY joined_at, scope_id LIMIT ?",
                (self._scope, user_id, limit),
            ).fetchall()
        )
        return [_membership(row) for row in rows]

    async def invite(self, scope_id: str, user_id: str, *, invited_by: str) -> Invitation:
        now = self._clock()

        def invite(connection: sqlite3.Connection) -> Invitation:
            connection.execute(
                "INSERT OR IGNORE INTO invitations"
                " (scope, scope_id, user_id, invited_by, created_at) VALUES (?, ?, ?, ?, ?)",
                (self._scope, scope_id, user_id, invited_by, now),
            )
            row = connection.execute(
                "SELECT invited_by, created_at FROM invitations"
                " WHERE scope = ? AND scope_id = ? AND user_id = ?",
                (self._scope, scope_id, user_id),
            ).fetchone()
            return Invitation(
                scope_id=scope_id, user_id=user_id, invited_by=row[0], created_at=row[1]
            )

        return await self._run(invite)

    async def list_invitations(self, user_id: str) -> list[Invitation]:
        rows = await self._run(
            lambda connection: connection.execute(
                "SELECT scope_id, user_id, invited_by, created_at FROM invitations"
                " WHERE scope = ? AND user_id = ? ORDER BY created_at, scope_id",
                (self._scope, user_id),
            ).fetchall()
        )
        return [
            Invitation(scope_id=row[0], user_id=row[1], invited_by=row[2], created_at=row[3])
            for row in rows
        ]

    async def withdraw_invitation(self, scope_id: str, user_id: str) -> bool:
        removed: int = await self._run(
            lambda connection: (
                connection.execute(
                    "DELETE FROM invitations WHERE scope = ? AND scope_id = ? AND user_id = ?",
                    (self._scope, scope_id, user_id),
                ).rowcount
            )
        )
        return removed > 0

    async def purge_invitations(self, *, created_before: float, limit: int = 500) -> int:
        parameters = (self._scope, created_before, page_limit(limit))
        removed: int = await self._run(
            lambda connection: connection.execute(
                "DELETE FROM invitations WHERE rowid IN (SELECT rowid FROM invitations"
                " WHERE scope = ? AND created_at < ? ORDER BY created_at LIMIT ?)",
                parameters,
            ).rowcount
        )
        return removed

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

        def store(connection: sqlite3.Connection) -> Ban:
            connection.execute(
                "INSERT OR REPLACE INTO bans"
                " (scope, scope_id, user_id, banned_by, reason, created_at, until)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (self._scope, scope_id, user_id, banned_by, reason, ban.created_at, until),
            )
            self._remove(connection, scope_id, user_id)
            return ban

        return await self._run(store)

    async def unban(self, scope_id: str, user_id: str) -> bool:
        removed: int = await self._run(
            lambda connection: (
                connection.execute(
                    "DELETE FROM bans WHERE scope = ? AND scope_id = ? AND user_id = ?",
                    (self._scope, scope_id, user_id),
                ).rowcount
            )
        )
        return removed > 0

    async def _bans(self, where: str, parameters: tuple[Any, ...]) -> list[Ban]:
        now = self._clock()
        rows = await self._run(
            lambda connection: connection.execute(
                "SELECT scope_id, user_id, banned_by, reason, created_at, until FROM bans"  # noqa: S608
                f" WHERE scope = ? AND {where} AND (until IS NULL OR until > ?)"
                " ORDER BY created_at, user_id",
                (self._scope, *parameters, now),
            ).fetchall()
        )
        return [_ban(row) for row in rows]

    async def get_ban(self, scope_id: str, user_id: str) -> Ban | None:
        bans = await self._bans("scope_id = ? AND user_id = ?", (scope_id, user_id))
        return bans[0] if bans else None

    async def list_bans(self, scope_id: str) -> list[Ban]:
        return await self._bans("scope_id = ?", (scope_id,))
