"""The whole account lifecycle against a live node, as one scripted user (not a test module).

:func:`full_lifecycle` asserts each step and returns every secret it saw (passwords,
session tokens, emailed tokens, the TOTP secret, backup codes, login challenges), so a
caller can also check where those secrets must never appear.
"""

from __future__ import annotations

from typing import Any

import httpx
import trio

from bots.client import open_client
from protocol.close_codes import CloseCode
from protocol.control_frames import Goodbye
from services.tokens import public_session_id
from storage.keys import hash_token
from tests.auth_support import (
    PASSWORD,
    AuthDriver,
    bearer,
    fresh_totp_window,
    link_token,
    totp_code,
)
from tests.e2e.node_support import websocket_url
from topicsflow.node import NodeHandle

CHANGED_PASSWORD = "a changed passphrase here"
RESET_PASSWORD = "the passphrase after reset"
EMAIL = "alice@example.org"


async def _json(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def _two_factor(driver: AuthDriver, password: str, code: str) -> httpx.Response:
    first = await _json(await driver.login("alice", password))
    assert first["status"] == "two_factor_required" and "token" not in first
    return await driver.client.post(
        "/api/auth/login/two-factor", json={"challenge": first["challenge"], "code": code}
    )


async def full_lifecycle(node: NodeHandle, driver: AuthDriver) -> list[str]:
    """Register, verify, log in both ways, 2FA, sessions, password change and reset."""
    secrets = [PASSWORD, CHANGED_PASSWORD, RESET_PASSWORD]
    client = driver.client

    # Registration answers the same for a known address; its owner is warned instead.
    registered = await _json(await driver.register("alice", EMAIL), 202)
    (confirm,) = await driver.mail(EMAIL, "Confirm")
    secrets.append(link_token(confirm))
    await _json(await client.post("/api/auth/verify-email", json={"token": secrets[-1]}))
    assert await _json(await driver.register("eve", "ALICE@example.org"), 202) == registered
    await driver.mail(EMAIL, "already exists")

    # A bearer session and a cookie session; the cookie is HttpOnly and works alone.
    token_one = (await _json(await driver.login("alice")))["token"]
    cookie_login = await driver.login(EMAIL, session_transport="cookie")
    assert "token" not in await _json(cookie_login)
    assert "HttpOnly" in cookie_login.headers["set-cookie"]
    cookie_token = client.cookies["topicsflow_session"]
    me = await _json(await client.get("/api/users/me"))
    assert me["email"] == EMAIL and me["email_verified"]
    client.cookies.clear()
    secrets += [token_one, cookie_token]

    # TOTP on: then logins take a second step; codes and backup codes work once.
    setup = await _json(
        await client.post(
            "/api/auth/two-factor/setup", json={"password": PASSWORD}, headers=bearer(token_one)
        )
    )
    secret = setup["secret"]
    moment = await fresh_totp_window()
    enabled = await _json(
        await client.post(
            "/api/auth/two-factor/enable",
            json={"code": totp_code(secret, moment, -1)},
            headers=bearer(token_one),
        )
    )
    backup_codes = enabled["backup_codes"]
    secrets += [secret, *backup_codes]
    token_totp = (await _json(await _two_factor(driver, PASSWORD, totp_code(secret, moment, 0))))[
        "token"
    ]
    replay = await _two_factor(driver, PASSWORD, totp_code(secret, moment, 0))
    assert replay.status_code == 401
    token_backup = (await _json(await _two_factor(driver, PASSWORD, backup_codes[0])))["token"]
    assert (await _two_factor(driver, PASSWORD, backup_codes[0])).status_code == 401
    secrets += [token_totp, token_backup]

    # Sessions: listed without secrets; revoking one closes its WebSocket at once.
    listed = await _json(await client.get("/api/auth/sessions", headers=bearer(token_one)))
    ids = {session["id"] for session in listed["sessions"]}
    backup_session = public_session_id(hash_token(token_backup))
    assert {public_session_id(hash_token(token_totp)), backup_session} <= ids
    assert not any(secret_value in str(listed) for secret_value in secrets)
    async with open_client(websocket_url(node), token=token_backup, reconnect=False) as socket:
        await _json(
            await client.delete(f"/api/auth/sessions/{backup_session}", headers=bearer(token_one))
        )
        with trio.fail_after(3):
            goodbyes = [event async for event in socket.events() if isinstance(event, Goodbye)]
        assert [goodbye.reason for goodbye in goodbyes] == ["session_revoked"]
        assert socket.close_code == CloseCode.UNAUTHORIZED
    assert await driver.me_status(token_backup) == 401

    # Changing the password ends the other sessions (cookie and TOTP ones), not this one.
    changed = await _json(
        await client.post(
            "/api/auth/password",
            json={"current_password": PASSWORD, "new_password": CHANGED_PASSWORD},
            headers=bearer(token_one),
        )
    )
    assert changed == {"revoked": 2}
    assert [await driver.me_status(t) for t in (token_one, cookie_token, token_totp)] == [
        200, 401, 401
    ]

    # A reset by email ends every session; the new password and a fresh code log in.
    await _json(await client.post("/api/auth/password-reset", json={"email": EMAIL}), 202)
    (reset,) = await driver.mail(EMAIL, "Reset")
    secrets.append(link_token(reset))
    await _json(
        await client.post(
            "/api/auth/password-reset/complete",
            json={"token": secrets[-1], "new_password": RESET_PASSWORD},
        )
    )
    assert await driver.me_status(token_one) == 401
    assert (await driver.login("alice", CHANGED_PASSWORD)).status_code == 401
    token_new = (
        await _json(await _two_factor(driver, RESET_PASSWORD, totp_code(secret, moment, 1)))
    )["token"]
    secrets.append(token_new)

    # TOTP off (password and a backup code), then a one-step login, then logout.
    await _json(
        await client.post(
            "/api/auth/two-factor/disable",
            json={"password": RESET_PASSWORD, "code": backup_codes[1]},
            headers=bearer(token_new),
        )
    )
    last = await _json(await driver.login("alice", RESET_PASSWORD))
    assert last["status"] == "authenticated"
    secrets.append(last["token"])
    await _json(await client.post("/api/auth/logout", headers=bearer(last["token"])))
    assert await driver.me_status(last["token"]) == 401
    return secrets
