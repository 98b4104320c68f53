"""The WebSocket handshake over a real socket: subprotocols, bearer tokens, ping."""

from __future__ import annotations

import pytest
import trio_websocket

from bots.client import RequestFailed, open_client
from protocol.codecs import SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK
from protocol.control_frames import Pong
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
