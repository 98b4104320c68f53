"""Emailed login codes end to end: the second factor, and the brute-force limits.

A node that trusts the test as its proxy, so each attempt can come from a new client
address (``X-Forwarded-For``): the per-account limit must hold across all of them.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.accounts.email_codes import ATTEMPTS_PER_CHALLENGE, ATTEMPTS_PER_USER
from services.email import OutboxMailer
from tests.auth_support import AuthDriver, bearer
from tests.e2e.file_support import serve_test_node
from topicsflow.node import NodeHandle

_CODE = re.compile(r"login code is (\d{6})")


@pytest.fixture
async def proxied_node(tmp_path: Path) -> AsyncIterator[NodeHandle]:
    proxy = ipaddress.ip_network("127.0.0.1/32")
    async with serve_test_node(tmp_path, trusted_proxies=(proxy,)) as handle:
        yield handle


@pytest.fixture
async def driver(proxied_node: NodeHandle) -> AsyncIterator[AuthDriver]:
    assert isinstance(proxied_node.context.mailer, OutboxMailer)
    async with httpx.AsyncClient(base_url=proxied_node.base_url) as client:
        yield AuthDriver(client, proxied_node.context.mailer)


def from_address(number: int) -> dict[str, str]:
    return {"X-Forwarded-For": f"203.0.113.{number}"}


async def challenge_and_code(driver: AuthDriver, email: str, sent: int) -> tuple[str, str]:
    first = (await driver.login("alice")).json()
    assert first["status"] == "two_factor_required" and first["methods"] == ["email_code"]
    response = await driver.client.post(
        "/api/auth/login/email-code/send", json={"challenge": first["challenge"]})
    assert response.status_code == 200, response.text
    messages = await driver.mail(email, "login code", count=sent)
    found = _CODE.search(messages[-1].body)
    assert found is not None
    assert found.group(1) not in messages[-1].subject
    return first["challenge"], found.group(1)


async def attempt(driver: AuthDriver, challenge: str, code: str, address: int) -> httpx.Response:
    return await driver.client.post(
        "/api/auth/login/email-code", json={"challenge": challenge, "code": code},
        headers=from_address(address))


def status_code(response: httpx.Response) -> tuple[int, Any]:
    return response.status_code, response.json().get("error", {}).get("code")


async def test_an_emailed_code_completes_the_login_once(driver: AuthDriver) -> None:
    alice = await driver.signup("alice")
    enabled = await driver.client.post("/api/auth/two-factor/email/enable",
                                       headers=bearer(alice.token))
    assert enabled.status_code == 200, enabled.text
    challenge, code = await challenge_and_code(driver, alice.email, 1)
    done = await attempt(driver, challenge, code, 1)
    assert done.status_code == 200 and done.json()["user_id"] == alice.user_id
    assert status_code(await attempt(driver, challenge, code, 2)) == (401, "unauthorized")


async def test_code_guessing_stops_per_challenge_and_per_account_from_any_address(
    driver: AuthDriver,
) -> None:
    assert (ATTEMPTS_PER_CHALLENGE.count, ATTEMPTS_PER_USER.count) == (3, 5)
    alice = await driver.signup("alice")
    await driver.client.post("/api/auth/two-factor/email/enable", headers=bearer(alice.token))
    challenge, code = await challenge_and_code(driver, alice.email, 1)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for address in (1, 2, 3):
        assert status_code(await attempt(driver, challenge, wrong, address)) == (
            401, "unauthorized")
    # Past the challenge's attempts even the right code is refused: it is dropped.
    assert status_code(await attempt(driver, challenge, code, 4)) == (401, "unauthorized")
    # A new login: its right code still works (the account's 5th attempt)...
    challenge, code = await challenge_and_code(driver, alice.email, 2)
    assert (await attempt(driver, challenge, code, 5)).status_code == 200
    # ...and then the account is out of attempts, whatever the address or challenge.
    challenge, code = await challenge_and_code(driver, alice.email, 3)
    response = await attempt(driver, challenge, code, 6)
    assert status_code(response) == (429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0
    # Sends are limited per account too (three in 15 minutes).
    first = (await driver.login("alice")).json()
    refused = await driver.client.post(
        "/api/auth/login/email-code/send", json={"challenge": first["challenge"]})
    assert status_code(refused) == (429, "rate_limited")


async def test_emailed_codes_cannot_be_switched_through_the_preferences(
    driver: AuthDriver,
) -> None:
    alice = await driver.signup("alice")
    await driver.client.post("/api/auth/two-factor/email/enable", headers=bearer(alice.token))
    sneaky = await driver.client.patch("/api/users/me/preferences",
                                       json={"preferences": {"email_codes": False}},
                                       headers=bearer(alice.token))
    assert sneaky.status_code == 400, sneaky.text
    assert (await driver.login("alice")).json()["status"] == "two_factor_required"
