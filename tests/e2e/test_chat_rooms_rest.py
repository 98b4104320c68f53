"""Chat rooms over REST, and the privacy of a private room on every read path."""

from __future__ import annotations

import httpx
import pytest
import trio

from bots.client import RequestFailed, open_client
from protocol.client_frames import EditMessage, MarkRead, React, SendMessage, Typing
from protocol.control_frames import Evicted
from protocol.feed_events import Notification
from tests.e2e.chat_support import send
from tests.e2e.conftest import LoggedIn, log_in_new_user, websocket_url
from tests.e2e.messaging_support import next_of
from topicsflow.node import NodeHandle


def auth(user: LoggedIn) -> dict[str, str]:
    return {"Authorization": f"Bearer {user.token}"}


async def test_room_lifecycle_over_rest(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        created = await http.post(
            "/api/chat-rooms",
            json={"name": "<b>Lounge</b> .*", "description": "ü"},
            headers=auth(alice),
        )
        assert created.status_code == 201
        room = created.json()
        assert room["name"] == "<b>Lounge</b> .*"  # hostile text is kept verbatim, as data
        assert room["is_private"] is True
        room_id = room["id"]

        refused = await http.post(f"/api/chat-rooms/{room_id}/join", headers=auth(bob))
        assert refused.status_code == 403
        invited = await http.post(
            f"/api/chat-rooms/{room_id}/invitations",
            json={"user_id": bob.user_id},
            headers=auth(alice),
        )
        assert invited.status_code == 200
        joined = await http.post(f"/api/chat-rooms/{room_id}/join", headers=auth(bob))
        assert joined.json()["message"] == "joined"

        async with open_client(websocket_url(node), token=alice.token) as client:
            channel = f"chat_room:{room_id}"
            for number in range(5):
                await send(client, channel, f"message {number}")
        page = await http.get(
            f"/api/chat-rooms/{room_id}/messages", params={"limit": 3}, headers=auth(bob)
        )
        body = page.json()
        assert [message["text"] for message in body["messages"]] == [
            "message 2",
            "message 3",
            "message 4",
        ]
        older = await http.get(
            f"/api/chat-rooms/{room_id}/messages",
            params={"cursor": body["next_cursor"], "limit": 3},
            headers=auth(bob),
        )
        assert [message["text"] for message in older.json()["messages"]] == [
            "message 0",
            "message 1",
        ]
        one = await http.get(
            f"/api/chat-rooms/{room_id}/messages/{body['messages'][0]['id']}",
            headers=auth(bob),
        )
        assert one.json()["text"] == "message 2"

        renamed = await http.patch(
            f"/api/chat-rooms/{room_id}", json={"name": "Salon"}, headers=auth(bob)
        )
        assert renamed.status_code == 403
        renamed = await http.patch(
            f"/api/chat-rooms/{room_id}", json={"name": "Salon"}, headers=auth(alice)
        )
        assert renamed.json()["name"] == "Salon"
        members = await http.get(f"/api/chat-rooms/{room_id}/members", headers=auth(bob))
        assert {member["user_id"] for member in members.json()["members"]} == {
            alice.user_id,
            bob.user_id,
        }
        mine = await http.get("/api/chat-rooms", headers=auth(bob))
        assert [listed["id"] for listed in mine.json()["rooms"]] == [room_id]

        async with open_client(websocket_url(node), token=bob.token) as bob_client:
            await bob_client.subscribe(f"chat_room:{room_id}")
            kicked = await http.post(
                f"/api/chat-rooms/{room_id}/kick",
                json={"user_id": bob.user_id},
                headers=auth(alice),
            )
            assert kicked.status_code == 200
            with trio.fail_after(10):
                evicted = await next_of(bob_client, Evicted)
            assert isinstance(evicted, Evicted)
        gone = await http.delete(f"/api/chat-rooms/{room_id}", headers=auth(alice))
        assert gone.status_code == 200
        after = await http.get(f"/api/chat-rooms/{room_id}", headers=auth(alice))
        assert after.status_code == 404


async def test_a_non_member_is_refused_on_every_read_path_of_a_private_room(
    node: NodeHandle,
) -> None:
    alice, mallory = await log_in_new_user(node, "alice"), await log_in_new_user(node, "mallory")
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        room_id = (
            await http.post("/api/chat-rooms", json={"name": "secret"}, headers=auth(alice))
        ).json()["id"]
        async with open_client(websocket_url(node), token=alice.token) as client:
            accepted = await send(client, f"chat_room:{room_id}", "top secret")
        for path in (
            f"/api/chat-rooms/{room_id}",
            f"/api/chat-rooms/{room_id}/members",
            f"/api/chat-rooms/{room_id}/messages",
            f"/api/chat-rooms/{room_id}/messages/{accepted.message_id}",
        ):
            response = await http.get(path, headers=auth(mallory))
            assert response.status_code == 403, path
            assert response.json()["error"]["code"] == "forbidden"
            assert "top secret" not in response.text
            anonymous = await http.get(path)
            assert anonymous.status_code == 401, path
    channel = f"chat_room:{room_id}"
    async with open_client(websocket_url(node), token=mallory.token) as intruder:
        for attempt in (
            intruder.subscribe(channel),
            intruder.subscribe(channel, since_seq=0),
            intruder.request(SendMessage, channel=channel, text="hi"),
            intruder.request(
                EditMessage, channel=channel, message_id=accepted.message_id, text="mine"
            ),
            intruder.request(React, channel=channel, message_id=accepted.message_id, emoji="x"),
            intruder.request(Typing, channel=channel),
            intruder.request(MarkRead, channel=channel, up_to_seq=1),
        ):
            with pytest.raises(RequestFailed) as refused:
                await attempt
            assert refused.value.code == "forbidden"


async def test_an_invitation_reaches_the_invitee_live(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        room_id = (
            await http.post("/api/chat-rooms", json={"name": "club"}, headers=auth(alice))
        ).json()["id"]
        async with open_client(websocket_url(node), token=bob.token) as bob_client:
            await bob_client.subscribe(f"user:{bob.user_id}")
            invited = await http.post(
                f"/api/chat-rooms/{room_id}/invitations",
                json={"user_id": bob.user_id},
                headers=auth(alice),
            )
            assert invited.status_code == 200
            with trio.fail_after(10):
                notice = await next_of(bob_client, Notification)
    assert isinstance(notice, Notification)
    assert notice.kind == "invite"
    assert notice.object_id == room_id
    assert notice.actor_id == alice.user_id


async def test_slow_mode_spaces_out_members_but_not_moderators(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        room_id = (
            await http.post("/api/chat-rooms", json={"name": "calm"}, headers=auth(alice))
        ).json()["id"]
        await http.post(
            f"/api/chat-rooms/{room_id}/invitations",
            json={"user_id": bob.user_id},
            headers=auth(alice),
        )
        await http.post(f"/api/chat-rooms/{room_id}/join", headers=auth(bob))
        slowed = await http.patch(
            f"/api/chat-rooms/{room_id}", json={"slow_mode_seconds": 600}, headers=auth(alice)
        )
        assert slowed.json()["slow_mode_seconds"] == 600
    channel = f"chat_room:{room_id}"
    url = websocket_url(node)
    async with (
        open_client(url, token=bob.token) as bob_client,
        open_client(url, token=alice.token) as alice_client,
    ):
        await send(bob_client, channel, "first")
        with pytest.raises(RequestFailed) as waiting:
            await send(bob_client, channel, "second")
        assert waiting.value.code == "rate_limited"
        assert waiting.value.retry_after_ms is not None
        assert waiting.value.retry_after_ms > 500_000
        await send(alice_client, channel, "moderators are not slowed")
        await send(alice_client, channel, "at all")
