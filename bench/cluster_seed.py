"""Seed rooms for the cluster benchmark into the shared Mongo-wire store.

Run as a child process so the harness itself never imports server code::

    python -m bench.cluster_seed MONGODB_URL DATABASE SIZES_JSON
    python -m bench.cluster_seed sqlite:DATA_DIR - SIZES_JSON     (an embedded node's store)

For each size in ``SIZES_JSON`` (a JSON list of ints) it creates that many users, a
24-hour session per user in the store (the nodes read sessions from the store through
their Redis cache) and one private room they all belong to (the first user owns it).  It
prints one JSON line, ``{"rooms": [{"channel", "tokens"}]}``, the tokens in member order,
the same shape :func:`bench.specs.fanout_specs` takes.
"""

from __future__ import annotations

import json
import secrets
import sys
import time

import trio

from services.tokens import new_token
from storage import Store, open_store
from storage.keys import hash_token
from storage.mongo.store import MongoOptions

SESSION_SECONDS = 24 * 3600
CONCURRENT_WRITES = 16
# Seeding is a bulk job on a shared test server: a slow write is waited for, not an outage.
SEED_OPTIONS = MongoOptions(deadline=60.0, socket_timeout=60.0)
UNUSABLE_PASSWORD_HASH = "!seeded-bench"  # not a hash: password login always fails


async def _user(store: Store, name: str) -> tuple[str, str]:
    """A new user and its Redis session: ``(user_id, token)``."""
    user = await store.users.create(
        username=name, email=f"{name}@bench.invalid", password_hash=UNUSABLE_PASSWORD_HASH
    )
    token = new_token()
    await store.sessions.create(
        token_hash=hash_token(token), user_id=user.id, expires_at=time.time() + SESSION_SECONDS
    )
    return user.id, token


async def _room(store: Store, run: str, index: int, size: int
                ) -> dict[str, object]:
    """One seeded room of ``size`` members: ``{"channel", "tokens"}``."""
    users: list[tuple[str, str] | None] = [None] * size
    limiter = trio.CapacityLimiter(CONCURRENT_WRITES)

    async def create(member: int) -> None:
        async with limiter:
            users[member] = await _user(store, f"cb{run}r{index}u{member:05d}")

    async with trio.open_nursery() as nursery:
        for member in range(size):
            nursery.start_soon(create, member)
    members = [user for user in users if user is not None]
    room = await store.rooms.create(owner_id=members[0][0], name=f"bench {run} {index}")

    async def join(user_id: str) -> None:
        async with limiter:
            await store.rooms.members.join(room.id, user_id)

    async with trio.open_nursery() as nursery:
        for user_id, _token in members[1:]:
            nursery.start_soon(join, user_id)
    return {"channel": f"chat_room:{room.id}", "tokens": [token for _, token in members]}


async def seed(mongodb_url: str, database: str, sizes: list[int]) -> dict[str, object]:
    """Seed every room of ``sizes``; the accounts mapping (see the module docstring)."""
    run = secrets.token_hex(3)
    sqlite_dir = mongodb_url.removeprefix("sqlite:") if mongodb_url.startswith("sqlite:") else None
    async with open_store(None if sqlite_dir else mongodb_url, data_dir=sqlite_dir,
                          database=database, mongo_options=SEED_OPTIONS) as store:
        rooms = [await _room(store, run, index, size)
                 for index, size in enumerate(sizes)]
    return {"rooms": rooms, "idle_tokens": []}


def main(argv: list[str]) -> None:
    """The command line of the module docstring."""
    mongodb_url, database, sizes = argv
    accounts = trio.run(seed, mongodb_url, database, json.loads(sizes))
    print(json.dumps(accounts))


if __name__ == "__main__":
    main(sys.argv[1:])
