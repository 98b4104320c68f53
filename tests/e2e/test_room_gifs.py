"""A GIF in a room message is kept: sent over the WebSocket or REST, it reaches the
subscribers live and stays in the history; deleting the message removes it.  (The room
used to drop ``gif_url``: a GIF-only message was stored empty.)"""

from __future__ import annotations

import httpx
import trio

from bots.client import open_client
from protocol import SendMessage
from protocol.chat_events import MessageCreated
from protocol.control_frames import Ack, MessageAccepted
from tests.e2e.chat_support import make_room
from tests.e2e.conftest import log_in_new_user, websocket_url
from tests.e2e.file_support import bearer
from tests.store_support import on_each_store
from topicsflow.node import NodeHandle

pytestmark = on_each_store("node")

GIF = "https://media.example/cat.gif"
OTHER_GIF = "https://media.example/dog.gif"


async def test_a_gif_is_delivered_kept_and_deleted_with_its_message(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    room_id = await make_room(node, alice, bob)
    channel = f"chat_room:{room_id}"
    with trio.fail_after(30):
        async with (
            open_client(websocket_url(node), token=alice.token) as sender,
            open_client(websocket_url(node), token=bob.token) as reader,
            httpx.AsyncClient(base_url=node.base_url) as api,
        ):
            await reader.subscribe(channel)
            reply = await sender.request(SendMessage, channel=channel, gif_url=GIF)
            assert isinstance(reply, Ack) and isinstance(reply.result, MessageAccepted)
            live = await reader.next_event()
            while not isinstance(live, MessageCreated):
                live = await reader.next_event()
            assert (live.message.gif_url, live.message.text) == (GIF, "")

            sent = await api.post(f"/api/chat-rooms/{room_id}/messages",
                                  json={"gif_url": OTHER_GIF}, headers=bearer(alice.token))
            assert sent.status_code == 201, sent.text
            assert sent.json()["message"]["gif_url"] == OTHER_GIF
            empty = await api.post(f"/api/chat-rooms/{room_id}/messages", json={},
                                   headers=bearer(alice.token))
            assert empty.status_code == 400

            history = (await api.get(f"/api/chat-rooms/{room_id}/messages",
                                     headers=bearer(bob.token))).json()["messages"]
            assert [message["gif_url"] for message in history][-2:] == [GIF, OTHER_GIF]

            first_id = history[-2]["id"]
            deleted = await api.delete(f"/api/chat-rooms/{room_id}/messages/{first_id}",
                                       headers=bearer(alice.token))
            assert deleted.status_code in (200, 204), deleted.text
            after = (await api.get(f"/api/chat-rooms/{room_id}/messages",
                                   headers=bearer(bob.token))).json()["messages"]
            assert [message["gif_url"] for message in after][-2:] == [None, OTHER_GIF]
