"""Direct messages over real WebSockets and REST: live delivery, history, read receipts,
blocks both ways, participants only, delete for me and unsend, bad input."""

from __future__ import annotations

import pytest
import trio

from bots.client import RequestFailed, open_client
from protocol.chat_events import (
    MessageCreated,
    MessageDeleted,
    MessageEdited,
    ReadReceipt,
    TypingChanged,
)
from protocol.client_frames import (
    ClientFrame,
    DeleteMessage,
    EditMessage,
    MarkRead,
    React,
    SendDirectMessage,
    SendMessage,
    Subscribe,
    Typing,
)
from protocol.control_frames import Ack, MessageAccepted
from protocol.enums import TypingState
from storage.keys import conversation_id
from tests.e2e.conftest import log_in_new_user, websocket_url
from tests.e2e.messaging_support import DEADLINE_S, api, next_of, raw_replies, send_direct
from tests.store_support import on_each_store
from topicsflow.node import NodeHandle

pytestmark = on_each_store("node")


async def test_a_conversation_is_live_sequenced_and_replayable(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    channel = f"dm:{conversation_id(alice.user_id, bob.user_id)}"
    url = websocket_url(node)
    with trio.fail_after(DEADLINE_S):
        async with (
            open_client(url, token=alice.token) as alice_client,
            open_client(url, token=bob.token) as bob_client,
        ):
            await bob_client.subscribe(channel)
            first = await send_direct(alice_client, bob, "hi bob", nonce="n-1")
            assert first.channel == channel
            created = await next_of(bob_client, MessageCreated)
            assert (created.seq, created.message.text, created.message.author_id) == (
                first.seq, "hi bob", alice.user_id,
            )
            assert created.message.nonce == "n-1"
            again = await send_direct(alice_client, bob, "hi bob", nonce="n-1")
            assert again == first

            await bob_client.request(Typing, channel=channel)
            await alice_client.subscribe(channel)
            await bob_client.request(Typing, channel=channel, state=TypingState.STOP)
            typing = await next_of(alice_client, TypingChanged)
            assert (typing.user_id, typing.state) == (bob.user_id, TypingState.STOP)
            reply = await bob_client.request(SendMessage, channel=channel, text="hi alice")
            assert isinstance(reply, Ack) and isinstance(reply.result, MessageAccepted)
            await next_of(bob_client, MessageCreated)
            edit = await alice_client.request(
                EditMessage, channel=channel, message_id=first.message_id, text="hello bob"
            )
            edited = await next_of(bob_client, MessageEdited)
            assert edited.message.text == "hello bob" and edited.message.edited_at is not None
            assert isinstance(edit, Ack) and isinstance(edit.result, MessageAccepted)
            assert edit.result.seq == edited.seq

            with pytest.raises(RequestFailed) as not_author:
                await bob_client.request(
                    DeleteMessage, channel=channel, message_id=first.message_id
                )
            assert not_author.value.code == "forbidden"
            await alice_client.request(DeleteMessage, channel=channel, message_id=first.message_id)
            deleted = await next_of(bob_client, MessageDeleted)
            assert (deleted.message_id, deleted.deleted_by) == (first.message_id, alice.user_id)
            with pytest.raises(RequestFailed) as gone:
                await alice_client.request(
                    EditMessage, channel=channel, message_id=first.message_id, text="back"
                )
            assert gone.value.code == "conflict"
        async with open_client(url, token=bob.token) as bob_again:
            subscribed = await bob_again.subscribe(channel, since_seq=0)
            replayed = [await bob_again.next_event() for _ in range(4)]
    assert (subscribed.complete, subscribed.last_seq) == (True, 4)
    assert [type(event).__name__ for event in replayed] == [
        "MessageCreated", "MessageCreated", "MessageEdited", "MessageDeleted",
    ]
    assert [getattr(event, "seq", None) for event in replayed] == [1, 2, 3, 4]
    unsent = replayed[0]
    assert isinstance(unsent, MessageCreated) and unsent.message.text == ""


async def test_read_receipts_reach_the_sender_and_unread_counts_follow(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    conversation = conversation_id(alice.user_id, bob.user_id)
    channel = f"dm:{conversation}"
    url = websocket_url(node)
    with trio.fail_after(DEADLINE_S):
        async with (
            open_client(url, token=alice.token) as alice_client,
            open_client(url, token=bob.token) as bob_client,
            api(node, bob) as bob_api,
        ):
            await alice_client.subscribe(channel)
            for number in range(3):
                await send_direct(alice_client, bob, f"message {number}")
            listed = (await bob_api.get("/api/messages/conversations")).json()
            assert listed["unread_total"] == 3
            assert [(row["id"], row["other_user_id"], row["unread_count"])
                    for row in listed["conversations"]] == [(conversation, alice.user_id, 3)]

            await bob_client.request(MarkRead, channel=channel, up_to_seq=2)
            receipt = await next_of(alice_client, ReadReceipt)
            assert (receipt.user_id, receipt.up_to_seq) == (bob.user_id, 2)
            listed = (await bob_api.get("/api/messages/conversations")).json()
            assert listed["conversations"][0]["unread_count"] == 1

            await bob_client.request(MarkRead, channel=channel, up_to_seq=1)
            assert (await bob_api.post(f"/api/messages/conversations/{conversation}/read")
                    ).status_code == 200
            receipt = await next_of(alice_client, ReadReceipt)
            assert receipt.up_to_seq == 3  # the lower mark changed nothing and told no one
            assert (await bob_api.get("/api/messages/conversations")).json()["unread_total"] == 0


async def test_blocking_forbids_messages_both_ways(node: NodeHandle) -> None:
    carol, dave = await log_in_new_user(node, "carol"), await log_in_new_user(node, "dave")
    url = websocket_url(node)
    with trio.fail_after(DEADLINE_S):
        async with (
            open_client(url, token=carol.token) as carol_client,
            open_client(url, token=dave.token) as dave_client,
            api(node, carol) as carol_api,
        ):
            sent = await send_direct(dave_client, carol, "before the block")
            blocked = await carol_api.put(f"/api/users/me/blocks/{dave.user_id}")
            assert blocked.status_code == 200
            for sender, recipient in ((dave_client, carol), (carol_client, dave)):
                with pytest.raises(RequestFailed) as refused:
                    await send_direct(sender, recipient, "hello?")
                assert refused.value.code == "forbidden"
            with pytest.raises(RequestFailed) as no_edit:
                await dave_client.request(
                    EditMessage, channel=sent.channel, message_id=sent.message_id, text="edited"
                )
            assert no_edit.value.code == "forbidden"
            unsent = await dave_client.request(
                DeleteMessage, channel=sent.channel, message_id=sent.message_id
            )
            assert isinstance(unsent, Ack)  # taking one's words back stays possible
            assert (await carol_api.delete(f"/api/users/me/blocks/{dave.user_id}")
                    ).status_code == 200
            await send_direct(dave_client, carol, "after the unblock")


async def test_only_the_two_participants_read_or_write(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    eve = await log_in_new_user(node, "eve")
    conversation = conversation_id(alice.user_id, bob.user_id)
    channel = f"dm:{conversation}"
    url = websocket_url(node)
    with trio.fail_after(DEADLINE_S):
        async with (
            open_client(url, token=alice.token) as alice_client,
            open_client(url, token=eve.token) as eve_client,
            api(node, eve) as eve_api,
        ):
            sent = await send_direct(alice_client, bob, "just for bob")
            attempts: list[tuple[type[ClientFrame], dict[str, object]]] = [
                (Subscribe, {"channel": channel}),
                (SendMessage, {"channel": channel, "text": "me too"}),
                (EditMessage, {"channel": channel, "message_id": sent.message_id, "text": "x"}),
                (DeleteMessage, {"channel": channel, "message_id": sent.message_id}),
                (MarkRead, {"channel": channel, "up_to_seq": 1}),
                (Subscribe, {"channel": f"user:{alice.user_id}"}),
                (MarkRead, {"channel": f"user:{alice.user_id}", "up_to_seq": 1}),
            ]
            for frame_type, fields in attempts:
                with pytest.raises(RequestFailed) as refused:
                    await eve_client.request(frame_type, **fields)
                assert refused.value.code == "forbidden", frame_type
            history = await eve_api.get(f"/api/messages/conversations/{conversation}")
            assert history.status_code == 403
            assert history.json()["error"]["code"] == "forbidden"
            hide = await eve_api.delete(
                f"/api/messages/conversations/{conversation}/messages/{sent.message_id}"
            )
            assert hide.status_code == 403
            assert (await eve_api.get("/api/messages/conversations")).json()["conversations"] == []


async def test_delete_for_me_hides_only_from_me_and_history_pages(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    conversation = conversation_id(alice.user_id, bob.user_id)
    url = websocket_url(node)
    with trio.fail_after(DEADLINE_S):
        async with (
            open_client(url, token=alice.token) as alice_client,
            api(node, alice) as alice_api,
            api(node, bob) as bob_api,
        ):
            sent = [await send_direct(alice_client, bob, f"note {number}") for number in range(5)]
            hidden = await bob_api.delete(
                f"/api/messages/conversations/{conversation}/messages/{sent[1].message_id}",
                params={"scope": "me"},
            )
            assert hidden.status_code == 200
            page = (await bob_api.get(
                f"/api/messages/conversations/{conversation}", params={"limit": 2}
            )).json()
            assert [message["text"] for message in page["messages"]] == ["note 3", "note 4"]
            assert page["last_seq"] == 5 and page["channel"] == f"dm:{conversation}"
            older = (await bob_api.get(
                f"/api/messages/conversations/{conversation}",
                params={"limit": 10, "cursor": page["next_cursor"]},
            )).json()
            assert [message["text"] for message in older["messages"]] == ["note 0", "note 2"]
            assert older["next_cursor"] is None
            mine = (await alice_api.get(f"/api/messages/conversations/{conversation}")).json()
            assert len(mine["messages"]) == 5
            unsent = await alice_api.delete(
                f"/api/messages/conversations/{conversation}/messages/{sent[4].message_id}",
                params={"scope": "everyone"},
            )
            assert unsent.status_code == 200
            not_mine = await bob_api.delete(
                f"/api/messages/conversations/{conversation}/messages/{sent[3].message_id}",
                params={"scope": "everyone"},
            )
            assert not_mine.status_code == 403
        async with open_client(url, token=bob.token) as bob_client:
            await bob_client.subscribe(f"dm:{conversation}", since_seq=0)
            replayed = [await bob_client.next_event() for _ in range(6)]
    hidden_for_bob = replayed[1]
    assert isinstance(hidden_for_bob, MessageDeleted)
    assert hidden_for_bob.deleted_by == bob.user_id
    assert isinstance(replayed[5], MessageDeleted) and replayed[5].deleted_by == alice.user_id


async def test_bad_direct_messages_are_refused(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    channel = f"dm:{conversation_id(alice.user_id, bob.user_id)}"
    malformed = [
        {"recipient_id": bob.user_id, "text": "x" * 4001},
        {"recipient_id": bob.user_id, "text": "   "},
        {"recipient_id": "not a valid id", "text": "hi"},
        {"recipient_id": bob.user_id, "text": "hi", "colour": "red"},
        {"text": "to nobody"},
    ]
    with trio.fail_after(DEADLINE_S):
        replies = await raw_replies(
            node, alice,
            [{"type": "send_direct_message", "id": number, **fields}
             for number, fields in enumerate(malformed, start=1)],
        )
    assert [(reply["type"], reply["code"]) for reply in replies] == [("error", "invalid")] * 5
    refused: list[tuple[type[ClientFrame], dict[str, object], str]] = [
        (SendDirectMessage, {"recipient_id": alice.user_id, "text": "me"}, "invalid"),
        (SendDirectMessage, {"recipient_id": "0" * 26, "text": "anyone?"}, "not_found"),
        (SendDirectMessage,
         {"recipient_id": bob.user_id, "text": "re", "reply_to": "m1"}, "unsupported"),
        (SendDirectMessage,
         {"recipient_id": bob.user_id, "attachment_ids": ["0" * 26]}, "invalid"),
        (React, {"channel": channel, "message_id": "m1", "emoji": "👍"}, "unsupported"),
        (EditMessage, {"channel": channel, "message_id": "missing", "text": "x"}, "not_found"),
    ]
    with trio.fail_after(DEADLINE_S):
        async with open_client(websocket_url(node), token=alice.token) as client:
            for frame_type, fields, code in refused:
                with pytest.raises(RequestFailed) as refusal:
                    await client.request(frame_type, **fields)
                assert refusal.value.code == code, (frame_type, fields)
            await send_direct(client, bob, "still fine")
