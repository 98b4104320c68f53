"""Passkeys end to end over real sockets, with a software authenticator, on each store.

Registration from a logged-in session, listing, renaming, removing; a passkey-only
(discoverable) login; a passkey as the second factor of a password login.  Refused: a
replayed assertion, an assertion made for another origin, one whose counter did not
grow, one without user verification where it is required, and a removed passkey.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.email import OutboxMailer
from tests.auth_support import Account, AuthDriver, bearer
from tests.store_support import on_each_store
from tests.webauthn_authenticator import SoftAuthenticator
from topicsflow.node import NodeHandle

pytestmark = on_each_store("node")


@pytest.fixture
async def driver(node: NodeHandle) -> AsyncIterator[AuthDriver]:
    assert isinstance(node.context.mailer, OutboxMailer)
    async with httpx.AsyncClient(base_url=node.base_url) as client:
        yield AuthDriver(client, node.context.mailer)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


async def register(
    driver: AuthDriver, account: Account, authenticator: SoftAuthenticator, name: str = "laptop"
) -> dict[str, Any]:
    headers = bearer(account.token)
    options = ok(await driver.client.post(
        "/api/auth/passkeys/registration/options", headers=headers))["public_key"]
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    credential = authenticator.create(options)
    created: dict[str, Any] = ok(await driver.client.post(
        "/api/auth/passkeys", json={"credential": credential, "name": name}, headers=headers), 201)
    return created


async def login_options(driver: AuthDriver, **body: Any) -> dict[str, Any]:
    found: dict[str, Any] = ok(
        await driver.client.post("/api/auth/login/passkey/options", json=body))["public_key"]
    return found


async def test_register_and_log_in_with_a_passkey_alone(
    node: NodeHandle, driver: AuthDriver
) -> None:
    alice = await driver.signup("alice")
    authenticator = SoftAuthenticator(origin=node.context.settings.public_url)
    created = await register(driver, alice, authenticator)
    assert created["name"] == "laptop"

    options = await login_options(driver)
    assert options["allowCredentials"] == [] and options["userVerification"] == "required"
    assertion = authenticator.get(options)
    logged_in = ok(await driver.client.post("/api/auth/login/passkey",
                                            json={"credential": assertion}))
    assert logged_in["status"] == "authenticated" and logged_in["user_id"] == alice.user_id
    assert await driver.me_status(logged_in["token"]) == 200

    # The same assertion again: its challenge is used up.
    refused(await driver.client.post("/api/auth/login/passkey", json={"credential": assertion}),
            401, "unauthorized")

    # Signed for another origin (a phishing site relaying the challenge).
    phished = authenticator.get(await login_options(driver), origin="https://evil.example")
    refused(await driver.client.post("/api/auth/login/passkey", json={"credential": phished}),
            401, "unauthorized")

    # A counter that did not grow: a clone of the authenticator, at the stored count.
    store = node.context.store
    assert store is not None
    stored = await store.passkeys.get(created["id"])
    assert stored is not None and stored.sign_count == 1
    authenticator.credentials[0].sign_count = stored.sign_count
    authenticator.counter_step = 0
    cloned = authenticator.get(await login_options(driver))
    refused(await driver.client.post("/api/auth/login/passkey", json={"credential": cloned}),
            401, "unauthorized")
    authenticator.counter_step = 1

    # Without user verification a passkey alone is not a login.
    authenticator.user_verified = False
    unverified = authenticator.get(await login_options(driver))
    refused(await driver.client.post("/api/auth/login/passkey", json={"credential": unverified}),
            401, "unauthorized")
    authenticator.user_verified = True

    # The audit shows the passkey login; the mail told the owner about the new passkey.
    events = await store.security_events.list_for_user(alice.user_id)
    assert [e.method for e in events if e.kind == "login"][:1] == ["passkey"]
    await driver.mail(alice.email, "security notice")


async def test_list_rename_and_remove_passkeys(node: NodeHandle, driver: AuthDriver) -> None:
    alice = await driver.signup("alice")
    bob = await driver.signup("bob")
    authenticator = SoftAuthenticator(origin=node.context.settings.public_url)
    created = await register(driver, alice, authenticator)
    headers = bearer(alice.token)
    listed = ok(await driver.client.get("/api/auth/passkeys", headers=headers))["passkeys"]
    assert [key["id"] for key in listed] == [created["id"]]
    assert "public_key" not in listed[0]
    renamed = ok(await driver.client.patch(
        f"/api/auth/passkeys/{created['id']}", json={"name": "phone"}, headers=headers))
    assert renamed["name"] == "phone"
    # Another user can neither see, rename nor remove it.
    assert ok(await driver.client.get("/api/auth/passkeys", headers=bearer(bob.token))) == {
        "passkeys": [], "next_cursor": None}
    refused(await driver.client.patch(f"/api/auth/passkeys/{created['id']}",
                                      json={"name": "mine"}, headers=bearer(bob.token)),
            404, "not_found")
    refused(await driver.client.delete(f"/api/auth/passkeys/{created['id']}",
                                       headers=bearer(bob.token)), 404, "not_found")
    status = ok(await driver.client.get("/api/auth/two-factor", headers=headers))
    assert status["passkeys"] == 1
    ok(await driver.client.delete(f"/api/auth/passkeys/{created['id']}", headers=headers))
    removed = authenticator.get(await login_options(driver))
    refused(await driver.client.post("/api/auth/login/passkey", json={"credential": removed}),
            401, "unauthorized")


async def test_a_registration_for_another_origin_or_a_reused_challenge_is_refused(
    node: NodeHandle, driver: AuthDriver
) -> None:
    alice = await driver.signup("alice")
    headers = bearer(alice.token)
    authenticator = SoftAuthenticator(origin=node.context.settings.public_url)
    options = ok(await driver.client.post(
        "/api/auth/passkeys/registration/options", headers=headers))["public_key"]
    wrong = authenticator.create(options, origin="https://evil.example")
    refused(await driver.client.post("/api/auth/passkeys", json={"credential": wrong},
                                     headers=headers), 401, "unauthorized")
    # That challenge was spent by the refused attempt: a right answer to it fails too.
    right = authenticator.create(options)
    refused(await driver.client.post("/api/auth/passkeys", json={"credential": right},
                                     headers=headers), 401, "unauthorized")
    assert ok(await driver.client.get("/api/auth/passkeys", headers=headers)) == {
        "passkeys": [], "next_cursor": None}


async def test_a_passkey_completes_a_password_login_as_second_factor(
    node: NodeHandle, driver: AuthDriver
) -> None:
    alice = await driver.signup("alice")
    authenticator = SoftAuthenticator(origin=node.context.settings.public_url)
    await register(driver, alice, authenticator)
    ok(await driver.client.post("/api/auth/two-factor/email/enable",
                                headers=bearer(alice.token)))
    first = ok(await driver.login("alice"))
    assert first["status"] == "two_factor_required"
    assert first["methods"] == ["email_code", "passkey"]
    challenge = first["challenge"]
    options = await login_options(driver, challenge=challenge)
    assert len(options["allowCredentials"]) == 1
    # Another origin is refused, and the challenge survives for a retry.
    wrong = authenticator.get(options, origin="https://evil.example")
    refused(await driver.client.post("/api/auth/login/passkey",
                                     json={"credential": wrong, "challenge": challenge}),
            401, "unauthorized")
    assertion = authenticator.get(await login_options(driver, challenge=challenge))
    done = ok(await driver.client.post("/api/auth/login/passkey",
                                       json={"credential": assertion, "challenge": challenge}))
    assert done["status"] == "authenticated" and done["user_id"] == alice.user_id
    # The login challenge worked once.
    again = authenticator.get(await login_options(driver))
    refused(await driver.client.post("/api/auth/login/passkey",
                                     json={"credential": again, "challenge": challenge}),
            401, "unauthorized")
