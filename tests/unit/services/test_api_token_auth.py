"""Personal access tokens in the authenticator, on each store, with a fake clock.

A token authenticates until its fixed expiry (it never slides), its last use is written
at most once a minute, its principal carries its scopes and a session id of its own,
the admin flag needs both an admin user and the ``admin`` scope, and a banned user's,
a banned owner's or an erased account's token is refused.  The store keeps the digest
only and pages newest first.
"""

from __future__ import annotations

from services.authentication import TOUCH_INTERVAL_SECONDS, SessionAuthenticator
from services.bans import BANNED_UNTIL, PERMANENT
from services.tokens import public_session_id
from storage import Store
from storage.keys import hash_token
from storage.realtime.memory import MemorySessions
from tests.unit.storage.support import FakeClock, unique

SECRET = "tfp_" + "s" * 43


def authenticator(store: Store, clock: FakeClock) -> SessionAuthenticator:
    return SessionAuthenticator(
        MemorySessions(clock.time), store.users, clock=clock.time, api_tokens=store.api_tokens
    )


async def last_used(store: Store, token_hash: str) -> float | None:
    found = await store.api_tokens.find(token_hash)
    assert found is not None
    return found.last_used_at


async def test_tokens_expire_and_record_use_at_most_once_a_minute(
    store: Store, clock: FakeClock
) -> None:
    name = unique("alice")
    user = await store.users.create(username=name, email=f"{name}@x.io", password_hash="h")
    token = await store.api_tokens.create(
        token_hash=hash_token(SECRET), user_id=user.id, owner_id=user.id, name="ci",
        scopes=("read",), expires_at=clock.now + 600,
    )
    auth = authenticator(store, clock)
    first = await auth.authenticate(SECRET)
    assert first is not None and first.scopes == ("read",) and first.user_id == user.id
    assert first.session_id == public_session_id(token.token_hash) and first.via_token
    assert await last_used(store, token.token_hash) == clock.now
    used_at = clock.now
    clock.advance(TOUCH_INTERVAL_SECONDS - 1)
    assert await auth.authenticate(SECRET) is not None
    assert await last_used(store, token.token_hash) == used_at
    clock.advance(1)
    assert await auth.authenticate(SECRET) is not None
    assert await last_used(store, token.token_hash) == clock.now
    assert await auth.alive_among([token.token_hash, "unknown"]) == {token.token_hash}
    clock.advance(600)
    assert await auth.authenticate(SECRET) is None
    assert await auth.alive_among([token.token_hash]) == set()
    assert await auth.authenticate("tfp_unknown") is None


async def test_admin_needs_the_scope_and_bans_reach_bot_tokens(
    store: Store, clock: FakeClock
) -> None:
    owner_name, bot_name = unique("owner"), unique("bot")
    owner = await store.users.create(
        username=owner_name, email=f"{owner_name}@x.io", password_hash="h"
    )
    await store.users.set_admin(owner.id, True)
    bot = await store.users.create(username=bot_name, email=f"{bot_name}@x.io", password_hash="h")
    marked = await store.users.mark_bot(bot.id, owner.id)
    assert marked.is_bot and marked.bot_owner_id == owner.id
    auth = authenticator(store, clock)
    for scopes, admin in ((("read", "admin"), True), (("read",), False)):
        secret = SECRET + "".join(scopes)
        await store.api_tokens.create(
            token_hash=hash_token(secret), user_id=owner.id, owner_id=owner.id, name="x",
            scopes=scopes, expires_at=clock.now + 600,
        )
        principal = await auth.authenticate(secret)
        assert principal is not None and principal.is_admin is admin
    bot_secret = SECRET + "bot"
    await store.api_tokens.create(
        token_hash=hash_token(bot_secret), user_id=bot.id, owner_id=owner.id, name="b",
        scopes=("write",), expires_at=clock.now + 600,
    )
    acting = await auth.authenticate(bot_secret)
    assert acting is not None and acting.user_id == bot.id and not acting.is_admin
    await store.users.update_preferences(owner.id, {BANNED_UNTIL: PERMANENT})
    assert await auth.authenticate(bot_secret) is None
    assert await auth.authenticate(SECRET + "read") is None


async def test_an_erased_accounts_token_is_refused(store: Store, clock: FakeClock) -> None:
    name = unique("gone")
    user = await store.users.create(username=name, email=f"{name}@x.io", password_hash="h")
    await store.api_tokens.create(
        token_hash=hash_token(SECRET), user_id=user.id, owner_id=user.id, name="x",
        scopes=("read",), expires_at=clock.now + 600,
    )
    auth = authenticator(store, clock)
    assert await auth.authenticate(SECRET) is not None
    await store.users.change_email(user.id, f"{user.id}@deleted.invalid")
    assert await auth.authenticate(SECRET) is None


async def test_the_store_pages_newest_first_and_removes_by_owner(
    store: Store, clock: FakeClock
) -> None:
    owner, other = unique("o"), unique("p")
    made = []
    for index in range(3):
        clock.advance(1)
        made.append(await store.api_tokens.create(
            token_hash=hash_token(f"{owner}{index}"), user_id=owner, owner_id=owner,
            name=str(index), scopes=("read",), expires_at=clock.now + 600,
        ))
    first = await store.api_tokens.list_for_owner(owner, limit=2)
    assert [token.name for token in first] == ["2", "1"]
    rest = await store.api_tokens.list_for_owner(owner, before_id=first[-1].id, limit=2)
    assert [token.name for token in rest] == ["0"]
    assert await store.api_tokens.count_for_owner(owner) == 3
    assert await store.api_tokens.remove(other, made[0].id) is None
    removed = await store.api_tokens.remove(owner, made[0].id)
    assert removed is not None and removed.token_hash == hash_token(f"{owner}0")
    assert await store.api_tokens.find(hash_token(f"{owner}0")) is None
    assert len(await store.api_tokens.remove_for_user(owner)) == 2
    assert await store.api_tokens.count_for_owner(owner) == 0
    await store.api_tokens.add_bot("bot-1", owner)
    assert [bot.bot_id for bot in await store.api_tokens.bots_of(owner)] == ["bot-1"]
