"""Contract: passkeys, the login audit, account requests and the erasure of an account."""

from __future__ import annotations

import msgspec
import pytest

from storage import Conflict, NotFound, Store
from storage.records.security import Passkey
from tests.unit.storage.support import FakeClock, unique


def passkey(user_id: str, credential_id: str, created_at: float) -> Passkey:
    return Passkey(id=credential_id, user_id=user_id, name="laptop", public_key=b"\x01\x02",
                   sign_count=0, transports=("internal",), created_at=created_at)


async def test_passkeys_are_owned_and_counters_move_once(store: Store, clock: FakeClock) -> None:
    user, other = unique("user"), unique("other")
    first = await store.passkeys.add(passkey(user, unique("cred"), clock.now))
    with pytest.raises(Conflict):
        await store.passkeys.add(passkey(other, first.id, clock.now))
    assert await store.passkeys.get(first.id) == first
    assert [k.id for k in await store.passkeys.list_for_user(user)] == [first.id]
    with pytest.raises(NotFound):
        await store.passkeys.rename(other, first.id, "mine")
    assert (await store.passkeys.rename(user, first.id, "phone")).name == "phone"
    assert await store.passkeys.record_use(first.id, expected_count=0, new_count=3, used_at=5.0)
    assert not await store.passkeys.record_use(first.id, expected_count=0, new_count=4,
                                               used_at=6.0)
    stored = await store.passkeys.get(first.id)
    assert stored is not None and (stored.sign_count, stored.last_used_at) == (3, 5.0)
    assert stored.public_key == b"\x01\x02"
    assert not await store.passkeys.remove(other, first.id)
    assert await store.passkeys.remove(user, first.id)
    assert await store.passkeys.get(first.id) is None


async def test_security_events_newest_first_and_by_session(
    store: Store, clock: FakeClock
) -> None:
    user = unique("user")
    login = await store.security_events.append(user_id=user, kind="login", session_id="s1",
                                               method="password", ip_address="198.51.100.1")
    clock.advance(10)
    await store.security_events.append(user_id=user, kind="passkey_added")
    step_up = await store.security_events.append(user_id=user, kind="step_up", session_id="s1")
    events = await store.security_events.list_for_user(user)
    assert [e.kind for e in events] == ["step_up", "passkey_added", "login"]
    assert await store.security_events.list_for_user(user, before_id=events[1].id) == [login]
    assert await store.security_events.last_for_session(user, "s1", ("login",)) == login
    assert await store.security_events.last_for_session(user, "s1", ("login", "step_up")) == (
        step_up)
    assert await store.security_events.last_for_session(user, "s2", ("login",)) is None
    assert await store.security_events.last_for_session("intruder", "s1", ("login",)) is None


async def test_account_requests_move_atomically_and_erasure(
    store: Store, clock: FakeClock
) -> None:
    user = await store.users.create(username=unique("u")[:20], email=f"{unique('e')}@x.org",
                                    password_hash="h")
    export = await store.account_requests.create(user_id=user.id, kind="export", due_at=clock.now)
    deletion = await store.account_requests.create(user_id=user.id, kind="deletion",
                                                   due_at=clock.now + 100)
    assert [r.id for r in await store.account_requests.list_due("export", now=clock.now)] == [
        export.id]
    assert await store.account_requests.list_due("deletion", now=clock.now + 99) == []
    ready = await store.account_requests.transition(
        export.id, from_states=("pending",), to_state="ready", archive_key="k", size=9,
        expires_at=clock.now + 5)
    assert (ready.state, ready.archive_key, ready.size) == ("ready", "k", 9)
    with pytest.raises(Conflict):
        await store.account_requests.transition(export.id, from_states=("pending",),
                                                to_state="building")
    with pytest.raises(NotFound):
        await store.account_requests.transition("0" * 26, from_states=("pending",),
                                                to_state="done")
    await store.notifications.create(user_id=user.id, kind="x")
    await store.passkeys.add(passkey(user.id, unique("cred"), clock.now))
    await store.security_events.append(user_id=user.id, kind="login")
    await store.sessions.create(token_hash=unique("t"), user_id=user.id, expires_at=clock.now + 60)
    tombstone = msgspec.structs.replace(user, username=f"deleted-{user.id[-14:]}",
                                        email=f"{user.id}@deleted.invalid", password_hash="!")
    await store.account_requests.erase_account(tombstone)
    assert await store.users.get(user.id) == tombstone
    assert await store.users.find_by_email(user.email) is None
    assert await store.notifications.list_for_user(user.id) == []
    assert await store.passkeys.list_for_user(user.id) == []
    assert await store.security_events.list_for_user(user.id) == []
    assert await store.sessions.list_for_user(user.id) == []
    assert [r.id for r in await store.account_requests.list_for_user(user.id, "deletion")] == [
        deletion.id]
    assert await store.account_requests.list_for_user(user.id, "export") == []


async def test_account_request_claims_lapse_and_are_fenced(
    store: Store, clock: FakeClock
) -> None:
    requests = store.account_requests
    export = await requests.create(user_id=unique("user"), kind="export", due_at=clock.now)
    start = clock.now
    claimed = await requests.claim(export.id, from_states=("pending", "building"),
                                   to_state="building", claimant="a", now=start, until=start + 60)
    assert claimed is not None
    assert (claimed.state, claimed.claimed_by, claimed.due_at, claimed.attempts) == (
        "building", "a", start + 60, 1)
    # Held: not due, not claimable by another, not movable with another's claim.
    assert await requests.list_due("export", now=start + 59) == []
    assert await requests.claim(export.id, from_states=("pending", "building"),
                                to_state="building", claimant="b", now=start + 59,
                                until=start + 120) is None
    with pytest.raises(Conflict):
        await requests.transition(export.id, from_states=("building",), to_state="ready",
                                  claimant="b")
    assert await requests.renew(export.id, claimant="a", until=start + 90)
    assert not await requests.renew(export.id, claimant="b", until=start + 90)
    # Lapsed: due again, and the next claim fences the first claimant out.
    assert [r.id for r in await requests.list_due("export", now=start + 90)] == [export.id]
    taken = await requests.claim(export.id, from_states=("pending", "building"),
                                 to_state="building", claimant="b", now=start + 90,
                                 until=start + 150)
    assert taken is not None and (taken.claimed_by, taken.attempts) == ("b", 2)
    assert not await requests.renew(export.id, claimant="a", until=start + 200)
    with pytest.raises(Conflict):
        await requests.transition(export.id, from_states=("building",), to_state="ready",
                                  claimant="a")
    clock.advance(5)
    ready = await requests.transition(export.id, from_states=("building",), to_state="ready",
                                      claimant="b", archive_key="k", size=3)
    assert (ready.state, ready.claimed_by, ready.due_at) == ("ready", "", clock.now)
    assert await requests.list_due("export", now=start + 999) == []
    unknown = await requests.claim("0" * 26, from_states=("pending",), to_state="building",
                                   claimant="a", now=start, until=start + 1)
    assert unknown is None
