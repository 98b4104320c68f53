"""Step-up windows, emailed-code and deletion timing with a fake clock (services level,
over the embedded store and in-process limiter)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest

from services.accounts import AccountServices, ClientInfo
from services.accounts.context import RelyingParty, SecurityStores
from services.accounts.deletion import cancel_deletion, pending_deletion, request_deletion
from services.accounts.exports import (
    claim_download,
    finish_download,
    link_key,
    release_download,
    sign_export_link,
)
from services.accounts.sessions import open_session
from services.accounts.step_up import (
    STEP_UP_WINDOW_SECONDS,
    StepUpRequired,
    require_recent_authentication,
    step_up_with_password,
)
from services.errors import DomainError
from services.passwords import PasswordHasher
from storage import open_store
from storage.realtime import open_realtime
from storage.records import User

PASSWORD = "correct horse battery staple"
CLIENT = ClientInfo(address="198.51.100.7", user_agent="tests")


@dataclasses.dataclass
class FakeClock:
    now: float

    def __call__(self) -> float:
        return self.now


@dataclasses.dataclass
class Accounts:
    services: AccountServices
    clock: FakeClock
    user: User


@pytest.fixture
async def accounts() -> AsyncIterator[Accounts]:
    clock = FakeClock(1_000_000.0)
    hasher = PasswordHasher(time_cost=1, memory_kib=8192)
    async with open_store(None, clock=clock) as store, open_realtime(None, clock=clock) as rt:
        user = await store.users.create(
            username="alice", email="alice@example.org", password_hash=await hasher.hash(PASSWORD)
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
            security=SecurityStores(
                passkeys=store.passkeys,
                events=store.security_events,
                requests=store.account_requests,
                relying_party=RelyingParty("testserver.local", "T", ("http://testserver.local",)),
            ),
        )
        yield Accounts(services, clock, user)


async def test_a_login_is_fresh_for_the_window_then_a_step_up_renews_it(
    accounts: Accounts,
) -> None:
    services, clock = accounts.services, accounts.clock
    opened = await open_session(services, accounts.user, CLIENT, None)
    await require_recent_authentication(services, accounts.user.id, opened.session_id)
    clock.now += STEP_UP_WINDOW_SECONDS
    await require_recent_authentication(services, accounts.user.id, opened.session_id)
    clock.now += 1
    with pytest.raises(StepUpRequired) as stale:
        await require_recent_authentication(services, accounts.user.id, opened.session_id)
    assert stale.value.details == {"reauthenticate": True}
    with pytest.raises(DomainError):
        await step_up_with_password(services, user_id=accounts.user.id,
                                    session_id=opened.session_id, password="wrong", code=None,
                                    client=CLIENT)
    with pytest.raises(StepUpRequired):
        await require_recent_authentication(services, accounts.user.id, opened.session_id)
    until = await step_up_with_password(services, user_id=accounts.user.id,
                                        session_id=opened.session_id, password=PASSWORD,
                                        code=None, client=CLIENT)
    assert until == clock.now + STEP_UP_WINDOW_SECONDS
    await require_recent_authentication(services, accounts.user.id, opened.session_id)
    # Another session of the same user is not confirmed by it.
    other = await open_session(services, accounts.user, CLIENT, None)
    clock.now += STEP_UP_WINDOW_SECONDS + 1
    with pytest.raises(StepUpRequired):
        await require_recent_authentication(services, accounts.user.id, other.session_id)


async def test_a_deletion_is_due_after_the_grace_period_and_can_be_cancelled(
    accounts: Accounts,
) -> None:
    services, clock, security = accounts.services, accounts.clock, accounts.services.secured()
    scheduled = await request_deletion(services, accounts.user.id, 3600.0, CLIENT)
    assert scheduled.due_at == clock.now + 3600.0
    assert await request_deletion(services, accounts.user.id, 3600.0, CLIENT) == scheduled
    assert await security.requests.list_due("deletion", now=clock.now + 3599) == []
    assert [r.id for r in await security.requests.list_due("deletion", now=clock.now + 3600)] == [
        scheduled.id]
    await cancel_deletion(services, accounts.user.id, CLIENT)
    assert await pending_deletion(services, accounts.user.id) is None
    assert await security.requests.list_due("deletion", now=clock.now + 7200) == []


async def test_an_export_link_is_signed_expiring_and_single_use(accounts: Accounts) -> None:
    services, clock, security = accounts.services, accounts.clock, accounts.services.secured()
    export = await security.requests.create(user_id=accounts.user.id, kind="export",
                                            due_at=clock.now)
    await security.requests.transition(export.id, from_states=("pending",), to_state="ready",
                                       archive_key="a" * 32, size=3, expires_at=clock.now + 60)
    key = link_key("k" * 40)
    expires = int(clock.now + 60)
    signature = sign_export_link(key, export.id, expires)
    with pytest.raises(DomainError):
        await claim_download(services, link_key("other" * 8), export.id, expires, signature,
                             claimant="a")
    with pytest.raises(DomainError):
        await claim_download(services, key, export.id, expires + 1, signature, claimant="a")
    clock.now += 60
    with pytest.raises(DomainError):
        await claim_download(services, key, export.id, expires, signature, claimant="a")
    clock.now -= 1
    claimed = await claim_download(services, key, export.id, expires, signature, claimant="a")
    assert (claimed.state, claimed.claimed_by) == ("ready", "a")
    # While one download holds the link, another use of it is refused.
    with pytest.raises(DomainError):
        await claim_download(services, key, export.id, expires, signature, claimant="b")
    # A failed read gives it back; a complete one spends it, once.
    await release_download(services, export.id, "a")
    await claim_download(services, key, export.id, expires, signature, claimant="b")
    assert not await finish_download(services, export.id, "a")
    assert await finish_download(services, export.id, "b")
    assert (await security.requests.get(export.id)).state == "downloaded"
    with pytest.raises(DomainError):
        await claim_download(services, key, export.id, expires, signature, claimant="c")
