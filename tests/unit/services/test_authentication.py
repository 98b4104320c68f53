"""Sessions slide: touched at most once a minute, then valid thirty more days."""

from __future__ import annotations

from services.authentication import (
    SESSION_LIFETIME_SECONDS,
    TOUCH_INTERVAL_SECONDS,
    SessionAuthenticator,
)
from services.tokens import public_session_id
from storage import open_store
from storage.keys import hash_token
from storage.realtime.memory import MemorySessions
from tests.unit.storage.support import FakeClock


async def test_sessions_slide_at_most_once_per_interval() -> None:
    clock = FakeClock()
    async with open_store(None, clock=clock.time) as store:
        user = await store.users.create(username="alice", email="a@x.io", password_hash="h")
        sessions = MemorySessions(clock.time)
        authenticator = SessionAuthenticator(sessions, store.users, clock=clock.time)
        await sessions.create(
            token_hash=hash_token("t"), user_id=user.id, expires_at=clock.now + 3600
        )
        first = await authenticator.authenticate_session("t")
        assert first is not None and not first.touched
        assert first.principal.session_id == public_session_id(hash_token("t"))
        clock.advance(TOUCH_INTERVAL_SECONDS - 1)
        quiet = await authenticator.authenticate_session("t")
        assert quiet is not None and not quiet.touched
        assert quiet.session.expires_at == clock.now - (TOUCH_INTERVAL_SECONDS - 1) + 3600
        clock.advance(1)
        slid = await authenticator.authenticate_session("t")
        assert slid is not None and slid.touched
        assert slid.session.expires_at == clock.now + SESSION_LIFETIME_SECONDS
        assert slid.session.last_seen_at == clock.now
        assert await authenticator.authenticate("other") is None
        assert await authenticator.authenticate("") is None
        clock.advance(SESSION_LIFETIME_SECONDS + 1)
        assert await authenticator.authenticate("t") is None
