"""Pre-seeded bot accounts: users, login sessions and rooms written straight into a store.

Load tests need hundreds of logged-in users; logging each in over HTTP would hit the
login rate limit (20/min per address) and spend most of the run in argon2.  Instead
:func:`seed_accounts` opens the store the ``TOPICSFLOW_*`` settings name (the embedded
SQLite store in ``TOPICSFLOW_DATA_DIR``, or MongoDB) and creates, for each requested room,
that many users, a 24-hour session per user and one private room they are all members
of, plus ``idle_users`` users with sessions and no room.  Only the session tokens leave
this module (in :class:`SeededAccounts`, saved as JSON for ``topicsflow bots run``).

Sessions are read from the store only when the node runs without Redis; with
``TOPICSFLOW_REDIS_URL`` set, seeded sessions are invisible to the node.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import time
from pathlib import Path
from typing import Any

import trio

from services.tokens import new_token
from storage import Store, open_store
from storage.keys import hash_token
from topicsflow.settings import Settings

SESSION_SECONDS = 24 * 3600
CONCURRENT_WRITES = 32
UNUSABLE_PASSWORD_HASH = "!seeded-bot"  # noqa: S105 - not a hash: password login fails


@dataclasses.dataclass(frozen=True)
class SeededRoom:
    """A room's channel and the session tokens of its members (the owner first)."""

    channel: str
    tokens: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class SeededAccounts:
    """Everything the bots need to connect; see the module docstring."""

    rooms: tuple[SeededRoom, ...]
    idle_tokens: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "rooms": [
                {"channel": room.channel, "tokens": list(room.tokens)} for room in self.rooms
            ],
            "idle_tokens": list(self.idle_tokens),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SeededAccounts:
        """The inverse of :meth:`to_json`."""
        rooms = tuple(
            SeededRoom(channel=str(room["channel"]), tokens=tuple(room["tokens"]))
            for room in data["rooms"]
        )
        return cls(rooms=rooms, idle_tokens=tuple(data.get("idle_tokens", ())))

    def save(self, path: Path) -> None:
        """Write the accounts as JSON to ``path``."""
        path.write_text(json.dumps(self.to_json()), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> SeededAccounts:
        """Read accounts written by :meth:`save`."""
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))


async def _new_user(store: Store, username: str) -> tuple[str, str]:
    """Create a user and a session; return (user id, session token)."""
    user = await store.users.create(
        username=username, email=f"{username}@bots.invalid", password_hash=UNUSABLE_PASSWORD_HASH
    )
    token = new_token()
    await store.sessions.create(
        token_hash=hash_token(token), user_id=user.id, expires_at=time.time() + SESSION_SECONDS
    )
    return user.id, token


async def _new_users(store: Store, prefix: str, count: int) -> list[tuple[str, str]]:
    """``count`` users named ``prefix`` + index, created a few at a time, in order."""
    results: list[tuple[str, str] | None] = [None] * count
    limiter = trio.CapacityLimiter(CONCURRENT_WRITES)

    async def create(index: int) -> None:
        async with limiter:
            results[index] = await _new_user(store, f"{prefix}{index:05d}")

    async with trio.open_nursery() as nursery:
        for index in range(count):
            nursery.start_soon(create, index)
    return [result for result in results if result is not None]


async def seed_into(store: Store, room_sizes: list[int], idle_users: int) -> SeededAccounts:
    """Seed rooms of ``room_sizes`` members and ``idle_users`` loose users into ``store``."""
    run = secrets.token_hex(3)
    rooms: list[SeededRoom] = []
    for room_index, size in enumerate(room_sizes):
        if size < 1:
            raise ValueError("every room needs at least one member")
        users = await _new_users(store, f"bot{run}r{room_index}u", size)
        owner_id = users[0][0]
        room = await store.rooms.create(owner_id=owner_id, name=f"bots {run} {room_index}")
        async with trio.open_nursery() as nursery:
            for user_id, _token in users[1:]:
                nursery.start_soon(store.rooms.members.join, room.id, user_id)
        rooms.append(SeededRoom(f"chat_room:{room.id}", tuple(token for _, token in users)))
    idle = await _new_users(store, f"bot{run}i", idle_users)
    return SeededAccounts(rooms=tuple(rooms), idle_tokens=tuple(token for _, token in idle))


async def seed_accounts(
    settings: Settings, room_sizes: list[int], idle_users: int = 0
) -> SeededAccounts:
    """Open the store ``settings`` name and seed it; see the module docstring."""
    async with open_store(
        settings.mongodb_url, data_dir=settings.data_dir, database=settings.mongodb_database,
        sqlite_synchronous="NORMAL",
    ) as store:
        return await seed_into(store, room_sizes, idle_users)
