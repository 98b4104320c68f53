"""Chat features over real WebSockets: edits, deletions, reactions, typing, read receipts."""

from __future__ import annotations

import pytest
import trio

from actors.chat_room import CHAT_ROOM
from actors.chat_room_commands import PostMessage
from actors.errors import ActorCrashed, ActorStopped
from bots.client import Client, RequestFailed, open_client
from protocol.chat_events import (
    MessageCreated,
    MessageDeleted,
    MessageEdited,
    ReactionChanged,
    ReadReceipt,
    TypingChanged,
)
from protocol.client_frames import DeleteMessage, EditMessage, MarkRead, React, Typing
from protocol.control_frames import Ack, MessageAccepted
from protocol.enums import ReactionAction, TypingState
from protocol.server_frames import ServerFrame
from supervisors.node import NodeHandle
from tests.e2e.conftest import log_in_new_user, websocket_url
from tests.e2e.test_chat_realtime import make_room, send

DEADLINE_S = 30


async def next_of(client: Client, event_type: type[ServerFrame]) -> ServerFrame:
    while True:
        event = await client.next_event()
        if isinstance(event, event_type):
            return event


async def test_edit_delete_react_typing_and_receipts_reach_the_room(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    room_id = await make_room(node, alice, bob)
    channel = f"chat_room:{room_id}"
    url = websocket_url(node)
    with trio.fail_after(DEADLINE_S):
        async with (
            open_client(url, token=alice.token) as alice_client,
            open_client(url, token=bob.token) as bob_client,
        ):
            await alice_client.subscribe(channel)
            await bob_client.subscribe(channel)
            sent = await send(alice_client, channel, "helo")
            await next_of(bob_client, MessageCreated)

            edit = await alice_client.request(
                EditMessage, channel=channel, message_id=sent.message_id, text="hello"
            )
            edited = await next_of(bob_client, MessageEdited)
            assert isinstance(edited, MessageEdited)
            assert edited.message.text == "hello"
            assert edited.message.edited_at is not None
            assert isinstance(edit, Ack)
            assert isinstance(edit.result, MessageAccepted)
            assert edited.seq == edit.result.seq

            with pytest.raises(RequestFailed) as not_author:
                await bob_client.request(
                    EditMessage, channel=channel, message_id=sent.message_id, text="mine now"
                )
            assert not_author.value.code == "forbidden"

            await bob_client.request(
                React, channel=channel, message_id=sent.message_id, emoji="👍"
            )
            reaction = await next_of(alice_client, ReactionChanged)
            assert isinstance(reaction, ReactionChanged)
            assert (reaction.user_id, reaction.count, reaction.action) == (
                bob.user_id, 1, ReactionAction.ADD,
            )

            await bob_client.request(Typing, channel=channel, state=TypingState.START)
            typing = await next_of(alice_client, TypingChanged)
            assert isinstance(typing, TypingChanged)
            assert typing.user_id == bob.user_id

            await bob_client.request(MarkRead, channel=channel, up_to_seq=edited.seq)
            receipt = await next_of(alice_client, ReadReceipt)
            assert isinstance(receipt, ReadReceipt)
            assert (receipt.user_id, receipt.up_to_seq) == (bob.user_id, edited.seq)

            await alice_client.request(DeleteMessage, channel=channel, message_id=sent.message_id)
            deleted = await next_of(bob_client, MessageDeleted)
            assert isinstance(deleted, MessageDeleted)
            assert deleted.message_id == sent.message_id
            with pytest.raises(RequestFailed) as gone:
                await bob_client.request(
                    React, channel=channel, message_id=sent.message_id, emoji="👍"
                )
            assert gone.value.code == "conflict"
            with pytest.raises(RequestFailed) as unknown:
                await bob_client.request(
                    React, channel=channel, message_id="s999", emoji="👍"
                )
            assert unknown.value.code == "not_found"


async def test_a_resume_replays_edits_and_reactions_as_they_happened(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    room_id = await make_room(node, alice, bob)
    channel = f"chat_room:{room_id}"
    url = websocket_url(node)
    with trio.fail_after(DEADLINE_S):
        async with open_client(url, token=alice.token) as alice_client:
            sent = await send(alice_client, channel, "first")
            await alice_client.request(
                EditMessage, channel=channel, message_id=sent.message_id, text="first!"
            )
            await alice_client.request(
                React, channel=channel, message_id=sent.message_id, emoji="🎉"
            )
        async with open_client(url, token=bob.token) as bob_client:
            subscribed = await bob_client.subscribe(channel, since_seq=0)
            replayed = [await bob_client.next_event() for _ in range(4)]
    assert subscribed.complete
    assert [type(event).__name__ for event in replayed] == [
        "MemberJoined", "MessageCreated", "MessageEdited", "ReactionChanged",
    ]
    assert [getattr(event, "seq", None) for event in replayed] == [1, 2, 3, 4]


async def test_a_room_crash_during_a_burst_loses_no_acknowledged_message(
    node: NodeHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await log_in_new_user(node, "alice")
    room_id = await make_room(node, alice)
    store, registry = node.context.store, node.context.registry
    assert store is not None
    assert registry is not None
    room = registry.ref(CHAT_ROOM, room_id)
    real_append = store.messages.append
    calls = 0

    async def flaky_append(*arguments: object, **keywords: object) -> object:
        nonlocal calls
        calls += 1
        if calls % 7 == 0:
            raise RuntimeError("storage hiccup")
        return await real_append(*arguments, **keywords)  # type: ignore[arg-type]

    monkeypatch.setattr(store.messages, "append", flaky_append)
    acknowledged: list[str] = []
    crashed = 0

    async def sender(number: int) -> None:
        nonlocal crashed
        try:
            await room.ask(PostMessage(user_id=alice.user_id, text=f"burst {number}"))
        except (ActorCrashed, ActorStopped):
            crashed += 1  # not acknowledged: it may or may not be stored, never twice
        else:
            acknowledged.append(f"burst {number}")

    with trio.fail_after(DEADLINE_S):
        async with trio.open_nursery() as nursery:
            for number in range(40):
                nursery.start_soon(sender, number)
    stored = await store.messages.since(room_id, after_seq=0, limit=1000)
    texts = [row.body for row in stored if row.kind == "text"]
    assert crashed > 0
    assert sorted(texts) == sorted(acknowledged)  # the hiccup strikes before the write
    assert len(texts) == len(set(texts))
    assert [row.seq for row in stored] == list(range(1, len(stored) + 1))
