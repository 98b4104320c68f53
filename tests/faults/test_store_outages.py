"""The Mongo-wire store hung under acknowledged sends: senders are told ``unavailable``
(never ``internal``), REST answers 503 within the deadline (never 500), the room actor is
not restarted, everything recovers by itself, and every acknowledged message is stored
exactly once, in order — retries with the same nonce included."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import trio
import trio_websocket

from bots.client import Client, open_client
from bots.client_connection import RequestFailed
from protocol import SendMessage
from protocol.codecs import SUBPROTOCOL_JSON
from protocol.control_frames import Ack, MessageAccepted
from protocol.errors import ErrorCode
from storage.dependency import BreakerState, DependencyGate
from tests.e2e.chat_support import make_room
from tests.e2e.file_support import bearer, serve_test_node
from tests.e2e.node_support import log_in_new_user, websocket_url
from tests.faults.dependencies import (
    ANSWERED_WITHIN_S,
    DEADLINE_S,
    OUTAGE_SECONDS,
    Dependency,
)
from topicsflow.node import NodeHandle

pytestmark = [pytest.mark.mongo, pytest.mark.timeout(90 + 3 * OUTAGE_SECONDS)]


@pytest.fixture
async def mongo_node(tmp_path: Path, ferretdb: Dependency) -> AsyncIterator[NodeHandle]:
    async with serve_test_node(
        tmp_path, mongodb_url=f"mongodb://127.0.0.1:{ferretdb.port}/",
        mongodb_database="faults", dependency_deadline_seconds=DEADLINE_S,
    ) as node:
        yield node


def store_gate(node: NodeHandle) -> DependencyGate:
    return node.context.gates["mongo"]


async def upgrade_status(node: NodeHandle, token: str) -> int:
    """The HTTP status of a WebSocket upgrade (101 when accepted), within the bound."""
    with trio.fail_after(ANSWERED_WITHIN_S):
        try:
            async with trio_websocket.open_websocket_url(
                websocket_url(node), subprotocols=[SUBPROTOCOL_JSON],
                extra_headers=[(b"authorization", f"Bearer {token}".encode())],
            ):
                return 101
        except trio_websocket.ConnectionRejected as rejected:
            return int(rejected.status_code)


async def send_until_acknowledged(
    client: Client, channel: str, nonce: str, codes: list[ErrorCode]
) -> int:
    """Send with ``nonce`` until the server accepts it (the same nonce every time);
    the seq; every refusal's code is recorded in ``codes``."""
    while True:
        try:
            reply = await client.request(SendMessage, channel=channel, text=nonce, nonce=nonce)
        except RequestFailed as failure:
            codes.append(failure.code)
            await trio.sleep((failure.retry_after_ms or 200) / 1000)
            continue
        assert isinstance(reply, Ack)
        assert isinstance(reply.result, MessageAccepted)
        return reply.result.seq


async def test_sends_through_a_hung_store_are_told_unavailable_and_stored_once(
    mongo_node: NodeHandle, ferretdb: Dependency
) -> None:
    alice = await log_in_new_user(mongo_node, "alice")
    room_id = await make_room(mongo_node, alice)
    channel = f"chat_room:{room_id}"
    acknowledged: dict[str, int] = {}
    codes: list[ErrorCode] = []
    statuses: list[int] = []
    gate = store_gate(mongo_node)
    async with (
        open_client(websocket_url(mongo_node), token=alice.token, request_timeout=60) as client,
        httpx.AsyncClient(base_url=mongo_node.base_url) as api,
    ):
        for index in range(5):
            acknowledged[f"n{index}"] = await send_until_acknowledged(
                client, channel, f"n{index}", codes
            )
        ferretdb.pause()
        async with trio.open_nursery() as nursery:

            async def sender() -> None:
                for index in range(5, 15):
                    acknowledged[f"n{index}"] = await send_until_acknowledged(
                        client, channel, f"n{index}", codes
                    )

            nursery.start_soon(sender)
            with trio.move_on_after(OUTAGE_SECONDS):
                while True:
                    with trio.fail_after(ANSWERED_WITHIN_S):
                        answer = await api.get(
                            f"/api/chat-rooms/{room_id}/messages", headers=bearer(alice.token)
                        )
                    statuses.append(answer.status_code)
                    statuses.append(await upgrade_status(mongo_node, alice.token))
            assert gate.state is BreakerState.OPEN
            ferretdb.resume()
        async with httpx.AsyncClient(base_url=mongo_node.base_url) as api_after:
            history = await api_after.get(
                f"/api/chat-rooms/{room_id}/messages", params={"limit": 100},
                headers=bearer(alice.token),
            )
    assert 500 not in statuses and 503 in statuses
    assert set(statuses) <= {200, 101, 503}, statuses
    # Refused while the store was away (retries of one send may also meet the room's
    # flood limit), but never "internal" or "timeout".
    assert ErrorCode.UNAVAILABLE in codes
    assert set(codes) <= {ErrorCode.UNAVAILABLE, ErrorCode.RATE_LIMITED}, codes
    assert history.status_code == 200, history.text
    stored = [(message["seq"], message["text"]) for message in history.json()["messages"]]
    stored.sort()
    texts = [text for _, text in stored]
    assert sorted(texts) == sorted(acknowledged), "each acknowledged message exactly once"
    assert len(set(texts)) == len(texts)
    assert [seq for seq, _ in stored] == sorted(acknowledged.values())
    in_order = [f"n{index}" for index in range(15)]
    assert [acknowledged[nonce] for nonce in in_order] == sorted(acknowledged.values())
    registry = mongo_node.context.registry
    assert registry is not None
    restarts = {kind.kind: kind.restarts for kind in registry.statistics().kinds}
    assert restarts.get("chat_room") == 0
