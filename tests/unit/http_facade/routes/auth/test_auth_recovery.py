"""Password reset by emailed link and password change; both end sessions."""

from __future__ import annotations

from tests.auth_support import PASSWORD, AppUnderTest, AuthDriver, bearer, link_token

NEW_PASSWORD = "a brand new passphrase"


async def test_reset_answers_the_same_for_any_address(driver: AuthDriver) -> None:
    await driver.signup("alice")
    known = await driver.client.post(
        "/api/auth/password-reset", json={"email": "alice@example.org"}
    )
    unknown = await driver.client.post(
        "/api/auth/password-reset", json={"email": "nobody@example.org"}
    )
    assert known.status_code == 202
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    await driver.mail("alice@example.org", "Reset")
    assert driver.outbox.to("nobody@example.org") == []


async def test_reset_link_is_single_use_and_ends_every_session(
    driver: AuthDriver, facade: AppUnderTest
) -> None:
    alice = await driver.signup("alice")
    await driver.client.post("/api/auth/password-reset", json={"email": "alice@example.org"})
    (message,) = await driver.mail("alice@example.org", "Reset")
    token = link_token(message)
    weak = await driver.client.post(
        "/api/auth/password-reset/complete", json={"token": token, "new_password": "alice-alice-1"}
    )
    assert weak.status_code == 400
    done = await driver.client.post(
        "/api/auth/password-reset/complete", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert done.status_code == 200, done.text
    again = await driver.client.post(
        "/api/auth/password-reset/complete", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert again.status_code == 400
    assert await driver.me_status(alice.token) == 401
    assert alice.user_id in facade.connections.disconnected_users
    assert (await driver.login("alice", PASSWORD)).status_code == 401
    assert (await driver.login("alice", NEW_PASSWORD)).status_code == 200
    await driver.mail("alice@example.org", "security notice")


async def test_a_new_reset_link_revokes_the_older_one(driver: AuthDriver) -> None:
    await driver.signup("alice")
    for _ in range(2):
        await driver.client.post("/api/auth/password-reset", json={"email": "alice@example.org"})
    first, second = await driver.mail("alice@example.org", "Reset", count=2)
    stale = await driver.client.post(
        "/api/auth/password-reset/complete",
        json={"token": link_token(first), "new_password": NEW_PASSWORD},
    )
    assert stale.status_code == 400
    fresh = await driver.client.post(
        "/api/auth/password-reset/complete",
        json={"token": link_token(second), "new_password": NEW_PASSWORD},
    )
    assert fresh.status_code == 200


async def test_change_password_ends_the_other_sessions(
    driver: AuthDriver, facade: AppUnderTest
) -> None:
    alice = await driver.signup("alice")
    other = (await driver.login("alice")).json()
    wrong = await driver.client.post(
        "/api/auth/password",
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
        headers=bearer(alice.token),
    )
    assert wrong.status_code == 403
    changed = await driver.client.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(alice.token),
    )
    assert changed.json() == {"revoked": 1}
    assert other["session_id"] in facade.connections.revoked_logins
    assert await driver.me_status(other["token"]) == 401
    assert await driver.me_status(alice.token) == 200
    assert (await driver.login("alice", NEW_PASSWORD)).status_code == 200
