"""Direct seeding: bot users, login sessions and rooms written straight into a store.

The fast path for benchmarks, which seed a store before its node starts.
:func:`seed_store` opens the store a :class:`~bots.store_target.StoreTarget` names and
carries out a :class:`~bots.seed_plan.SeedPlan`: each planned user with a 24-hour
session, each planned room private with its members.  Only the session tokens leave
this module (in :class:`~bots.accounts.SeededAccounts`).

Sessions written here are seen only by nodes that keep sessions in their store, that
is, nodes without ``TOPICSFLOW_REDIS_URL``; seeding through a node's REST API
(:mod:`bots.rest_seed`) has no such limit.
"""

from __future__ import annotations

import time

import trio

from bots.accounts import SeededAccounts, SeededRoom
from bots.seed_plan import SeedPlan, plan_seed
from bots.store_target import StoreTarget
from services.tokens import new_token
from storage import Store, open_store
from storage.keys import hash_token
from topicsflow.settings import Settings

__all__ = ["SeededAccounts", "SeededRoom", "seed_accounts", "seed_into", "seed_store"]

SESSION_SECONDS = 24 * 3600
CONCURRENT_WRITES = 32
UNUSABLE_PASSWORD_HASH = "!seeded-bot"  # noqa: S105 - not a hash: password login fails


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


async def _new_users(store: Store, usernames: tuple[str, ...]) -> list[tuple[str, str]]:
    """The users ``usernames``, created a few at a time; (id, token) in the same order."""
    results: list[tuple[str, str] | None] = [None] * len(usernames)
    limiter = trio.CapacityLimiter(CONCURRENT_WRITES)

    async def create(index: int) -> None:
        async with limiter:
            results[index] = await _new_user(store, usernames[index])

    async with trio.open_nursery() as nursery:
        for index in range(len(usernames)):
            nursery.start_soon(create, index)
    return [result for result in results if result is not None]


async def seed_plan_into(store: Store, plan: SeedPlan) -> SeededAccounts:
    """Carry out ``plan`` in ``store``; see the module docstring."""
    rooms: list[SeededRoom] = []
    for planned in plan.rooms:
        users = await _new_users(store, planned.usernames)
        room = await store.rooms.create(owner_id=users[0][0], name=planned.name)
        async with trio.open_nursery() as nursery:
            for user_id, _token in users[1:]:
                nursery.start_soon(store.rooms.members.join, room.id, user_id)
        rooms.append(SeededRoom(f"chat_room:{room.id}", tuple(token for _, token in users)))
    idle = await _new_users(store, plan.idle_usernames)
    return SeededAccounts(rooms=tuple(rooms), idle_tokens=tuple(token for _, token in idle))


async def seed_into(store: Store, room_sizes: list[int], idle_users: int) -> SeededAccounts:
    """Seed rooms of ``room_sizes`` members and ``idle_users`` loose users into ``store``."""
    return await seed_plan_into(store, plan_seed(room_sizes, idle_users))


async def seed_store(target: StoreTarget, plan: SeedPlan) -> SeededAccounts:
    """Open the store ``target`` names and carry out ``plan`` in it.

    ``storage.errors.StorageUnavailable`` when the store cannot be reached.
    """
    async with open_store(
        target.mongodb_url, data_dir=target.data_dir, database=target.mongodb_database,
        sqlite_synchronous="NORMAL",
    ) as store:
        return await seed_plan_into(store, plan)


async def seed_accounts(
    settings: Settings, room_sizes: list[int], idle_users: int = 0
) -> SeededAccounts:
    """Seed the store ``settings`` name (benchmarks, which choose their settings)."""
    target = StoreTarget(
        data_dir=None if settings.mongodb_url else settings.data_dir,
        mongodb_url=settings.mongodb_url, mongodb_database=settings.mongodb_database,
    )
    return await seed_store(target, plan_seed(room_sizes, idle_users))
