"""A revoked session is rejected everywhere at once, including its open WebSockets.

Each case logs in over HTTP, opens WebSockets with the SDK, then revokes through the
REST API and checks: the socket gets ``goodbye`` (``session_revoked``) and closes with
4001, and the token is refused by both REST and a new WebSocket handshake.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import trio
import trio_websocket

from bots.client import Client, open_client
from protocol.close_codes import CloseCode
from protocol.codecs import SUBPROTOCOL_JSON
from protocol.control_frames import Goodbye, Pong
from services.email import OutboxMailer
from tests.auth_support import PASSWORD, Account, AuthDriver, bearer, link_token
from tests.e2e.conftest import websocket_url
from topicsflow.node import NodeHandle


@pytest.fixture
async def driver(node: NodeHandle) -> AsyncIterator[AuthDriver]:
    assert isinstance(node.context.mailer, OutboxMailer)
    async with httpx.AsyncClient(base_url=node.base_url) as client:
        yield AuthDriver(client, node.context.mailer)


async def assert_revoked(client: Client) -> None:
    """``client`` is told ``session_revoked`` and closed with 4001 within two seconds."""
    reasons = []
    with trio.fail_after(2):
        async for event in client.events():
            if isinstance(event, Goodbye):
                reasons.append(event.reason)
    assert reasons == ["session_revoked"]
    assert client.close_code == CloseCode.UNAUTHORIZED


async def assert_refused_everywhere(node: NodeHandle, driver: AuthDriver, token: str) -> None:
    assert await driver.me_status(token) == 401
    with pytest.raises(trio_websocket.ConnectionRejected) as refused:
        async with trio_websocket.open_websocket_url(
            websocket_url(node), subprotocols=[SUBPROTOCOL_JSON],
            extra_headers=[(b"authorization", f"Bearer {token}".encode())],
        ):
            pass
    assert refused.value.status_code == 401


async def second_session(driver: AuthDriver, account: Account) -> dict[str, str]:
    response = await driver.login(account.username)
    assert response.status_code == 200
    body: dict[str, str] = response.json()
    return body


async def test_revoking_one_session_closes_its_sockets_only(
    node: NodeHandle, driver: AuthDriver
) -> None:
    alice = await driver.signup("alice")
    laptop = await second_session(driver, alice)
    async with (
        open_client(websocket_url(node), token=laptop["token"]) as doomed,
        open_client(websocket_url(node), token=laptop["token"], bearer_header=False) as also,
        open_client(websocket_url(node), token=alice.token) as survivor,
    ):
        response = await driver.client.delete(
            f"/api/auth/sessions/{laptop['session_id']}", headers=bearer(alice.token)
        )
        assert response.status_code == 200
        await assert_revoked(doomed)
        await assert_revoked(also)
        assert isinstance(await survivor.ping(), Pong)
    await assert_refused_everywhere(node, driver, laptop["token"])


async def test_logout_closes_the_sessions_sockets(node: NodeHandle, driver: AuthDriver) -> None:
    alice = await driver.signup("alice")
    async with open_client(websocket_url(node), token=alice.token) as client:
        response = await driver.client.post("/api/auth/logout", headers=bearer(alice.token))
        assert response.status_code == 200
        await assert_revoked(client)
    await assert_refused_everywhere(node, driver, alice.token)


async def test_password_change_closes_every_other_sessions_sockets(
    node: NodeHandle, driver: AuthDriver
) -> None:
    alice = await driver.signup("alice")
    phone = await second_session(driver, alice)
    async with (
        open_client(websocket_url(node), token=phone["token"]) as other,
        open_client(websocket_url(node), token=alice.token) as current,
    ):
        response = await driver.client.post(
            "/api/auth/password",
            json={"current_password": PASSWORD, "new_password": "another long passphrase"},
            headers=bearer(alice.token),
        )
        assert response.json() == {"revoked": 1}
        await assert_revoked(other)
        assert isinstance(await current.ping(), Pong)
    await assert_refused_everywhere(node, driver, phone["token"])


async def test_password_reset_closes_every_socket(node: NodeHandle, driver: AuthDriver) -> None:
    alice = await driver.signup("alice")
    async with open_client(websocket_url(node), token=alice.token) as client:
        await driver.client.post("/api/auth/password-reset", json={"email": alice.email})
        (message,) = await driver.mail(alice.email, "Reset")
        response = await driver.client.post(
            "/api/auth/password-reset/complete",
            json={"token": link_token(message), "new_password": "another long passphrase"},
        )
        assert response.status_code == 200
        await assert_revoked(client)
    await assert_refused_everywhere(node, driver, alice.token)
