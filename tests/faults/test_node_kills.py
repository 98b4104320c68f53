"""A single node on the Mongo-wire store killed (SIGKILL) or stopped (SIGTERM) during
acknowledged sends, then started again: every acknowledged message is stored exactly
once and in order, and sends retried with their nonce after the restart store no copy."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
import trio

from bots.client import Client, open_client
from bots.client_connection import ConnectionLost, RequestFailed
from protocol import SendMessage
from protocol.control_frames import Ack, MessageAccepted
from protocol.errors import ErrorCode
from services.tokens import new_token
from storage import open_store
from storage.keys import hash_token
from tests.e2e.process_support import serve_process
from tests.faults.dependencies import own_ferretdb

pytestmark = [pytest.mark.mongo, pytest.mark.timeout(120)]

SENDS = 40
KILL_AFTER = 15
RETRYABLE = {ErrorCode.UNAVAILABLE, ErrorCode.TIMEOUT, ErrorCode.RATE_LIMITED}


async def send_until_acknowledged(client: Client, channel: str, nonce: str) -> int:
    while True:
        try:
            reply = await client.request(SendMessage, channel=channel, text=nonce, nonce=nonce)
        except RequestFailed as failure:
            if failure.code not in RETRYABLE:
                raise
            await trio.sleep((failure.retry_after_ms or 100) / 1000)
            continue
        assert isinstance(reply, Ack)
        assert isinstance(reply.result, MessageAccepted)
        return reply.result.seq


@pytest.mark.parametrize("stop_signal", [signal.SIGKILL, signal.SIGTERM], ids=["kill", "term"])
async def test_a_node_stopped_during_sends_keeps_every_acknowledged_message_once(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    with own_ferretdb(tmp_path) as ferretdb:
        await ferretdb.start()
        url = f"mongodb://127.0.0.1:{ferretdb.port}/"
        token, channel, room_id = await _seed(url)
        acknowledged: dict[str, int] = {}
        environment = {"TOPICSFLOW_MONGODB_URL": url, "TOPICSFLOW_MONGODB_DATABASE": "kills"}
        async with serve_process(tmp_path / "node", **environment) as first:
            ws = first.base_url.replace("http://", "ws://") + "/ws"
            async with open_client(ws, token=token, reconnect=False) as client:
                for index in range(KILL_AFTER):
                    nonce = f"n{index}"
                    acknowledged[nonce] = await send_until_acknowledged(client, channel, nonce)
                in_flight = f"n{KILL_AFTER}"
                with trio.move_on_after(5):  # the reply may be lost with the node
                    try:
                        await client.request(
                            SendMessage, channel=channel, text=in_flight, nonce=in_flight
                        )
                        first.process.send_signal(stop_signal)
                    except (ConnectionLost, RequestFailed):
                        pass
                if first.process.returncode is None:
                    first.process.send_signal(stop_signal)
                with trio.fail_after(30):
                    await first.process.wait()
        async with serve_process(tmp_path / "node", **environment) as second:
            ws = second.base_url.replace("http://", "ws://") + "/ws"
            async with open_client(ws, token=token) as client:
                for index in range(KILL_AFTER, SENDS):  # the in-flight one is retried
                    nonce = f"n{index}"
                    acknowledged[nonce] = await send_until_acknowledged(client, channel, nonce)
        stored = await _history(url, room_id)
    await _assert_once_in_order(stored, acknowledged)


async def _seed(url: str) -> tuple[str, str, str]:
    async with open_store(url, database="kills") as store:
        user = await store.users.create(
            username="sender", email="sender@example.org", password_hash="unused"
        )
        token = new_token()
        await store.sessions.create(
            token_hash=hash_token(token), user_id=user.id, expires_at=time.time() + 3600
        )
        room = await store.rooms.create(owner_id=user.id, name="kills")
    return token, f"chat_room:{room.id}", room.id


async def _history(url: str, room_id: str) -> list[tuple[int, str]]:
    async with open_store(url, database="kills") as store:
        rows = await store.messages.page_before(room_id, limit=200)
    return sorted((row.seq, row.body) for row in rows)


async def _assert_once_in_order(
    stored: list[tuple[int, str]], acknowledged: dict[str, int]
) -> None:
    texts = [text for _, text in stored]
    assert len(texts) == len(set(texts)), f"a message was stored twice: {texts}"
    assert set(texts) == set(acknowledged), "every acknowledged message, nothing else"
    assert dict((text, seq) for seq, text in stored) == acknowledged
    order = [acknowledged[f"n{index}"] for index in range(SENDS)]
    assert order == sorted(order), "acknowledged in the order sent"

