"""Issue 19: a banned user's login is refused with the ban, over real HTTP, on each backend.

A right password of a banned account answers 403 ``forbidden`` with ``error.ban``
(reason, end) and opens no session; a wrong password stays 401; a lapsed or lifted ban
logs in again; the two-factor step is refused the same way; the user's still-valid
token is refused by the WebSocket handshake and by the ``authenticate`` frame.  Lapsed
bans are written with an explicit past end, not waited for.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
import trio
import trio_websocket

from protocol.close_codes import CloseCode
from protocol.codecs import SUBPROTOCOL_JSON
from services.bans import BAN_REASON, BANNED_UNTIL
from services.totp import new_totp_secret
from tests.auth_support import AuthDriver
from tests.e2e.conftest import LoggedIn, websocket_url
from tests.e2e.moderation_support import auth, new_admin
from topicsflow.node import NodeHandle

DEADLINE_S = 10


async def session_count(node: NodeHandle, user_id: str) -> int:
    """How many live login sessions ``user_id`` has in the node's session store."""
    assert node.context.sessions is not None
    return len(await node.context.sessions.list_for_user(user_id))


async def ban(
    driver: AuthDriver, admin: LoggedIn, user_id: str, reason: str, seconds: int | None
) -> None:
    """Ban ``user_id`` site-wide through the admin API."""
    body: dict[str, Any] = {"reason": reason}
    if seconds is not None:
        body["seconds"] = seconds
    banned = await driver.client.put(
        f"/api/admin/users/{user_id}/ban", json=body, headers=auth(admin)
    )
    assert banned.status_code == 200, banned.text


def ban_of(response: httpx.Response) -> dict[str, Any]:
    """The ``ban`` of a 403 ``forbidden`` login refusal (asserting that shape)."""
    assert response.status_code == 403, response.text
    assert "set-cookie" not in response.headers
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == "forbidden" and error["message"] == "this account is banned"
    assert set(error) == {"code", "message", "ban"}
    assert set(error["ban"]) == {"reason", "expires_at"}
    ban_: dict[str, Any] = error["ban"]
    return ban_


async def assert_websocket_refuses(node: NodeHandle, token: str) -> None:
    """The handshake with ``token`` is 401; its ``authenticate`` frame, error then 4001."""
    with pytest.raises(trio_websocket.ConnectionRejected) as refused:
        async with trio_websocket.open_websocket_url(
            websocket_url(node), subprotocols=[SUBPROTOCOL_JSON],
            extra_headers=[(b"authorization", f"Bearer {token}".encode())],
        ):
            pass
    assert refused.value.status_code == 401
    with trio.fail_after(DEADLINE_S):
        async with trio_websocket.open_websocket_url(
            websocket_url(node), subprotocols=[SUBPROTOCOL_JSON]
        ) as socket:
            await socket.send_message(
                json.dumps({"type": "authenticate", "id": 1, "token": token})
            )
            reply = json.loads(await socket.get_message())
            assert (reply["type"], reply["id"], reply["code"]) == ("error", 1, "unauthorized")
            with pytest.raises(trio_websocket.ConnectionClosed) as closed:
                await socket.get_message()
            reason = closed.value.reason
            assert reason is not None and reason.code == CloseCode.UNAUTHORIZED


async def test_a_banned_users_login_is_refused_with_the_ban_and_opens_no_session(
    live_node: NodeHandle, live_driver: AuthDriver
) -> None:
    rude = await live_driver.signup("rude")
    admin = await new_admin(live_node, "zadmin")
    assert await session_count(live_node, rude.user_id) == 1
    banned_at = time.time()
    await ban(live_driver, admin, rude.user_id, "spam links", 3600)
    unbanned_by = time.time()

    refused = await live_driver.login("rude")
    ban_ = ban_of(refused)
    assert ban_["reason"] == "spam links"
    assert (banned_at + 3600) * 1000 - 1 <= ban_["expires_at"] <= (unbanned_by + 3600) * 1000
    by_email = await live_driver.login(rude.email, session_transport="cookie")
    assert ban_of(by_email) == ban_
    assert not live_driver.client.cookies
    assert await session_count(live_node, rude.user_id) == 1

    # Without the password nothing tells the ban: the same 401 as for nobody.
    wrong = await live_driver.login("rude", "not the password at all")
    nobody = await live_driver.login("nobody", "not the password at all")
    assert wrong.status_code == 401
    assert wrong.json() == nobody.json()
    assert wrong.json()["error"]["code"] == "unauthorized"

    # The session opened before the ban is refused everywhere while the ban lasts.
    assert await live_driver.me_status(rude.token) == 401
    await assert_websocket_refuses(live_node, rude.token)

    lifted = await live_driver.client.post(
        f"/api/admin/users/{rude.user_id}/unban", json={"reason": "appeal"}, headers=auth(admin)
    )
    assert lifted.status_code == 200, lifted.text
    again = await live_driver.login("rude")
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "authenticated"
    assert await live_driver.me_status(again.json()["token"]) == 200
    assert await live_driver.me_status(rude.token) == 200
    assert await session_count(live_node, rude.user_id) == 2


async def test_a_permanent_ban_has_no_end_and_a_lapsed_ban_no_longer_refuses(
    live_node: NodeHandle, live_driver: AuthDriver
) -> None:
    rude = await live_driver.signup("rude")
    admin = await new_admin(live_node, "zadmin")
    await ban(live_driver, admin, rude.user_id, "harassment", None)
    assert ban_of(await live_driver.login("rude")) == {
        "reason": "harassment", "expires_at": None
    }

    # A ban whose end has passed (written with an explicit past end) does not refuse.
    store = live_node.context.store
    assert store is not None
    await store.users.update_preferences(rude.user_id, {BANNED_UNTIL: time.time() - 1})
    assert (await store.users.get(rude.user_id)).preferences[BAN_REASON] == "harassment"
    lapsed = await live_driver.login("rude")
    assert lapsed.status_code == 200, lapsed.text
    assert await live_driver.me_status(lapsed.json()["token"]) == 200
    assert await session_count(live_node, rude.user_id) == 2


async def test_the_two_factor_step_is_refused_once_banned(
    live_node: NodeHandle, live_driver: AuthDriver
) -> None:
    rude = await live_driver.signup("rude")
    admin = await new_admin(live_node, "zadmin")
    store = live_node.context.store
    assert store is not None
    await store.users.set_totp_secret(rude.user_id, new_totp_secret())
    first = await live_driver.login("rude")
    assert first.status_code == 200 and first.json()["status"] == "two_factor_required"
    await ban(live_driver, admin, rude.user_id, "ban evasion", 600)

    finished = await live_driver.client.post(
        "/api/auth/login/two-factor",
        json={"challenge": first.json()["challenge"], "code": "000000"},
    )
    assert ban_of(finished)["reason"] == "ban evasion"
    no_challenge = await live_driver.login("rude")
    assert ban_of(no_challenge)["reason"] == "ban evasion"
    assert "challenge" not in no_challenge.text
    assert await session_count(live_node, rude.user_id) == 1
    assert await live_driver.me_status(rude.token) == 401

