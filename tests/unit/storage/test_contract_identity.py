"""Contract: users, one-time tokens, sessions, on each backend of the ``store`` fixture."""

from __future__ import annotations

import pytest
import trio

from storage import Conflict, NotFound, Store, hash_token
from tests.unit.storage.support import FakeClock, unique


async def test_user_create_get_and_find(store: Store) -> None:
    name = unique("Alice")
    user = await store.users.create(username=name, email=f"{name}@Example.com", password_hash="h")
    assert user.display_name == name and not user.is_admin and not user.email_verified
    assert await store.users.get(user.id) == user
    assert await store.users.find_by_username(name.upper()) == user
    assert await store.users.find_by_email(f"{name.lower()}@example.COM") == user
    assert await store.users.find_by_username(unique("nobody")) is None
    with pytest.raises(NotFound):
        await store.users.get("missing")


async def test_username_and_email_unique_case_insensitively(store: Store) -> None:
    name = unique("Bob")
    await store.users.create(username=name, email=f"{name}@x.io", password_hash="h")
    with pytest.raises(Conflict) as username_conflict:
        await store.users.create(
            username=name.upper(), email=f"other{name}@x.io", password_hash="h"
        )
    assert username_conflict.value.field == "username"
    with pytest.raises(Conflict) as email_conflict:
        await store.users.create(
            username=f"o{name}", email=f"{name.upper()}@X.IO", password_hash="h"
        )
    assert email_conflict.value.field == "email"


async def test_non_ascii_usernames_fold(store: Store) -> None:
    suffix = unique("")
    user = await store.users.create(
        username=f"ÉLODIE{suffix}", email=f"e{suffix}@x.io", password_hash="h"
    )
    assert (await store.users.find_by_username(f"élodie{suffix}")) == user
    with pytest.raises(Conflict):
        await store.users.create(
            username=f"élodie{suffix}", email=f"f{suffix}@x", password_hash="h"
        )
    await store.users.create(username=f"Straße{suffix}", email=f"s{suffix}@x", password_hash="h")
    with pytest.raises(Conflict):
        await store.users.create(
            username=f"STRASSE{suffix}", email=f"t{suffix}@x", password_hash="h"
        )
    # a precomposed é and e + combining acute fold to the same key (NFKC)
    with pytest.raises(Conflict):
        await store.users.create(
            username=f"E\u0301LODIE{suffix}", email=f"g{suffix}@x", password_hash="h"
        )


async def test_user_updates(store: Store) -> None:
    name = unique("carol")
    user = await store.users.create(username=name, email=f"{name}@x", password_hash="h")
    await store.users.set_email_verified(user.id, True)
    updated = await store.users.update_profile(user.id, display_name="Carol 🎉", bio="שלום")
    assert (updated.display_name, updated.bio, updated.email_verified) == ("Carol 🎉", "שלום", True)
    assert (await store.users.update_profile(user.id, avatar_file_id="f1")).bio == "שלום"
    changed = await store.users.change_email(user.id, f"new{name}@x")
    assert changed.email == f"new{name}@x" and not changed.email_verified
    assert (await store.users.find_by_email(f"NEW{name}@x")) is not None
    await store.users.set_password_hash(user.id, "h2")
    await store.users.set_totp_secret(user.id, "SECRET")
    await store.users.set_admin(user.id, True)
    prefs = await store.users.update_preferences(user.id, {"theme": "dark", "digest": True})
    prefs = await store.users.update_preferences(user.id, {"theme": "light"})
    assert prefs.preferences == {"theme": "light", "digest": True}
    await store.users.block(user.id, "u2")
    await store.users.block(user.id, "u2")
    await store.users.block(user.id, "u3")
    await store.users.unblock(user.id, "u3")
    final = await store.users.get(user.id)
    assert final.password_hash == "h2" and final.totp_secret == "SECRET" and final.is_admin
    assert final.blocked_user_ids == ("u2",)
    await store.users.set_totp_secret(user.id, None)
    assert (await store.users.get(user.id)).totp_secret is None


async def test_change_username_conflict(store: Store) -> None:
    first, second = unique("dave"), unique("erin")
    await store.users.create(username=first, email=f"{first}@x", password_hash="h")
    other = await store.users.create(username=second, email=f"{second}@x", password_hash="h")
    with pytest.raises(Conflict) as conflict:
        await store.users.change_username(other.id, first.upper())
    assert conflict.value.field == "username"
    renamed = await store.users.change_username(other.id, f"{second}-new")
    assert (await store.users.find_by_username(f"{second}-NEW")) == renamed


async def test_get_many_and_search(store: Store) -> None:
    prefix = unique("zed")
    users = [
        await store.users.create(username=f"{prefix}{i}", email=f"{prefix}{i}@x", password_hash="h")
        for i in range(3)
    ]
    many = await store.users.get_many([users[2].id, "missing", users[0].id])
    assert [user.id for user in many] == [users[2].id, users[0].id]
    found = await store.users.search(prefix.upper(), limit=2)
    assert [user.username for user in found] == [f"{prefix}0", f"{prefix}1"]
    assert await store.users.search(prefix + ".*") == []


