"""SQLite friendships: one row per pair of users (``pair`` is the primary key).

Each method is one job of the worker, so a read-modify-write of a pair is atomic.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Literal

import msgspec

from storage.errors import NotFound
from storage.keys import conversation_id
from storage.protocols.social import RequestDirection
from storage.records.social import Friendship
from storage.rules import page_limit
from storage.sqlite.context import SqliteContext
from storage.sqlite.tables import Table

FRIENDSHIPS = Table(
    "friendships",
    Friendship,
    ("pair",),
    lambda record: {
        "pair": record.pair,
        "id": record.id,
        "requester_id": record.requester_id,
        "addressee_id": record.addressee_id,
        "state": record.state,
    },
)


def _page(
    where: str, parameters: list[Any], before_id: str | None, limit: int
) -> tuple[str, list[Any]]:
    if before_id is not None:
        where += " AND id < ?"
        parameters.append(before_id)
    parameters.append(page_limit(limit))
    return f"WHERE {where} ORDER BY id DESC LIMIT ?", parameters


class SqliteFriends:
    """Implements :class:`storage.protocols.social.FriendStore` on SQLite."""

    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
        self._clock = context.clock
        self._ids = context.ids

    async def request(self, requester_id: str, addressee_id: str) -> tuple[Friendship, bool]:
        pair = conversation_id(requester_id, addressee_id)
        now = self._clock()
        fresh_id = self._ids.new_id()

        def request(connection: sqlite3.Connection) -> tuple[Friendship, bool]:
            found = FRIENDSHIPS.find(connection, pair)
            if found is None:
                created = Friendship(
                    pair=pair, id=fresh_id, requester_id=requester_id,
                    addressee_id=addressee_id, state="pending", created_at=now,
                )
                return FRIENDSHIPS.insert(connection, created), True
            if found.state == "pending" and found.requester_id == addressee_id:
                accepted = msgspec.structs.replace(
                    found, state="accepted", id=fresh_id, accepted_at=now
                )
                return FRIENDSHIPS.update(connection, accepted), True
            return found, False

        return await self._run(request)

    async def accept(self, addressee_id: str, requester_id: str) -> Friendship:
        pair = conversation_id(requester_id, addressee_id)
        now = self._clock()
        fresh_id = self._ids.new_id()

        def accept(connection: sqlite3.Connection) -> Friendship:
            found = FRIENDSHIPS.find(connection, pair)
            if found is None or found.state != "pending" or found.addressee_id != addressee_id:
                raise NotFound("friend_request", pair)
            accepted = msgspec.structs.replace(
                found, state="accepted", id=fresh_id, accepted_at=now
            )
            return FRIENDSHIPS.update(connection, accepted)

        return await self._run(accept)

    async def _delete(self, pair: str, where: str, parameters: tuple[str, ...]) -> bool:
        removed: int = await self._run(
            lambda connection: connection.execute(
                f"DELETE FROM friendships WHERE pair = ? AND {where}",  # noqa: S608
                (pair, *parameters),
            ).rowcount
        )
        return removed > 0

    async def drop_request(self, requester_id: str, addressee_id: str) -> bool:
        return await self._delete(
            conversation_id(requester_id, addressee_id),
            "state = 'pending' AND requester_id = ? AND addressee_id = ?",
            (requester_id, addressee_id),
        )

    async def unfriend(self, user_id: str, other_id: str) -> bool:
        return await self._delete(conversation_id(user_id, other_id), "state = 'accepted'", ())

    async def get(self, user_id: str, other_id: str) -> Friendship | None:
        pair = conversation_id(user_id, other_id)
        return await self._run(lambda connection: FRIENDSHIPS.find(connection, pair))

    async def list_friends(
        self, user_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[Friendship]:
        tail, parameters = _page(
            "state = 'accepted' AND (requester_id = ? OR addressee_id = ?)",
            [user_id, user_id], before_id, limit,
        )
        return await self._run(lambda connection: FRIENDSHIPS.select(connection, tail, parameters))

    async def list_requests(
        self,
        user_id: str,
        direction: RequestDirection,
        *,
        before_id: str | None = None,
        limit: int = 50,
    ) -> list[Friendship]:
        column = "addressee_id" if direction == "incoming" else "requester_id"
        tail, parameters = _page(
            f"state = 'pending' AND {column} = ?", [user_id], before_id, limit
        )
        return await self._run(lambda connection: FRIENDSHIPS.select(connection, tail, parameters))

    async def count(self, user_id: str, what: Literal["friends", "outgoing"]) -> int:
        if what == "friends":
            sql = (
                "SELECT count(*) FROM friendships WHERE state = 'accepted'"
                " AND (requester_id = ? OR addressee_id = ?)"
            )
            parameters: tuple[str, ...] = (user_id, user_id)
        else:
            sql = "SELECT count(*) FROM friendships WHERE state = 'pending' AND requester_id = ?"
            parameters = (user_id,)
        row = await self._run(lambda connection: connection.execute(sql, parameters).fetchone())
        return int(row[0])

    async def erase_user(self, user_id: str) -> int:
        removed: int = await self._run(
            lambda connection: connection.execute(
                "DELETE FROM friendships WHERE requester_id = ? OR addressee_id = ?",
                (user_id, user_id),
            ).rowcount
        )
        return removed
