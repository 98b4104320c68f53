"""Personal access tokens and owned bots over real sockets, on each store (issue 22).

A token is created over REST by a freshly logged-in session, then used as ``Bearer`` on
REST and on the WebSocket (handshake header and ``authenticate`` frame); scopes are
enforced on both; expired and revoked tokens are refused, and revoking closes the
token's open WebSockets (goodbye ``session_revoked``, 4001).  Bots are marked in views.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import trio_websocket

from bots.client import open_client
from bots.client_connection import RequestFailed
from protocol.client_frames import SendMessage, Subscribe
from protocol.codecs import SUBPROTOCOL_JSON
from protocol.control_frames import Ack, Pong
from protocol.errors import ErrorCode
from protocol.server_frames import Subscribed
from services.email import OutboxMailer
from storage.keys import hash_token
from tests.auth_support import Account, AuthDriver, bearer
from tests.e2e.conftest import log_in_new_user, websocket_url
from tests.e2e.test_auth_revocation import assert_refused_everywhere, assert_revoked
from tests.store_support import on_each_store
from topicsflow.node import NodeHandle

pytestmark = on_each_store("node")


@pytest.fixture
async def driver(node: NodeHandle) -> AsyncIterator[AuthDriver]:
    assert isinstance(node.context.mailer, OutboxMailer)
    async with httpx.AsyncClient(base_url=node.base_url) as client:
        yield AuthDriver(client, node.context.mailer)


async def new_token(driver: AuthDriver, owner: Account, **fields: Any) -> dict[str, Any]:
    """Create a token with ``owner``'s (fresh) session; the 201 body."""
    body = {"name": "ci", "scopes": ["read", "write"], **fields}
    response = await driver.client.post("/api/tokens", json=body, headers=bearer(owner.token))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    assert created["token"].startswith("tfp_")
    return created


