"""Sending, editing, deleting and reacting over REST: the WebSocket path's rules, acks and
live events (issue 22), on both stores."""

from __future__ import annotations

import trio

from bots.client import open_client
from protocol.chat_events import MessageCreated, MessageDeleted, MessageEdited, ReactionChanged
from protocol.enums import ReactionAction
from storage.keys import conversation_id
from tests.e2e.chat_support import make_room
from tests.e2e.conftest import log_in_new_user, websocket_url
from tests.e2e.messaging_support import DEADLINE_S, api, next_of
from tests.store_support import on_each_store
from topicsflow.node import NodeHandle

pytestmark = on_each_store("node")


async def test_room_writes_over_rest_are_live_with_the_same_seqs(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    room_id = await make_room(node, alice, bob)
    channel = f"chat_room:{room_id}"
    base = f"/api/chat-rooms/{room_id}/messages"
    async with open_client(websocket_url(node), token=bob.token) as watcher, api(
        node, alice
    ) as http, api(node, bob) as bob_http:
        await watcher.subscribe(channel)
        with trio.fail_after(DEADLINE_S):
            sent = await http.post(base, json={"text": "hello over rest"},
                                   headers={"Idempotency-Key": "nonce-1"})
            assert sent.status_code == 201, sent.text
            body = sent.json()
            assert body["channel"] == channel
            assert body["message"]["text"] == "hello over rest"
            assert body["seq"] == body["message"]["seq"] >= 1
            created = await next_of(watcher, MessageCreated, channel)
            assert created.seq == body["seq"]
            assert created.message.text == "hello over rest"

            retried = await http.post(base, json={"text": "hello over rest"},
                                      headers={"Idempotency-Key": "nonce-1"})
            assert retried.status_code == 201
            assert retried.json()["seq"] == body["seq"]
            assert retried.json()["message"]["id"] == body["message"]["id"]
            history = (await http.get(base)).json()["messages"]
            assert [m["text"] for m in history].count("hello over rest") == 1

            message_id = body["message"]["id"]
            refused = await bob_http.patch(f"{base}/{message_id}", json={"text": "hijack"})
            assert refused.status_code == 403
            edited = await http.patch(f"{base}/{message_id}", json={"text": "edited text"})
            assert edited.status_code == 200, edited.text
            assert edited.json()["message"]["text"] == "edited text"
            event = await next_of(watcher, MessageEdited, channel)
            assert event.seq == edited.json()["seq"] > body["seq"]
            assert event.message.text == "edited text"

            reacted = await bob_http.post(f"{base}/{message_id}/reactions", json={"emoji": "👍"})
            assert reacted.status_code == 200, reacted.text
            assert reacted.json()["message"]["reactions"] == [
                {"emoji": "👍", "count": 1, "user_ids": [bob.user_id]}
            ]
            change = await next_of(watcher, ReactionChanged, channel)
            assert (change.seq, change.emoji, change.action, change.count) == (
                reacted.json()["seq"], "👍", ReactionAction.ADD, 1
            )

            deleted = await http.delete(f"{base}/{message_id}")
            assert deleted.status_code == 200, deleted.text
            assert deleted.json()["message"]["deleted"] is True
            gone = await next_of(watcher, MessageDeleted, channel)
            assert (gone.seq, gone.message_id) == (deleted.json()["seq"], message_id)


async def test_room_sends_keep_the_rules_of_the_websocket_path(node: NodeHandle) -> None:
    alice, mallory = await log_in_new_user(node, "alice"), await log_in_new_user(node, "mallory")
    room_id = await make_room(node, alice)
    base = f"/api/chat-rooms/{room_id}/messages"
    async with api(node, alice) as http, api(node, mallory) as outsider:
        assert (await outsider.post(base, json={"text": "let me in"})).status_code == 403
        assert (await http.post(base, json={"text": "   "})).status_code == 400
        bad_key = await http.post(base, json={"text": "x"}, headers={"Idempotency-Key": "a b"})
        assert bad_key.status_code == 400
        statuses = [
            (await http.post(base, json={"text": f"flood {number}"})).status_code
            for number in range(12)
        ]
        assert statuses[:10] == [201] * 10  # the room's flood burst, as on the WebSocket
        assert statuses[10:] == [429, 429]


async def test_direct_messages_over_rest_are_live_and_idempotent(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    mallory = await log_in_new_user(node, "mallory")
    conversation = conversation_id(alice.user_id, bob.user_id)
    channel = f"dm:{conversation}"
    async with open_client(websocket_url(node), token=bob.token) as watcher, api(
        node, alice
    ) as http, api(node, mallory) as outsider:
        await watcher.subscribe(channel)
        with trio.fail_after(DEADLINE_S):
            first = await http.post("/api/messages/direct",
                                    json={"recipient_id": bob.user_id, "text": "hi bob"},
                                    headers={"Idempotency-Key": "dm-1"})
            assert first.status_code == 201, first.text
            created = await next_of(watcher, MessageCreated, channel)
            assert created.seq == first.json()["seq"]
            assert created.message.id == first.json()["message"]["id"]
            again = await http.post(f"/api/messages/conversations/{conversation}/messages",
                                    json={"text": "hi bob"}, headers={"Idempotency-Key": "dm-1"})
            assert again.json()["message"]["id"] == first.json()["message"]["id"]
            history = (await http.get(f"/api/messages/conversations/{conversation}")).json()
            assert [m["text"] for m in history["messages"]] == ["hi bob"]

            message_id = first.json()["message"]["id"]
            edited = await http.patch(
                f"/api/messages/conversations/{conversation}/messages/{message_id}",
                json={"text": "hello bob"},
            )
            assert edited.status_code == 200, edited.text
            event = await next_of(watcher, MessageEdited, channel)
            assert (event.seq, event.message.text) == (edited.json()["seq"], "hello bob")
            unsent = await http.delete(
                f"/api/messages/conversations/{conversation}/messages/{message_id}",
                params={"scope": "everyone"},
            )
            assert unsent.status_code == 200
            assert (await next_of(watcher, MessageDeleted, channel)).message_id == message_id

        snoop = await outsider.post(f"/api/messages/conversations/{conversation}/messages",
                                    json={"text": "hi"})
        assert snoop.status_code == 403
        to_self = await http.post("/api/messages/direct",
                                  json={"recipient_id": alice.user_id, "text": "me"})
        assert to_self.status_code == 400
