"""TOTP enrolment, two-step login, replay protection and single-use backup codes."""

from __future__ import annotations

import httpx

from tests.auth_support import (
    PASSWORD,
    Account,
    AppUnderTest,
    AuthDriver,
    bearer,
    fresh_totp_window,
    totp_code,
)


async def enable_totp(driver: AuthDriver, account: Account, moment: float) -> tuple[str, list[str]]:
    """Turn TOTP on with the previous step's code; return the secret and backup codes."""
    setup = await driver.client.post(
        "/api/auth/two-factor/setup", json={"password": PASSWORD}, headers=bearer(account.token)
    )
    assert setup.status_code == 200, setup.text
    secret = setup.json()["secret"]
    assert setup.json()["provisioning_uri"].startswith("otpauth://totp/")
    enabled = await driver.client.post(
        "/api/auth/two-factor/enable",
        json={"code": totp_code(secret, moment, -1)},
        headers=bearer(account.token),
    )
    assert enabled.status_code == 200, enabled.text
    return secret, enabled.json()["backup_codes"]


async def second_step(driver: AuthDriver, code: str) -> httpx.Response:
    challenge = (await driver.login("alice")).json()
    assert challenge["status"] == "two_factor_required"
    assert "token" not in challenge
    return await driver.client.post(
        "/api/auth/login/two-factor", json={"challenge": challenge["challenge"], "code": code}
    )


async def test_totp_login_refuses_replayed_codes(driver: AuthDriver) -> None:
    alice = await driver.signup("alice")
    moment = await fresh_totp_window()
    secret, backup_codes = await enable_totp(driver, alice, moment)
    assert len(backup_codes) == 10
    status = await driver.client.get("/api/auth/two-factor", headers=bearer(alice.token))
    assert status.json() == {
        "enabled": True, "backup_codes_remaining": 10, "setup_pending": False,
        "email_codes": False, "passkeys": 0,
    }
    enrolment_code = totp_code(secret, moment, -1)
    assert (await second_step(driver, enrolment_code)).status_code == 401
    current = totp_code(secret, moment, 0)
    logged_in = await second_step(driver, current)
    assert logged_in.status_code == 200
    assert logged_in.json()["status"] == "authenticated" and logged_in.json()["token"]
    replay = await second_step(driver, current)
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "unauthorized"


async def test_a_wrong_code_keeps_the_challenge(driver: AuthDriver) -> None:
    alice = await driver.signup("alice")
    moment = await fresh_totp_window()
    secret, _ = await enable_totp(driver, alice, moment)
    challenge = (await driver.login("alice")).json()["challenge"]
    wrong = await driver.client.post(
        "/api/auth/login/two-factor", json={"challenge": challenge, "code": "000000"}
    )
    assert wrong.status_code == 401
    right = await driver.client.post(
        "/api/auth/login/two-factor",
        json={"challenge": challenge, "code": totp_code(secret, moment, 0)},
    )
    assert right.status_code == 200
    spent = await driver.client.post(
        "/api/auth/login/two-factor",
        json={"challenge": challenge, "code": totp_code(secret, moment, 1)},
    )
    assert spent.status_code == 401


async def test_backup_codes_work_once(driver: AuthDriver, facade: AppUnderTest) -> None:
    alice = await driver.signup("alice")
    _, backup_codes = await enable_totp(driver, alice, await fresh_totp_window())
    code = backup_codes[0]
    assert (await second_step(driver, code.upper().replace("-", " "))).status_code == 200
    assert (await second_step(driver, code)).status_code == 401
    await driver.mail("alice@example.org", "security notice", count=2)
    user = await facade.store.users.get(alice.user_id)
    assert len(user.backup_code_hashes) == 9
    assert all(code not in digest for digest in user.backup_code_hashes)


async def test_regenerated_backup_codes_replace_the_old_ones(driver: AuthDriver) -> None:
    alice = await driver.signup("alice")
    _, old_codes = await enable_totp(driver, alice, await fresh_totp_window())
    regenerated = await driver.client.post(
        "/api/auth/two-factor/backup-codes", json={"password": PASSWORD},
        headers=bearer(alice.token),
    )
    new_codes = regenerated.json()["backup_codes"]
    assert set(new_codes).isdisjoint(old_codes)
    assert (await second_step(driver, old_codes[0])).status_code == 401
    assert (await second_step(driver, new_codes[0])).status_code == 200


async def test_disable_needs_password_and_code(driver: AuthDriver) -> None:
    alice = await driver.signup("alice")
    moment = await fresh_totp_window()
    secret, backup_codes = await enable_totp(driver, alice, moment)
    wrong_password = await driver.client.post(
        "/api/auth/two-factor/disable",
        json={"password": "not the password", "code": backup_codes[0]},
        headers=bearer(alice.token),
    )
    assert wrong_password.status_code == 403
    wrong_code = await driver.client.post(
        "/api/auth/two-factor/disable",
        json={"password": PASSWORD, "code": "123456"},
        headers=bearer(alice.token),
    )
    assert wrong_code.status_code == 403
    disabled = await driver.client.post(
        "/api/auth/two-factor/disable",
        json={"password": PASSWORD, "code": totp_code(secret, moment, 0)},
        headers=bearer(alice.token),
    )
    assert disabled.status_code == 200
    assert (await driver.login("alice")).json()["status"] == "authenticated"


async def test_enrolment_needs_the_password_and_a_valid_code(driver: AuthDriver) -> None:
    alice = await driver.signup("alice")
    refused = await driver.client.post(
        "/api/auth/two-factor/setup", json={"password": "wrong password"},
        headers=bearer(alice.token),
    )
    assert refused.status_code == 403
    early = await driver.client.post(
        "/api/auth/two-factor/enable", json={"code": "123456"}, headers=bearer(alice.token)
    )
    assert early.status_code == 409
    await driver.client.post(
        "/api/auth/two-factor/setup", json={"password": PASSWORD}, headers=bearer(alice.token)
    )
    wrong = await driver.client.post(
        "/api/auth/two-factor/enable", json={"code": "12345x"}, headers=bearer(alice.token)
    )
    assert wrong.status_code == 400
    status = await driver.client.get("/api/auth/two-factor", headers=bearer(alice.token))
    assert status.json()["setup_pending"] and not status.json()["enabled"]
    assert (await driver.login("alice")).json()["status"] == "authenticated"


async def test_the_second_step_can_hand_over_a_cookie(driver: AuthDriver) -> None:
    alice = await driver.signup("alice")
    moment = await fresh_totp_window()
    secret, _ = await enable_totp(driver, alice, moment)
    challenge = (await driver.login("alice")).json()["challenge"]
    response = await driver.client.post(
        "/api/auth/login/two-factor",
        json={
            "challenge": challenge,
            "code": totp_code(secret, moment, 0),
            "session_transport": "cookie",
        },
    )
    assert response.status_code == 200
    assert "token" not in response.json()
    assert "HttpOnly" in response.headers["set-cookie"]
    assert (await driver.client.get("/api/users/me")).json()["two_factor_enabled"]
