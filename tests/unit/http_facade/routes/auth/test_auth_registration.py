"""Registration and email verification: no answer reveals whether an address exists."""

from __future__ import annotations

from tests.auth_support import PASSWORD, AppUnderTest, AuthDriver, link_token


async def test_register_verify_then_log_in(driver: AuthDriver) -> None:
    registered = await driver.register("alice", "alice@example.org")
    assert registered.status_code == 202
    assert registered.json()["status"] == "accepted"
    unverified = await driver.login("alice")
    assert unverified.status_code == 403
    assert unverified.json()["error"]["code"] == "forbidden"
    (message,) = await driver.mail("alice@example.org", "Confirm")
    verified = await driver.client.post(
        "/api/auth/verify-email", json={"token": link_token(message)}
    )
    assert verified.status_code == 200
    assert (await driver.login("alice@EXAMPLE.org")).status_code == 200
    reused = await driver.client.post(
        "/api/auth/verify-email", json={"token": link_token(message)}
    )
    assert reused.status_code == 400
    assert reused.json()["error"]["code"] == "invalid"


async def test_registering_a_known_address_answers_the_same_and_warns_its_owner(
    driver: AuthDriver, facade: AppUnderTest
) -> None:
    await driver.signup("alice")
    fresh = await driver.register("bob", "bob@example.org")
    again = await driver.register("mallory", "ALICE@example.org")
    assert (again.status_code, again.json()) == (fresh.status_code, fresh.json())
    (notice,) = await driver.mail("alice@example.org", "already exists")
    assert "token=" not in notice.body
    assert await facade.store.users.find_by_username("mallory") is None


async def test_taken_username_is_a_conflict(driver: AuthDriver) -> None:
    await driver.signup("alice")
    taken = await driver.register("ALICE", "other@example.org")
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "conflict"


async def test_weak_or_malformed_registrations_are_invalid(driver: AuthDriver) -> None:
    cases = [
        ("al", "al@example.org", PASSWORD),
        ("alice", "not-an-address", PASSWORD),
        ("alice", "alice@example.org", "short"),
        ("alice", "alice@example.org", "alice-alice-alice"),
        ("alice", "alice@example.org", "aaaaaaaaaaaaaaaa"),
        ("al ice", "alice@example.org", PASSWORD),
    ]
    for username, email, password in cases:
        response = await driver.register(username, email, password)
        assert response.status_code == 400, (username, email, password)
        assert response.json()["error"]["code"] == "invalid"


async def test_resend_verification_answers_the_same_for_any_address(
    driver: AuthDriver,
) -> None:
    await driver.register("alice", "alice@example.org")
    known = await driver.client.post(
        "/api/auth/verify-email/resend", json={"email": "alice@example.org"}
    )
    unknown = await driver.client.post(
        "/api/auth/verify-email/resend", json={"email": "nobody@example.org"}
    )
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    first, second = await driver.mail("alice@example.org", "Confirm", count=2)
    stale = await driver.client.post("/api/auth/verify-email", json={"token": link_token(first)})
    assert stale.status_code == 400
    fresh = await driver.client.post("/api/auth/verify-email", json={"token": link_token(second)})
    assert fresh.status_code == 200
    assert driver.outbox.to("nobody@example.org") == []
