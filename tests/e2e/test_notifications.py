"""Notifications over real WebSockets and REST: mentions (members only), @here (moderators
only), replies, direct messages, invitations, mutes, unread counts and read marks.

Absence is shown by order: a later notification that must come after the one that should
not exist arrives first (each feed is one actor, its mailbox first in, first out).
"""

from __future__ import annotations

import trio

from actors.chat.notices import notify_room_invitation
from bots.client import Client, open_client
from protocol.client_frames import MarkRead, SendMessage
from protocol.control_frames import Ack, MessageAccepted
from protocol.feed_events import Notification
from tests.e2e.chat_support import make_room, send
from tests.e2e.conftest import LoggedIn, log_in_new_user, websocket_url
from tests.e2e.messaging_support import DEADLINE_S, api, next_of, send_direct
from tests.store_support import on_each_store
from topicsflow.node import NodeHandle

pytestmark = on_each_store("node")


async def feed(client: Client, user: LoggedIn, since_seq: int | None = None) -> str:
    """Subscribe ``client`` to its user's own feed; returns the channel."""
    channel = f"user:{user.user_id}"
    await client.subscribe(channel, since_seq=since_seq)
    return channel


async def test_mentions_reach_members_only(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    carol = await log_in_new_user(node, "carol")
    room_id = await make_room(node, alice, bob)
    room = f"chat_room:{room_id}"
    url = websocket_url(node)
    with trio.fail_after(DEADLINE_S):
        async with (
            open_client(url, token=alice.token) as alice_client,
            open_client(url, token=bob.token) as bob_client,
            open_client(url, token=carol.token) as carol_client,
        ):
            await feed(bob_client, bob)
            await feed(carol_client, carol)
            sent = await send(alice_client, room, "@carol @bob. see this, alice@example.org")
            mention = await next_of(bob_client, Notification)
            assert (mention.kind, mention.actor_id, mention.subject, mention.object_id) == (
                "mention", alice.user_id, room, sent.message_id,
            )
            assert "alice mentioned you" in mention.title
            await send_direct(alice_client, carol, "psst")
            first = await next_of(carol_client, Notification)
            assert first.kind == "direct_message"  # no mention: carol cannot see the room


async def test_here_notifies_members_only_when_a_moderator_says_it(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    carol = await log_in_new_user(node, "carol")
    room = f"chat_room:{await make_room(node, alice, bob, carol)}"
    url = websocket_url(node)
    with trio.fail_after(DEADLINE_S):
        async with (
            open_client(url, token=alice.token) as alice_client,
            open_client(url, token=bob.token) as bob_client,
            open_client(url, token=carol.token) as carol_client,
        ):
            await feed(bob_client, bob)
            await feed(carol_client, carol)
            await send(bob_client, room, "@here free pizza")
            await send(alice_client, room, "@here meeting now")
            for client in (bob_client, carol_client):
                notification = await next_of(client, Notification)
                assert (notification.kind, notification.actor_id) == ("mention", alice.user_id)


async def test_replies_notify_the_author_of_the_replied_message(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    room = f"chat_room:{await make_room(node, alice, bob)}"
    url = websocket_url(node)
    with trio.fail_after(DEADLINE_S):
        async with (
            open_client(url, token=alice.token) as alice_client,
            open_client(url, token=bob.token) as bob_client,
        ):
            await feed(bob_client, bob)
            question = await send(bob_client, room, "lunch?")
            await bob_client.request(
                SendMessage, channel=room, text="(answering myself)", reply_to=question.message_id
            )
            answer = await alice_client.request(
                SendMessage, channel=room, text="yes!", reply_to=question.message_id
            )
            assert isinstance(answer, Ack) and isinstance(answer.result, MessageAccepted)
            reply = await next_of(bob_client, Notification)
    assert (reply.kind, reply.actor_id, reply.object_id) == (
        "reply", alice.user_id, answer.result.message_id,
    )


async def test_mutes_of_rooms_and_conversations_are_honoured(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    room_id = await make_room(node, alice, bob)
    room = f"chat_room:{room_id}"
    url = websocket_url(node)
    with trio.fail_after(DEADLINE_S):
        async with (
            open_client(url, token=alice.token) as alice_client,
            open_client(url, token=bob.token) as bob_client,
            api(node, bob) as bob_api,
        ):
            await feed(bob_client, bob)
            muted = await bob_api.put(f"/api/notifications/mutes/rooms/{room_id}")
            assert (muted.status_code, muted.json()) == (200, {"muted": True})
            await send(alice_client, room, "@bob are you muted?")
            dm = await send_direct(alice_client, bob, "direct line")
            first = await next_of(bob_client, Notification)
            assert (first.kind, first.object_id) == ("direct_message", dm.message_id)

            conversation = dm.channel.removeprefix("dm:")
            path = f"/api/messages/conversations/{conversation}/mute"
            assert (await bob_api.put(path)).json() == {"muted": True}
            assert (await bob_api.get(path)).json() == {"muted": True}
            assert (await bob_api.delete(f"/api/notifications/mutes/rooms/{room_id}")
                    ).json() == {"muted": False}
            await send_direct(alice_client, bob, "muted conversation")
            await send(alice_client, room, "@bob now?")
            second = await next_of(bob_client, Notification)
            assert second.kind == "mention"
            not_a_member = await bob_api.put(
                f"/api/notifications/mutes/rooms/{await make_room(node, alice)}"
            )
            assert not_a_member.status_code == 403


async def test_invitations_unread_counts_and_read_marks(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    store, registry = node.context.store, node.context.registry
    assert store is not None and registry is not None
    room = await store.rooms.create(owner_id=alice.user_id, name="planning", is_private=True)
    url = websocket_url(node)
    with trio.fail_after(DEADLINE_S):
        async with (
            open_client(url, token=alice.token) as alice_client,
            open_client(url, token=bob.token) as bob_client,
            api(node, bob) as bob_api,
        ):
            channel = await feed(bob_client, bob)
            await notify_room_invitation(registry.ref, room, bob.user_id, alice.user_id)
            invite = await next_of(bob_client, Notification)
            assert (invite.kind, invite.object_id, invite.link) == (
                "invite", room.id, f"/rooms/{room.id}",
            )
            for number in range(3):
                await send_direct(alice_client, bob, f"message {number}")
            received = [await next_of(bob_client, Notification) for _ in range(3)]
            assert [n.seq for n in received] == [invite.seq + 1, invite.seq + 2, invite.seq + 3]
            count = await bob_api.get("/api/notifications/unread-count")
            assert count.json() == {"unread": 4}

            await bob_client.request(MarkRead, channel=channel, up_to_seq=received[0].seq)
            assert (await bob_api.get("/api/notifications/unread-count")).json() == {"unread": 2}
            unread = (await bob_api.get("/api/notifications", params={"unread": "true"})).json()
            assert [n["id"] for n in unread["notifications"]] == [
                received[2].notification_id, received[1].notification_id,
            ]
            marked = await bob_api.post(
                "/api/notifications/read", json={"ids": [received[2].notification_id]}
            )
            assert marked.json() == {"marked": 1}
            everything = await bob_api.post("/api/notifications/read", json={"all": True})
            assert everything.json() == {"marked": 1}
            page = (await bob_api.get("/api/notifications", params={"limit": 2})).json()
            assert [n["kind"] for n in page["notifications"]] == ["direct_message"] * 2
            assert all(n["read_at"] is not None for n in page["notifications"])
            older = (await bob_api.get(
                "/api/notifications", params={"cursor": page["next_cursor"]}
            )).json()
            assert [n["kind"] for n in older["notifications"]] == ["direct_message", "invite"]
            bad = await bob_api.post("/api/notifications/read", json={"ids": [], "x": 1})
            assert bad.status_code == 400
        async with open_client(url, token=bob.token) as bob_again:
            await feed(bob_again, bob, since_seq=invite.seq)
            replayed = [await next_of(bob_again, Notification) for _ in range(3)]
    assert [n.notification_id for n in replayed] == [n.notification_id for n in received]
