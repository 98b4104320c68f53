"""Personal access tokens against a live node, as one scripted user (not a test module).

:func:`token_flow` creates a bot and tokens, uses them on REST (allowed and refused) and
on the WebSocket (handshake header and ``authenticate`` frame), and revokes them; it
returns every secret it saw, for :mod:`tests.integration.test_auth_secrets_not_logged`.
"""

from __future__ import annotations

from typing import Any

import httpx

from bots.client import open_client
from protocol.control_frames import Pong
from tests.auth_support import PASSWORD, Account, AuthDriver, bearer
from topicsflow.node import NodeHandle


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def logged_in(node: NodeHandle, driver: AuthDriver, username: str) -> Account:
    """A verified user made in the store, logged in over HTTP (a fresh session for the
    step-up; the registration and code limits of the client address are spent already)."""
    store, passwords = node.context.store, node.context.passwords
    assert store is not None and passwords is not None
    user = await store.users.create(
        username=username, email=f"{username}@example.org",
        password_hash=await passwords.hash(PASSWORD),
    )
    await store.users.set_email_verified(user.id, True)
    body = _ok(await driver.login(username))
    return Account(username, user.email, PASSWORD, user.id, body["token"])


async def token_flow(node: NodeHandle, driver: AuthDriver) -> list[str]:
    """Create, use and revoke tokens (a bot's too); the secrets used on the way."""
    client = driver.client
    dana = await logged_in(node, driver, "dana")
    secrets = [dana.token]
    bot = _ok(await client.post("/api/bots", json={"username": "danabot"},
                                headers=bearer(dana.token)), 201)
    created = []
    for body in ({"name": "mine", "scopes": ["read"]},
                 {"name": "bot", "scopes": ["read", "write"], "bot_id": bot["id"]}):
        token = _ok(await client.post("/api/tokens", json=body, headers=bearer(dana.token)), 201)
        secrets.append(token["token"])
        created.append(token)
    for token in created:
        _ok(await client.get("/api/users/me", headers=bearer(token["token"])))
        refused = await client.post("/api/tokens", json={"name": "x", "scopes": ["read"]},
                                    headers=bearer(token["token"]))
        assert refused.status_code == 403
        url = node.base_url.replace("http://", "ws://") + "/ws"
        for header in (True, False):
            async with open_client(url, token=token["token"], bearer_header=header) as ws:
                assert isinstance(await ws.ping(), Pong)
        _ok(await client.delete(f"/api/tokens/{token['id']}", headers=bearer(dana.token)))
        gone = await client.get("/api/users/me", headers=bearer(token["token"]))
        assert gone.status_code == 401
    return secrets