async def test_tokens_single_use(store: Store, clock: FakeClock) -> None:
    digest = hash_token(unique("secret"))
    await store.tokens.issue(
        user_id="u1", purpose="verify", token_hash=digest, expires_at=clock.now + 60
    )
    with pytest.raises(NotFound):
        await store.tokens.consume(purpose="reset", token_hash=digest)
    token = await store.tokens.consume(purpose="verify", token_hash=digest)
    assert token.user_id == "u1"
    with pytest.raises(NotFound):
        await store.tokens.consume(purpose="verify", token_hash=digest)


async def test_tokens_expire_and_revoke(store: Store, clock: FakeClock) -> None:
    user_id = unique("u")
    expired = hash_token(unique("a"))
    await store.tokens.issue(
        user_id=user_id, purpose="reset", token_hash=expired, expires_at=clock.now + 10
    )
    clock.advance(11)
    with pytest.raises(NotFound):
        await store.tokens.consume(purpose="reset", token_hash=expired)
    for _ in range(2):
        await store.tokens.issue(
            user_id=user_id,
            purpose="reset",
            token_hash=hash_token(unique("b")),
            expires_at=clock.now + 10,
        )
    assert await store.tokens.revoke_all(user_id, "reset") >= 2


async def test_token_consumed_once_under_concurrency(store: Store, clock: FakeClock) -> None:
    digest = hash_token(unique("race"))
    await store.tokens.issue(
        user_id="u", purpose="verify", token_hash=digest, expires_at=clock.now + 60
    )
    outcomes: list[bool] = []

    async def consume() -> None:
        try:
            await store.tokens.consume(purpose="verify", token_hash=digest)
            outcomes.append(True)
        except NotFound:
            outcomes.append(False)

    async with trio.open_nursery() as nursery:
        for _ in range(10):
            nursery.start_soon(consume)
    assert sorted(outcomes) == [False] * 9 + [True]


async def test_totp_enrolment_and_backup_codes(store: Store) -> None:
    name = unique("tina")
    user = await store.users.create(username=name, email=f"{name}@x", password_hash="h")
    await store.users.begin_totp_enrolment(user.id, "PENDING")
    pending = await store.users.get(user.id)
    assert pending.pending_totp_secret == "PENDING" and pending.totp_secret is None
    await store.users.enable_totp(
        user.id, secret="PENDING", step=100, backup_code_hashes=["c1", "c2"]
    )
    enabled = await store.users.get(user.id)
    assert (enabled.totp_secret, enabled.pending_totp_secret) == ("PENDING", None)
    assert enabled.totp_last_step == 100 and enabled.backup_code_hashes == ("c1", "c2")
    assert await store.users.consume_backup_code(user.id, "c1")
    assert not await store.users.consume_backup_code(user.id, "c1")
    assert not await store.users.consume_backup_code(user.id, "unknown")
    await store.users.replace_backup_codes(user.id, ["d1"])
    assert (await store.users.get(user.id)).backup_code_hashes == ("d1",)
    await store.users.disable_totp(user.id)
    disabled = await store.users.get(user.id)
    assert disabled.totp_secret is None and disabled.totp_last_step is None
    assert disabled.backup_code_hashes == ()
    with pytest.raises(NotFound):
        await store.users.consume_backup_code("missing", "c1")


async def test_totp_steps_only_move_forward(store: Store) -> None:
    name = unique("uma")
    user = await store.users.create(username=name, email=f"{name}@x", password_hash="h")
    assert await store.users.use_totp_step(user.id, 7)
    assert not await store.users.use_totp_step(user.id, 7)
    assert not await store.users.use_totp_step(user.id, 6)
    assert await store.users.use_totp_step(user.id, 9)
    assert (await store.users.get(user.id)).totp_last_step == 9
    with pytest.raises(NotFound):
        await store.users.use_totp_step("missing", 1)


async def test_backup_code_and_totp_step_used_once_under_concurrency(store: Store) -> None:
    name = unique("vic")
    user = await store.users.create(username=name, email=f"{name}@x", password_hash="h")
    await store.users.enable_totp(user.id, secret="S", step=1, backup_code_hashes=["b1", "b2"])
    codes: list[bool] = []
    steps: list[bool] = []

    async def use_code() -> None:
        codes.append(await store.users.consume_backup_code(user.id, "b1"))

    async def use_step() -> None:
        steps.append(await store.users.use_totp_step(user.id, 5))

    async with trio.open_nursery() as nursery:
        for _ in range(8):
            nursery.start_soon(use_code)
            nursery.start_soon(use_step)
    assert sorted(codes) == [False] * 7 + [True]
    assert sorted(steps) == [False] * 7 + [True]
    assert (await store.users.get(user.id)).backup_code_hashes == ("b2",)


async def test_expired_tokens_and_sessions_are_purged(store: Store, clock: FakeClock) -> None:
    user_id = unique("u")
    for name, lifetime in (("old", 10), ("new", 100)):
        await store.tokens.issue(
            user_id=user_id, purpose=name, token_hash=hash_token(unique(name)),
            expires_at=clock.now + lifetime,
        )
        await store.sessions.create(
            token_hash=hash_token(unique(name)), user_id=user_id, expires_at=clock.now + lifetime
        )
    clock.advance(10)
    assert await store.tokens.purge_expired() >= 1
    assert await store.sessions.purge_expired() >= 1
    assert await store.tokens.revoke_all(user_id, "old") == 0
    assert await store.tokens.revoke_all(user_id, "new") == 1
    assert len(await store.sessions.list_for_user(user_id)) == 1
    assert await store.sessions.revoke_all(user_id) == 1
