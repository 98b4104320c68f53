"""Unread and mention counts, read positions (persisted, live on my other devices) and
room presence over REST, on each store; the counts survive a node restart."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from bots.client import open_client
from protocol.chat_events import ReadReceipt
from protocol.client_frames import MarkRead
from services.tokens import new_token
from storage.keys import hash_token
from tests.e2e.chat_support import make_room, send
from tests.e2e.conftest import LoggedIn, log_in_new_user, websocket_url
from tests.e2e.file_support import bearer, serve_test_node
from tests.e2e.messaging_support import next_of
from tests.store_support import MONGO, drop_mongo_database, on_each_store, requested_backend
from topicsflow.node import NodeHandle

pytestmark = on_each_store("stores")
DEADLINE_S = 30


@pytest.fixture
async def stores(request: pytest.FixtureRequest) -> AsyncIterator[dict[str, Any]]:
    """Settings naming the store: SQLite in the test's directory, or a Mongo database of
    the test's own (dropped afterwards); several nodes in turn may serve it."""
    if requested_backend(request) != MONGO:
        yield {}
        return
    found = {
        "mongodb_url": request.getfixturevalue("mongodb_url"),
        "mongodb_database": request.getfixturevalue("unique_name"),
    }
    try:
        yield found
    finally:
        await drop_mongo_database(found["mongodb_url"], found["mongodb_database"])


async def session_for(node: NodeHandle, user: LoggedIn) -> LoggedIn:
    """A new login session of ``user`` on ``node`` (sessions do not outlive a test node)."""
    assert node.context.sessions is not None
    token = new_token()
    await node.context.sessions.create(
        token_hash=hash_token(token), user_id=user.user_id, expires_at=time.time() + 3600
    )
    return LoggedIn(user_id=user.user_id, username=user.username, token=token)


async def room_entry(api: httpx.AsyncClient, user: LoggedIn, room_id: str) -> dict[str, Any]:
    listed = await api.get("/api/chat-rooms", headers=bearer(user.token))
    assert listed.status_code == 200, listed.text
    (entry,) = [room for room in listed.json()["rooms"] if room["id"] == room_id]
    return entry


async def test_counts_mentions_read_positions_and_restart(
    stores: dict[str, Any], tmp_path: Path
) -> None:
    async with serve_test_node(tmp_path, **stores) as node:
        alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
        room_id = await make_room(node, alice, bob)
        channel = f"chat_room:{room_id}"
        url = websocket_url(node)
        async with (
            httpx.AsyncClient(base_url=node.base_url) as api,
            open_client(url, token=alice.token) as alice_client,
            open_client(url, token=bob.token) as bob_phone,
        ):
            with trio.fail_after(DEADLINE_S):
                await bob_phone.subscribe(f"user:{bob.user_id}")
                await send(alice_client, channel, "hello")
                await send(alice_client, channel, "are you there @bob?")
                last = await send(alice_client, channel, "third")
                entry = await room_entry(api, bob, room_id)
                assert (entry["unread_count"], entry["last_read_seq"]) == (3, 0)
                while entry["mention_count"] != 1:  # the notices actor records it after
                    await trio.sleep(0.02)
                    entry = await room_entry(api, bob, room_id)
                mine = await room_entry(api, alice, room_id)
                assert mine["unread_count"] == 0  # one's own messages are not unread

                summary = (await api.get("/api/me/unread", headers=bearer(bob.token))).json()
                assert summary["total_unread"] == 3
                assert summary["total_mentions"] == 1
                assert [c["channel"] for c in summary["channels"]] == [channel]

                # Bob reads on his laptop (REST); his phone hears of it on user:<bob>.
                marked = await api.put(
                    "/api/me/read-positions", headers=bearer(bob.token),
                    json={"channel": channel, "up_to_seq": last.seq + 1000},
                )
                assert marked.status_code == 200, marked.text
                assert marked.json()["last_read_seq"] == last.seq  # clamped to the log
                event = await next_of(bob_phone, ReadReceipt)
                assert isinstance(event, ReadReceipt)
                assert (event.read_channel, event.up_to_seq) == (channel, last.seq)

                entry = await room_entry(api, bob, room_id)
                assert (entry["unread_count"], entry["mention_count"]) == (0, 0)
                # Never backwards, over the WebSocket too.
                await bob_phone.request(MarkRead, channel=channel, up_to_seq=1)
                assert (await room_entry(api, bob, room_id))["last_read_seq"] == last.seq
                await send(alice_client, channel, "one more")
    async with serve_test_node(tmp_path, **stores) as node:
        bob = await session_for(node, bob)
        async with httpx.AsyncClient(base_url=node.base_url) as api:
            entry = await room_entry(api, bob, room_id)
            assert (entry["unread_count"], entry["last_read_seq"]) == (1, last.seq)
            assert entry["mention_count"] == 0


async def test_presence_and_refusals(stores: dict[str, Any], tmp_path: Path) -> None:
    async with serve_test_node(tmp_path, **stores) as node:
        alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
        carol = await log_in_new_user(node, "carol")
        room_id = await make_room(node, alice, bob)
        async with (
            httpx.AsyncClient(base_url=node.base_url) as api,
            open_client(websocket_url(node), token=bob.token),
        ):
            with trio.fail_after(DEADLINE_S):
                path = f"/api/chat-rooms/{room_id}/presence"
                while True:
                    found = await api.get(path, headers=bearer(alice.token))
                    assert found.status_code == 200, found.text
                    status = {m["user_id"]: m["status"] for m in found.json()["members"]}
                    if status[bob.user_id] == "online":
                        break
                    await trio.sleep(0.02)
                assert status[alice.user_id] == "offline"
                assert (await api.get(path, headers=bearer(carol.token))).status_code == 403
                refused = await api.put(
                    "/api/me/read-positions", headers=bearer(carol.token),
                    json={"channel": f"chat_room:{room_id}", "up_to_seq": 1},
                )
                assert refused.status_code == 403
