"""The WebSocket handshake over a real socket: subprotocols, bearer tokens, ping."""

from __future__ import annotations

import json

import pytest
import trio_websocket

from bots.client import RequestFailed, open_client
from protocol.codecs import SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK
from protocol.control_frames import Pong
from storage.errors import StorageUnavailable
from tests.e2e.conftest import log_in_new_user, websocket_url
from topicsflow.node import NodeHandle


async def test_upgrade_without_a_known_subprotocol_is_refused_with_400(node: NodeHandle) -> None:
    with pytest.raises(trio_websocket.HandshakeError) as refused:
        async with trio_websocket.open_websocket_url(
            websocket_url(node), subprotocols=["chat"]
        ):
            pass
    assert isinstance(refused.value, trio_websocket.ConnectionRejected)
    assert refused.value.status_code == 400


async def test_bad_bearer_token_is_refused_with_401(node: NodeHandle) -> None:
    with pytest.raises(trio_websocket.ConnectionRejected) as refused:
        async with trio_websocket.open_websocket_url(
            websocket_url(node),
            subprotocols=[SUBPROTOCOL_JSON],
            extra_headers=[(b"authorization", b"Bearer nope")],
        ):
            pass
    assert refused.value.status_code == 401


@pytest.mark.parametrize("subprotocol", [SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK])
@pytest.mark.parametrize("bearer_header", [True, False])
async def test_authenticated_client_pings(
    node: NodeHandle, subprotocol: str, bearer_header: bool
) -> None:
    alice = await log_in_new_user(node, "alice")
    async with open_client(
        websocket_url(node), token=alice.token, subprotocol=subprotocol,
        bearer_header=bearer_header,
    ) as client:
        assert isinstance(await client.ping(), Pong)


async def test_a_refused_frame_leaves_the_connection_usable(node: NodeHandle) -> None:
    from protocol.call_frames import CallHangup

    alice = await log_in_new_user(node, "alice")
    async with open_client(websocket_url(node), token=alice.token) as client:
        with pytest.raises(RequestFailed) as failed:
            await client.request(CallHangup, call_id="k1")
        assert failed.value.code == "not_found"
        assert isinstance(await client.ping(), Pong)


async def test_an_outage_of_the_session_store_is_answered_503_then_unavailable(
    node: NodeHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No 500 and no ``internal`` while sessions cannot be read: the upgrade is refused
    with 503 and Retry-After, and the ``authenticate`` frame is answered ``unavailable``."""
    alice = await log_in_new_user(node, "alice")
    sessions = node.context.sessions
    assert sessions is not None

    async def unavailable(token_hash: str) -> None:
        raise StorageUnavailable("the session store is down")

    monkeypatch.setattr(sessions, "get", unavailable)
    with pytest.raises(trio_websocket.ConnectionRejected) as refused:
        async with trio_websocket.open_websocket_url(
            websocket_url(node),
            subprotocols=[SUBPROTOCOL_JSON],
            extra_headers=[(b"authorization", f"Bearer {alice.token}".encode())],
        ):
            pass
    assert refused.value.status_code == 503
    assert (b"retry-after", b"1") in [
        (name.lower(), value) for name, value in refused.value.headers
    ]
    async with trio_websocket.open_websocket_url(
        websocket_url(node), subprotocols=[SUBPROTOCOL_JSON]
    ) as socket:
        await socket.send_message(json.dumps({"type": "authenticate", "id": 1,
                                              "token": alice.token}))
        reply = json.loads(await socket.get_message())
    assert reply["type"] == "error"
    assert reply["id"] == 1
    assert reply["code"] == "unavailable"
