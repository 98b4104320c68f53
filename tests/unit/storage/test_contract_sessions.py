"""Contract: session stores (document stores, Redis, in-process twin)."""

from __future__ import annotations

from storage import hash_token
from storage.protocols import SessionStore
from tests.unit.storage.support import FakeClock, unique


async def test_sessions(sessions: SessionStore, clock: FakeClock) -> None:
    user_id = unique("user")
    first, second, third = (hash_token(unique("t")) for _ in range(3))
    created = await sessions.create(
        token_hash=first, user_id=user_id, expires_at=clock.now + 100, user_agent="ua"
    )
    assert await sessions.get(first) == created
    clock.advance(1)
    await sessions.create(token_hash=second, user_id=user_id, expires_at=clock.now + 100)
    clock.advance(1)
    await sessions.create(token_hash=third, user_id=user_id, expires_at=clock.now + 5)
    listed = await sessions.list_for_user(user_id)
    assert [session.token_hash for session in listed] == [third, second, first]
    clock.advance(10)
    assert await sessions.get(third) is None
    touched = await sessions.touch(first, expires_at=clock.now + 500)
    assert touched is not None and touched.last_seen_at == clock.now
    assert await sessions.touch(third, expires_at=clock.now + 500) is None
    assert await sessions.revoke_all(user_id, except_token_hash=first) == 1
    assert [s.token_hash for s in await sessions.list_for_user(user_id)] == [first]
    assert await sessions.revoke(first)
    assert not await sessions.revoke(first)
    assert await sessions.get(first) is None


async def test_sessions_of_users_are_separate(sessions: SessionStore, clock: FakeClock) -> None:
    mine, theirs = hash_token(unique("m")), hash_token(unique("t"))
    me, them = unique("me"), unique("them")
    await sessions.create(token_hash=mine, user_id=me, expires_at=clock.now + 60)
    await sessions.create(token_hash=theirs, user_id=them, expires_at=clock.now + 60)
    assert await sessions.revoke_all(me) == 1
    assert await sessions.get(theirs) is not None
    assert await sessions.list_for_user(me) == []


async def test_live_among_names_the_live_sessions_of_many(
    sessions: SessionStore, clock: FakeClock
) -> None:
    user_id = unique("user")
    hashes = [hash_token(unique("t")) for _ in range(1203)]  # more than a chunk of any store
    for index, token_hash in enumerate(hashes):
        lifetime = 5 if index % 3 == 1 else 100
        await sessions.create(token_hash=token_hash, user_id=user_id,
                              expires_at=clock.now + lifetime)
    revoked, unknown = hashes[0], hash_token(unique("never"))
    await sessions.revoke(revoked)
    clock.advance(10)
    expected = {h for index, h in enumerate(hashes) if index % 3 != 1 and h != revoked}
    assert await sessions.live_among([*hashes, unknown]) == expected
    assert await sessions.live_among([]) == set()
