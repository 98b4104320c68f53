"""Guessing is throttled: logins per account and address, codes, tokens, emails."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.auth_support import PASSWORD, AppUnderTest, AuthDriver, bearer, open_app_driver

PROXY = ipaddress.ip_network("198.51.100.1/32")


@pytest.fixture
async def behind_proxy() -> AsyncIterator[AppUnderTest]:
    """An app that believes ``X-Forwarded-For`` from the test client's address."""
    async with open_app_driver(trusted_proxies=(PROXY,)) as opened:
        yield opened


def from_address(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def assert_rate_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) >= 1


async def login_from(driver: AuthDriver, address: str, login: str, password: str) -> httpx.Response:
    return await driver.client.post(
        "/api/auth/login", json={"login": login, "password": password},
        headers=from_address(address),
    )


async def test_logins_are_throttled_per_account_known_or_not(behind_proxy: AppUnderTest) -> None:
    driver = behind_proxy.driver
    await driver.signup("alice")  # its login is the first attempt at "alice"
    for number in range(10):
        # Each guess from a new address: the per-address limit never applies.
        if number < 9:
            wrong = await login_from(driver, f"203.0.113.{number}", "alice", "guess number x")
            assert wrong.status_code == 401
        unknown = await login_from(driver, f"203.0.113.{number}", "nobody", "guess number x")
        assert unknown.status_code == 401
    assert_rate_limited(await login_from(driver, "203.0.113.100", "ALICE", PASSWORD))
    assert_rate_limited(await login_from(driver, "203.0.113.100", "nobody", PASSWORD))
    # Keyed on what was typed: the address is another key, so throttling never tells
    # which username and address belong together.
    by_email = await login_from(driver, "203.0.113.100", "alice@example.org", PASSWORD)
    assert by_email.status_code == 200


async def test_logins_are_throttled_per_address(behind_proxy: AppUnderTest) -> None:
    driver = behind_proxy.driver
    for number in range(20):
        response = await login_from(driver, "203.0.113.7", f"user{number}", "some password")
        assert response.status_code == 401
    assert_rate_limited(await login_from(driver, "203.0.113.7", "user99", "some password"))
    assert (await login_from(driver, "203.0.113.8", "user99", "some password")).status_code == 401


async def test_forwarded_for_is_ignored_from_untrusted_peers(driver: AuthDriver) -> None:
    for number in range(20):
        response = await login_from(driver, f"203.0.113.{number}", f"u{number}", "some password")
        assert response.status_code == 401
    assert_rate_limited(await login_from(driver, "203.0.113.200", "u99", "some password"))


async def test_two_factor_codes_are_throttled_per_user(behind_proxy: AppUnderTest) -> None:
    driver = behind_proxy.driver
    alice = await driver.signup("alice")
    headers = bearer(alice.token)
    secret = (
        await driver.client.post(
            "/api/auth/two-factor/setup", json={"password": PASSWORD}, headers=headers
        )
    ).json()["secret"]
    from services.totp import current_code

    enabled = await driver.client.post(
        "/api/auth/two-factor/enable", json={"code": current_code(secret)}, headers=headers
    )
    assert enabled.status_code == 200
    challenge = (await driver.login("alice")).json()["challenge"]
    guesses = ["000000", "abcd-efgh", "111111", "zzzz-zzzz", "333333"] * 2
    guesses = guesses[:9]
    for number, guess in enumerate(guesses):
        response = await driver.client.post(
            "/api/auth/login/two-factor", json={"challenge": challenge, "code": guess},
            headers=from_address(f"203.0.113.{number}"),
        )
        assert response.status_code == 401
    # The enrolment spent one attempt; the tenth guess is over the limit.
    assert_rate_limited(
        await driver.client.post(
            "/api/auth/login/two-factor", json={"challenge": challenge, "code": "222222"},
            headers=from_address("203.0.113.50"),
        )
    )


@pytest.mark.parametrize(
    ("path", "extra"),
    [
        ("/api/auth/verify-email", {}),
        ("/api/auth/password-reset/complete", {"new_password": "a fine new passphrase"}),
    ],
)
async def test_emailed_tokens_are_throttled_per_address(
    driver: AuthDriver, path: str, extra: dict[str, str]
) -> None:
    for number in range(10):
        response = await driver.client.post(path, json={"token": f"guess-{number}", **extra})
        assert response.status_code == 400
    assert_rate_limited(await driver.client.post(path, json={"token": "guess-x", **extra}))


async def test_emails_to_one_address_are_limited(behind_proxy: AppUnderTest) -> None:
    driver = behind_proxy.driver
    for number in range(3):
        response = await driver.client.post(
            "/api/auth/password-reset", json={"email": "victim@example.org"},
            headers=from_address(f"203.0.113.{number}"),
        )
        assert response.status_code == 202
    assert_rate_limited(
        await driver.client.post(
            "/api/auth/password-reset", json={"email": "VICTIM@example.org"},
            headers=from_address("203.0.113.99"),
        )
    )


async def test_password_checks_are_throttled_per_user(behind_proxy: AppUnderTest) -> None:
    driver = behind_proxy.driver
    alice = await driver.signup("alice")
    for _ in range(10):
        response = await driver.client.post(
            "/api/auth/two-factor/setup", json={"password": "wrong password"},
            headers=bearer(alice.token),
        )
        assert response.status_code == 403
    assert_rate_limited(
        await driver.client.post(
            "/api/auth/two-factor/setup", json={"password": PASSWORD}, headers=bearer(alice.token)
        )
    )
