"""Site-wide bans lapse on time: the authenticator compares the stored end with its clock."""

from __future__ import annotations

import time

from services.authentication import SessionAuthenticator
from services.bans import BANNED_UNTIL, PERMANENT, ban_in_force, ban_value
from storage import open_store
from storage.keys import hash_token


class FakeClock:
    """A settable clock shared by the store and the authenticator."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def test_a_temporary_ban_refuses_the_user_until_it_lapses() -> None:
    clock = FakeClock(1_000_000.0)
    async with open_store(None, clock=clock) as store:
        user = await store.users.create(username="rude", email="r@example.org", password_hash="x")
        await store.sessions.create(
            token_hash=hash_token("token"), user_id=user.id, expires_at=clock.now + 10**6
        )
        authenticator = SessionAuthenticator(store.sessions, store.users, clock=clock)
        assert await authenticator.authenticate("token") is not None
        await store.users.update_preferences(user.id, {BANNED_UNTIL: ban_value(clock.now, 600)})
        assert await authenticator.authenticate("token") is None
        clock.now += 599
        assert await authenticator.authenticate("token") is None
        clock.now += 1
        assert await authenticator.authenticate("token") is not None


async def test_permanent_bans_and_junk_values() -> None:
    async with open_store(None) as store:
        user = await store.users.create(username="rude", email="r@example.org", password_hash="x")
        now = time.time()
        assert not ban_in_force(user, now)
        for value, expected in ((PERMANENT, True), (True, False), ("soon", False), (None, False),
                                (now + 5, True), (now - 5, False)):
            changed = await store.users.update_preferences(user.id, {BANNED_UNTIL: value})
            assert ban_in_force(changed, now) is expected, value
