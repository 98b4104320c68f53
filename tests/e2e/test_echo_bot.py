"""The example integration (bots/examples/echo_bot.py) against a real node, on every
store: a room message ``!echo …`` → webhook → the bot → its REST reply in the history."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import trio

from bots.examples.echo_bot import EchoBot, serve_bot
from tests.e2e.node_support import LoggedIn, log_in_new_user
from tests.e2e.webhook_support import WAIT_S, Nodes, free_port
from tests.store_support import MONGO, drop_mongo_database, on_each_store, requested_backend

pytestmark = on_each_store("node")


@pytest.fixture
async def node(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Nodes]:
    backend = requested_backend(request)
    try:
        yield Nodes(request, backend, tmp_path)
    finally:
        if backend == MONGO:
            await drop_mongo_database(
                request.getfixturevalue("mongodb_url"), request.getfixturevalue("unique_name")
            )


def auth(user: LoggedIn) -> dict[str, str]:
    return {"Authorization": f"Bearer {user.token}"}


async def test_the_echo_bot_answers_through_a_webhook_and_rest(node: Nodes) -> None:
    async with node.run() as handle, httpx.AsyncClient(base_url=handle.base_url) as http:
        alice = await log_in_new_user(handle, "alice")
        echo = await log_in_new_user(handle, "echo")
        room = await http.post("/api/chat-rooms", json={"name": "echoes"}, headers=auth(alice))
        room_id = room.json()["id"]
        invited = await http.post(
            f"/api/chat-rooms/{room_id}/invitations", json={"user_id": echo.user_id},
            headers=auth(alice),
        )
        assert invited.status_code == 200
        assert (await http.post(f"/api/chat-rooms/{room_id}/join", headers=auth(echo))).is_success

        port = free_port()
        created = await http.post(
            "/api/webhooks",
            json={"channel": f"chat_room:{room_id}", "url": f"http://127.0.0.1:{port}/",
                  "events": ["message_created"]},
            headers=auth(alice),
        )
        assert created.status_code == 201, created.text
        secret = created.json()["secret"]

        async with (
            httpx.AsyncClient(base_url=handle.base_url, headers=auth(echo)) as api,
            trio.open_nursery() as nursery,
        ):
            bot = EchoBot(api, secret)
            stop = trio.Event()
            await nursery.start(serve_bot, bot, "127.0.0.1", port, stop)
            sent = await http.post(
                f"/api/chat-rooms/{room_id}/messages", json={"text": "!echo hello there"},
                headers=auth(alice),
            )
            assert sent.status_code == 201
            await http.post(
                f"/api/chat-rooms/{room_id}/messages", json={"text": "no command here"},
                headers=auth(alice),
            )
            with trio.fail_after(WAIT_S):
                while not bot.replies:
                    await bot.replied.wait()
            assert bot.replies == [(room_id, "hello there")]
            stop.set()

        history = await http.get(f"/api/chat-rooms/{room_id}/messages", headers=auth(alice))
        messages = history.json()["messages"]
        by_author = [(message["author_id"], message["text"]) for message in messages]
        assert sorted(by_author) == sorted([
            (alice.user_id, "!echo hello there"),
            (alice.user_id, "no command here"),
            (echo.user_id, "hello there"),
        ])
        assert by_author.index((echo.user_id, "hello there")) > by_author.index(
            (alice.user_id, "!echo hello there")
        )
