"""A banned user's login is refused after the password, with the ban; lapsed bans are not.

The login flows run against the in-memory store and in-process limits with one fake
clock, so a ban's end is crossed by moving the clock, not by waiting.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest

from protocol.errors import ErrorCode
from protocol.fields import milliseconds
from services.accounts import AccountServices, ClientInfo
from services.accounts.credentials import backup_code_digest
from services.accounts.login import LOGIN_FAILED, complete_two_factor, log_in
from services.bans import (
    BANNED_MESSAGE,
    AccountBanned,
    BanNotice,
    ban_changes,
    lift_changes,
)
from services.errors import DomainError
from services.passwords import PasswordHasher
from services.tokens import new_backup_codes
from services.totp import STEP_SECONDS, current_code, new_totp_secret
from storage import open_store
from storage.realtime import open_realtime
from storage.records import User

PASSWORD = "correct horse battery staple"
START = 1_000_020.0 + 5  # five seconds into a TOTP step
CLIENT = ClientInfo(address="198.51.100.7", user_agent="tests")


class FakeClock:
    """A settable clock shared by the store, the limiter and the account services."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclasses.dataclass
class Accounts:
    """The account services under test, their clock and one verified user ``rude``."""

    services: AccountServices
    clock: FakeClock
    user: User

    async def sessions(self) -> int:
        """How many live sessions ``rude`` has."""
        return len(await self.services.sessions.list_for_user(self.user.id))

    async def ban(self, seconds: float | None, reason: str = "spam") -> None:
        """Ban ``rude`` from now, as the admin API stores it."""
        await self.services.users.update_preferences(
            self.user.id, ban_changes(self.clock.now, seconds, reason)
        )

    async def log_in(self, password: str = PASSWORD) -> object:
        """Log ``rude`` in; the outcome."""
        return await log_in(self.services, identifier="rude", password=password, client=CLIENT)


@pytest.fixture
async def accounts() -> AsyncIterator[Accounts]:
    clock = FakeClock(START)
    hasher = PasswordHasher(time_cost=1, memory_kib=8192)
    async with open_store(None, clock=clock) as store, open_realtime(None, clock=clock) as rt:
        user = await store.users.create(
            username="rude", email="rude@example.org", password_hash=await hasher.hash(PASSWORD)
        )
        await store.users.set_email_verified(user.id, True)
        services = AccountServices(
            users=store.users,
            tokens=store.tokens,
            sessions=store.sessions,
            passwords=hasher,
            limiter=rt.rate_limiter,
            send_email=lambda message: None,
            public_url="http://testserver.local",
            clock=clock,
        )
        yield Accounts(services, clock, await store.users.get(user.id))


async def test_a_temporary_ban_refuses_the_login_until_it_lapses(accounts: Accounts) -> None:
    await accounts.ban(600, "spam")
    with pytest.raises(AccountBanned) as refused:
        await accounts.log_in()
    assert refused.value.code is ErrorCode.FORBIDDEN
    assert refused.value.message == BANNED_MESSAGE
    assert refused.value.notice == BanNotice(reason="spam", expires_at=milliseconds(START + 600))
    assert refused.value.details == {
        "ban": {"reason": "spam", "expires_at": milliseconds(START + 600)}
    }
    accounts.clock.now += 599
    with pytest.raises(AccountBanned):
        await accounts.log_in()
    assert await accounts.sessions() == 0
    accounts.clock.now += 1
    outcome = await accounts.log_in()
    assert getattr(outcome, "session", None) is not None
    assert await accounts.sessions() == 1


async def test_a_permanent_ban_has_no_end_and_is_lifted_by_unbanning(accounts: Accounts) -> None:
    await accounts.ban(None, "harassment")
    accounts.clock.now += 10 * 365 * 24 * 3600
    with pytest.raises(AccountBanned) as refused:
        await accounts.log_in()
    assert refused.value.notice == BanNotice(reason="harassment", expires_at=None)
    await accounts.services.users.update_preferences(accounts.user.id, lift_changes())
    assert getattr(await accounts.log_in(), "session", None) is not None


async def test_a_wrong_password_does_not_reveal_the_ban(accounts: Accounts) -> None:
    await accounts.ban(None)
    with pytest.raises(DomainError) as refused:
        await accounts.log_in("not the password")
    assert not isinstance(refused.value, AccountBanned)
    assert (refused.value.code, refused.value.message) == (ErrorCode.UNAUTHORIZED, LOGIN_FAILED)
    assert refused.value.details == {}


async def test_a_ban_without_a_kept_reason_reads_null(accounts: Accounts) -> None:
    await accounts.services.users.update_preferences(
        accounts.user.id, {"banned_until": START + 60}
    )
    with pytest.raises(AccountBanned) as refused:
        await accounts.log_in()
    assert refused.value.notice == BanNotice(reason=None, expires_at=milliseconds(START + 60))


async def test_two_factor_users_get_no_challenge_and_cannot_finish_one(
    accounts: Accounts,
) -> None:
    users, user_id = accounts.services.users, accounts.user.id
    secret, backup_codes = new_totp_secret(), new_backup_codes()
    await users.enable_totp(
        user_id, secret=secret, step=0,
        backup_code_hashes=[backup_code_digest(user_id, code) for code in backup_codes],
    )
    await accounts.ban(60)
    with pytest.raises(AccountBanned):
        await accounts.log_in()

    # A challenge handed out before the ban cannot be finished while it is in force,
    # and no backup code is spent on it.
    accounts.clock.now += 60
    challenge = getattr(await accounts.log_in(), "challenge", None)
    assert challenge is not None
    await accounts.ban(3600)
    with pytest.raises(AccountBanned) as refused:
        await complete_two_factor(
            accounts.services, challenge=challenge.token, code=backup_codes[0], client=CLIENT
        )
    assert refused.value.notice == BanNotice(
        reason="spam", expires_at=milliseconds(START + 60 + 3600)
    )
    assert len((await users.get(user_id)).backup_code_hashes) == len(backup_codes)
    assert await accounts.sessions() == 0

    # The challenge is used up: after the ban, a fresh password step is needed.
    await users.update_preferences(user_id, lift_changes())
    with pytest.raises(DomainError) as expired:
        await complete_two_factor(
            accounts.services, challenge=challenge.token,
            code=current_code(secret, accounts.clock.now), client=CLIENT,
        )
    assert expired.value.code is ErrorCode.UNAUTHORIZED
    accounts.clock.now += STEP_SECONDS
    fresh = getattr(await accounts.log_in(), "challenge", None)
    assert fresh is not None
    opened = await complete_two_factor(
        accounts.services, challenge=fresh.token,
        code=current_code(secret, accounts.clock.now), client=CLIENT,
    )
    assert opened.user.id == user_id and await accounts.sessions() == 1