async def open_room(driver: AuthDriver, token: str) -> str:
    response = await driver.client.post(
        "/api/chat-rooms", json={"name": "bots"}, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    room_id: str = response.json()["id"]
    return room_id


async def test_a_token_works_on_rest_and_both_websocket_logins(
    node: NodeHandle, driver: AuthDriver
) -> None:
    alice = await driver.signup("alice")
    created = await new_token(driver, alice)
    secret = created["token"]
    me = await driver.client.get("/api/users/me", headers=bearer(secret))
    assert me.status_code == 200 and me.json()["id"] == alice.user_id
    room_id = await open_room(driver, secret)
    for header in (True, False):
        async with open_client(websocket_url(node), token=secret, bearer_header=header) as ws:
            assert isinstance(await ws.subscribe(f"chat_room:{room_id}"), Subscribed)
            sent = await ws.request(SendMessage, channel=f"chat_room:{room_id}", text="hi")
            assert isinstance(sent, Ack), sent
    listed = await driver.client.get("/api/tokens", headers=bearer(alice.token))
    (view,) = listed.json()["tokens"]
    assert view["last_used_at"] is not None and view["last_used_at"] >= created["created_at"]


async def test_scopes_are_enforced_on_rest_and_websocket(
    node: NodeHandle, driver: AuthDriver
) -> None:
    alice = await driver.signup("alice")
    reader = (await new_token(driver, alice, scopes=["read"]))["token"]
    writer = (await new_token(driver, alice, scopes=["write"]))["token"]
    room_id = await open_room(driver, alice.token)
    assert (await driver.client.get("/api/chat-rooms", headers=bearer(reader))).status_code == 200
    refused = await driver.client.post(
        "/api/chat-rooms", json={"name": "nope"}, headers=bearer(reader)
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert (await driver.client.get("/api/chat-rooms", headers=bearer(writer))).status_code == 403
    assert (await driver.client.get("/api/reports", headers=bearer(writer))).status_code == 403
    for credential_route in ("/api/tokens", "/api/auth/sessions", "/api/bots"):
        response = await driver.client.get(credential_route, headers=bearer(reader))
        assert response.status_code == 403, credential_route
    making = await driver.client.post(
        "/api/tokens", json={"name": "x", "scopes": ["read"]}, headers=bearer(writer)
    )
    assert making.status_code == 403
    async with open_client(websocket_url(node), token=reader) as ws:
        with pytest.raises(RequestFailed) as refused_send:
            await ws.request(SendMessage, channel=f"chat_room:{room_id}", text="hi")
        assert refused_send.value.code == ErrorCode.FORBIDDEN
        assert isinstance(await ws.ping(), Pong)
    async with open_client(websocket_url(node), token=writer, bearer_header=False) as ws:
        with pytest.raises(RequestFailed) as refused_subscribe:
            await ws.request(Subscribe, channel=f"chat_room:{room_id}")
        assert refused_subscribe.value.code == ErrorCode.FORBIDDEN
        sent = await ws.request(SendMessage, channel=f"chat_room:{room_id}", text="hi")
        assert isinstance(sent, Ack)


async def test_admin_scope_only_for_admins_and_step_up_needed(
    node: NodeHandle, driver: AuthDriver
) -> None:
    alice = await driver.signup("alice")
    response = await driver.client.post(
        "/api/tokens", json={"name": "x", "scopes": ["admin"]}, headers=bearer(alice.token)
    )
    assert response.status_code == 403
    stale = await log_in_new_user(node, "bob")  # a session without a recent login
    response = await driver.client.post(
        "/api/tokens", json={"name": "x", "scopes": ["read"]}, headers=bearer(stale.token)
    )
    assert response.status_code == 403 and response.json()["error"]["reauthenticate"] is True


async def test_an_expired_token_is_refused(node: NodeHandle, driver: AuthDriver) -> None:
    alice = await driver.signup("alice")
    assert node.context.store is not None
    secret = "tfp_" + "e" * 43
    await node.context.store.api_tokens.create(
        token_hash=hash_token(secret), user_id=alice.user_id, owner_id=alice.user_id,
        name="old", scopes=("read",), expires_at=time.time() - 1,
    )
    await assert_refused_everywhere(node, driver, secret)
    with pytest.raises(trio_websocket.ConnectionRejected):
        async with trio_websocket.open_websocket_url(
            websocket_url(node), subprotocols=[SUBPROTOCOL_JSON],
            extra_headers=[(b"authorization", f"Bearer {secret}".encode())],
        ):
            pass


async def test_revoking_closes_the_tokens_open_websockets(
    node: NodeHandle, driver: AuthDriver
) -> None:
    alice = await driver.signup("alice")
    doomed = await new_token(driver, alice)
    kept = await new_token(driver, alice)
    async with (
        open_client(websocket_url(node), token=doomed["token"]) as by_header,
        open_client(websocket_url(node), token=doomed["token"], bearer_header=False) as by_frame,
        open_client(websocket_url(node), token=kept["token"]) as survivor,
        open_client(websocket_url(node), token=alice.token) as session,
    ):
        response = await driver.client.delete(
            f"/api/tokens/{doomed['id']}", headers=bearer(alice.token)
        )
        assert response.status_code == 200, response.text
        await assert_revoked(by_header)
        await assert_revoked(by_frame)
        assert isinstance(await survivor.ping(), Pong)
        assert isinstance(await session.ping(), Pong)
    await assert_refused_everywhere(node, driver, doomed["token"])
    again = await driver.client.delete(f"/api/tokens/{doomed['id']}", headers=bearer(alice.token))
    assert again.status_code == 404


async def test_listing_never_shows_a_secret_and_is_paged(
    node: NodeHandle, driver: AuthDriver
) -> None:
    alice = await driver.signup("alice")
    bob = await driver.signup("bob")
    secrets = [(await new_token(driver, alice, name=f"t{n}"))["token"] for n in range(3)]
    await new_token(driver, bob)
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = await driver.client.get("/api/tokens", params=params, headers=bearer(alice.token))
        assert page.status_code == 200
        assert not any(secret in page.text for secret in secrets)
        for view in page.json()["tokens"]:
            assert "token" not in view
            seen.append(view["name"])
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == ["t2", "t1", "t0"]
    other = (await driver.client.get("/api/tokens", headers=bearer(bob.token))).json()["tokens"]
    assert len(other) == 1 and other[0]["user_id"] == bob.user_id


async def test_a_users_bot_is_marked_in_views_and_acts_with_its_token(
    node: NodeHandle, driver: AuthDriver
) -> None:
    alice = await driver.signup("alice")
    made = await driver.client.post(
        "/api/bots", json={"username": "alicebot"}, headers=bearer(alice.token)
    )
    assert made.status_code == 201, made.text
    bot = made.json()
    assert bot["is_bot"] is True and bot["bot_owner_id"] == alice.user_id
    profile = (await driver.client.get(f"/api/users/{bot['id']}")).json()
    assert profile["is_bot"] is True and profile["bot_owner_id"] == alice.user_id
    human = (await driver.client.get(f"/api/users/{alice.user_id}")).json()
    assert human["is_bot"] is False and human["bot_owner_id"] is None
    found = await driver.client.get(
        "/api/users", params={"q": "alice"}, headers=bearer(alice.token)
    )
    flags = {user["username"]: user["is_bot"] for user in found.json()["users"]}
    assert flags == {"alice": False, "alicebot": True}
    secret = (await new_token(driver, alice, bot_id=bot["id"]))["token"]
    me = (await driver.client.get("/api/users/me", headers=bearer(secret))).json()
    assert me["id"] == bot["id"] and me["is_bot"] is True
    listed = (await driver.client.get("/api/bots", headers=bearer(alice.token))).json()
    assert [entry["id"] for entry in listed["bots"]] == [bot["id"]]
    bob = await driver.signup("bob")
    stolen = await driver.client.post(
        "/api/tokens", json={"name": "x", "scopes": ["read"], "bot_id": bot["id"]},
        headers=bearer(bob.token),
    )
    assert stolen.status_code == 404
    async with open_client(websocket_url(node), token=secret) as ws:
        assert isinstance(await ws.subscribe(f"user:{bot['id']}"), Subscribed)
