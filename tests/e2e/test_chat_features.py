"""Chat features over real WebSockets: edits, deletions, reactions, typing, read receipts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import pytest
import trio

from actors.chat import members as chat_room_members
from actors.chat.commands import JoinRoom, KickMember, PostMessage
from actors.chat.members import MEMBER_PRELOAD
from actors.chat.room import CHAT_ROOM, FLOOD_BURST
from actors.runtime.errors import ActorCrashed, ActorStopped
from bots.client import RequestFailed, open_client
from protocol.broadcast import BroadcastFrame
from protocol.chat_events import (
    Kicked,
    MessageCreated,
    MessageDeleted,
    MessageEdited,
    ReactionChanged,
    ReadReceipt,
    TypingChanged,
)
from protocol.client_frames import DeleteMessage, EditMessage, MarkRead, React, Typing
from protocol.control_frames import Ack, Evicted, MessageAccepted
from protocol.enums import ReactionAction, TypingState
from services.errors import DomainError
from tests.e2e.chat_support import make_room, send
from tests.e2e.conftest import log_in_new_user, websocket_url
from tests.e2e.messaging_support import next_of
from topicsflow.node import NodeHandle

DEADLINE_S = 30


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


async def test_posts_queued_together_are_stored_at_once_and_answered_in_order(
    node: NodeHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    senders = [await log_in_new_user(node, f"user{number}") for number in range(3)]
    stranger = await log_in_new_user(node, "stranger")
    room_id = await make_room(node, *senders)
    store, registry = node.context.store, node.context.registry
    assert store is not None
    assert registry is not None
    batches: list[int] = []
    real_append_many = store.messages.append_many

    async def counting_append_many(
        room: str, drafts: list[object], **keywords: object
    ) -> object:
        batches.append(len(drafts))
        return await real_append_many(room, drafts, **keywords)  # type: ignore[arg-type]

    monkeypatch.setattr(store.messages, "append_many", counting_append_many)
    hub = node.context.hub
    assert hub is not None
    published_runs: list[list[int | None]] = []
    real_publish_many = hub.publish_many

    def recording_publish_many(channel: str, events: Sequence[BroadcastFrame]) -> int:
        published_runs.append([event.seq for event in events])
        return real_publish_many(channel, events)

    monkeypatch.setattr(hub, "publish_many", recording_publish_many)
    posts = [
        PostMessage(user_id=sender.user_id, text=f"{sender.username} {number}",
                    nonce=f"{sender.username}-{number}")
        for number in range(3) for sender in senders
    ]
    posts.insert(4, PostMessage(user_id=stranger.user_id, text="let me in"))
    posts.append(posts[0])  # a retry of the first post, in the same batch
    room = registry.ref(CHAT_ROOM, room_id)
    replies: list[object] = [None] * len(posts)

    async def ask(index: int) -> None:
        try:
            replies[index] = await room.ask(posts[index])
        except DomainError as refusal:
            replies[index] = refusal

    with trio.fail_after(DEADLINE_S):
        async with trio.open_nursery() as nursery:  # all queue while the room activates
            for index in range(len(posts)):
                nursery.start_soon(ask, index)
    assert max(batches) > 1
    refusal = replies.pop(4)
    assert isinstance(refusal, DomainError)
    assert refusal.code == "forbidden"  # answered alone: the others went on
    assert replies[-1] == replies[0]  # the retry got the first answer, stored once
    texts = [post.text for post in posts[:4] + posts[5:-1]]
    accepted = dict(zip(texts, replies[:-1], strict=True))
    assert all(isinstance(reply, MessageAccepted) for reply in accepted.values())
    seqs = sorted(reply.seq for reply in accepted.values())  # type: ignore[union-attr]
    assert seqs == list(range(seqs[0], seqs[0] + len(texts)))
    assert [seq for run in published_runs for seq in run] == seqs  # each once, in order
    assert max(map(len, published_runs)) > 1  # a batch went out in one hub call
    stored = await store.messages.since(room_id, after_seq=0, limit=100)
    assert {row.body: row.seq for row in stored if row.kind == "text"} == {
        text: reply.seq for text, reply in accepted.items()  # type: ignore[union-attr]
    }


async def test_a_room_crash_during_a_burst_loses_no_acknowledged_message(
    node: NodeHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    senders = [await log_in_new_user(node, f"user{number}") for number in range(4)]
    room_id = await make_room(node, *senders)
    store, registry = node.context.store, node.context.registry
    assert store is not None
    assert registry is not None
    room = registry.ref(CHAT_ROOM, room_id)
    calls = 0

    def flaky(real: Callable[..., Awaitable[object]]) -> Callable[..., Awaitable[object]]:
        async def append(*arguments: object, **keywords: object) -> object:
            nonlocal calls
            calls += 1
            if calls % 3 == 0:
                raise RuntimeError("storage hiccup")
            return await real(*arguments, **keywords)

        return append

    # One post is stored by append, posts queued together by append_many (a batch).
    monkeypatch.setattr(store.messages, "append", flaky(store.messages.append))
    monkeypatch.setattr(store.messages, "append_many", flaky(store.messages.append_many))
    acknowledged: list[str] = []
    crashed = 0

    async def send_one(user_id: str, text: str) -> None:
        nonlocal crashed
        try:
            await room.ask(PostMessage(user_id=user_id, text=text))
        except (ActorCrashed, ActorStopped):
            crashed += 1  # not acknowledged: it may or may not be stored, never twice
        else:
            acknowledged.append(text)

    with trio.fail_after(DEADLINE_S):
        for number in range(FLOOD_BURST):  # waves of concurrent posts: one batch or a few each
            async with trio.open_nursery() as nursery:
                for sender in senders:
                    nursery.start_soon(send_one, sender.user_id, f"{sender.username} {number}")
    stored = await store.messages.since(room_id, after_seq=0, limit=1000)
    texts = [row.body for row in stored if row.kind == "text"]
    assert crashed > 0
    assert sorted(texts) == sorted(acknowledged)  # the hiccup strikes before the write
    assert len(texts) == len(set(texts))
    assert [row.seq for row in stored] == list(range(1, len(stored) + 1))


async def test_a_kick_evicts_the_live_subscription_and_a_ban_blocks_rejoining(
    node: NodeHandle,
) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    room_id = await make_room(node, alice, bob)
    channel = f"chat_room:{room_id}"
    registry = node.context.registry
    assert registry is not None
    room = registry.ref(CHAT_ROOM, room_id)
    with trio.fail_after(DEADLINE_S):
        async with open_client(websocket_url(node), token=bob.token) as bob_client:
            await bob_client.subscribe(channel)
            with pytest.raises(DomainError) as not_moderator:
                await room.ask(KickMember(moderator_id=bob.user_id, user_id=alice.user_id))
            assert not_moderator.value.code == "forbidden"
            await room.ask(
                KickMember(moderator_id=alice.user_id, user_id=bob.user_id, ban=True,
                           reason="spam")
            )
            kicked = await next_of(bob_client, Kicked)
            evicted = await next_of(bob_client, Evicted)
            assert isinstance(kicked, Kicked)
            assert (kicked.user_id, kicked.banned, kicked.reason) == (bob.user_id, True, "spam")
            assert isinstance(evicted, Evicted)
            assert (evicted.channel, evicted.reason) == (channel, "banned")
            with pytest.raises(RequestFailed) as refused:
                await send(bob_client, channel, "still here?")
            assert refused.value.code == "forbidden"
            with pytest.raises(RequestFailed) as resubscribe:
                await bob_client.subscribe(channel)
            assert resubscribe.value.code == "forbidden"
    with pytest.raises(DomainError) as rejoin:
        await room.ask(JoinRoom(user_id=bob.user_id))
    assert rejoin.value.code == "forbidden"


@pytest.mark.parametrize("preload", [MEMBER_PRELOAD, 0], ids=["preloaded", "too-large"])
async def test_a_member_is_looked_up_once_at_most_not_per_message(
    node: NodeHandle, monkeypatch: pytest.MonkeyPatch, preload: int
) -> None:
    monkeypatch.setattr(chat_room_members, "MEMBER_PRELOAD", preload)
    alice = await log_in_new_user(node, "alice")
    channel = f"chat_room:{await make_room(node, alice)}"
    store = node.context.store
    assert store is not None
    members = store.rooms.members
    looked_up: list[tuple[str, str]] = []
    get, get_ban = members.get, members.get_ban

    async def counting_get(scope_id: str, user_id: str) -> object:
        looked_up.append(("member", user_id))
        return await get(scope_id, user_id)

    async def counting_get_ban(scope_id: str, user_id: str) -> object:
        looked_up.append(("ban", user_id))
        return await get_ban(scope_id, user_id)

    monkeypatch.setattr(members, "get", counting_get)
    monkeypatch.setattr(members, "get_ban", counting_get_ban)
    with trio.fail_after(DEADLINE_S):
        async with open_client(websocket_url(node), token=alice.token) as client:
            for text in ("one", "two", "three"):
                await send(client, channel, text)
    # A small room reads all its members when its actor starts; a larger one reads each
    # member's row and ban once, on their first command.
    assert looked_up == ([] if preload else [("member", alice.user_id), ("ban", alice.user_id)])


async def test_flooding_a_room_is_rate_limited_per_user(node: NodeHandle) -> None:
    alice = await log_in_new_user(node, "alice")
    room_id = await make_room(node, alice)
    channel = f"chat_room:{room_id}"
    async with open_client(websocket_url(node), token=alice.token) as client:
        for number in range(FLOOD_BURST):
            await send(client, channel, f"message {number}")
        with pytest.raises(RequestFailed) as limited:
            await send(client, channel, "one too many")
    assert limited.value.code == "rate_limited"
    assert limited.value.retry_after_ms is not None
    assert limited.value.retry_after_ms > 0


async def test_a_typist_who_disconnects_stops_typing_for_everyone(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    room_id = await make_room(node, alice, bob)
    channel = f"chat_room:{room_id}"
    url = websocket_url(node)
    with trio.fail_after(DEADLINE_S):
        async with open_client(url, token=alice.token) as alice_client:
            await alice_client.subscribe(channel)
            async with open_client(url, token=bob.token, reconnect=False) as bob_client:
                await bob_client.request(Typing, channel=channel, state=TypingState.START)
                started = await next_of(alice_client, TypingChanged)
                assert isinstance(started, TypingChanged)
                assert started.state is TypingState.START
            stopped = await next_of(alice_client, TypingChanged)
    assert isinstance(stopped, TypingChanged)
    assert (stopped.user_id, stopped.state) == (bob.user_id, TypingState.STOP)
