"""Contract: chat rooms, room messages, direct messages."""

from __future__ import annotations

import pytest
import trio

from storage import Conflict, NotFound, Store, conversation_id
from storage.records import MessageDraft
from tests.unit.storage.support import FakeClock, unique

UNICODE_BODIES = [
    "emoji 👩‍👩‍👧 🎉",
    "שלום עולם",
    "مرحبا",
    "e\u0301 n\u0303 a\u030a",
    "\U0001d518\U0001d52b\U0001d526",
]  # mathematical fraktur, outside the BMP


def draft(body: str, author: str = "a") -> MessageDraft:
    return MessageDraft(author_id=author, body=body)


async def test_rooms(store: Store) -> None:
    topic = await store.topics.create(owner_id="o", title=unique("topic"))
    room = await store.rooms.create(owner_id="o", name="general", topic_id=topic.id)
    group = await store.rooms.create(owner_id="o", name="friends 👫")
    assert (room.kind, room.is_private, group.kind, group.is_private) == (
        "topic",
        False,
        "group",
        True,
    )
    assert await store.rooms.get(room.id) == room
    updated = await store.rooms.update(room.id, name="lobby", description="hi")
    assert (updated.name, updated.description) == ("lobby", "hi")
    assert updated.slow_mode_seconds == 0
    slowed = await store.rooms.update(room.id, slow_mode_seconds=30)
    assert (slowed.slow_mode_seconds, slowed.name) == (30, "lobby")
    assert (await store.rooms.get(room.id)).slow_mode_seconds == 30
    assert [r.id for r in await store.rooms.list_for_topic(topic.id)] == [room.id]
    assert [r.id for r in await store.rooms.get_many([group.id, room.id])] == [group.id, room.id]
    assert await store.rooms.members.join(group.id, "friend")
    assert not await store.rooms.members.join(group.id, "friend")
    assert (await store.rooms.get(group.id)).member_count == 2
    owner = await store.rooms.members.get(group.id, "o")
    assert owner is not None and owner.role == "owner"
    await store.rooms.members.ban(group.id, "friend", banned_by="o")
    assert (await store.rooms.get(group.id)).member_count == 1
    assert await store.rooms.members.get_ban(group.id, "friend") is not None
    assert await store.topics.members.get_ban(group.id, "friend") is None
    await store.rooms.delete(room.id)
    with pytest.raises(NotFound):
        await store.rooms.get(room.id)
    assert await store.rooms.list_for_topic(topic.id) == []


async def test_append_assigns_sequence(store: Store) -> None:
    room_id = unique("room")
    assert await store.messages.last_seq(room_id) == 0
    first = await store.messages.append(room_id, draft("one"))
    second = await store.messages.append(room_id, draft("two"))
    assert (first.seq, second.seq) == (1, 2)
    batch = await store.messages.append_many(room_id, [draft(f"b{i}") for i in range(5)])
    assert [message.seq for message in batch] == [3, 4, 5, 6, 7]
    assert await store.messages.append_many(room_id, []) == []
    assert await store.messages.last_seq(room_id) == 7
    assert await store.messages.get(room_id, 4) == batch[1]
    other = await store.messages.append(unique("room"), draft("elsewhere"))
    assert other.seq == 1
    with pytest.raises(NotFound):
        await store.messages.get(room_id, 99)


async def test_concurrent_appends_are_gap_free(store: Store) -> None:
    room_id = unique("busy")
    seqs: list[int] = []

    async def append(index: int) -> None:
        message = await store.messages.append(room_id, draft(str(index), author=f"u{index}"))
        seqs.append(message.seq)

    async with trio.open_nursery() as nursery:
        for index in range(100):
            nursery.start_soon(append, index)
    assert sorted(seqs) == list(range(1, 101))
    stored = await store.messages.since(room_id, after_seq=0, limit=1000)
    assert [message.seq for message in stored] == list(range(1, 101))
    assert sorted(int(message.body) for message in stored) == list(range(100))


async def test_paging(store: Store) -> None:
    room_id = unique("pages")
    assert await store.messages.page_before(room_id) == []
    assert await store.messages.since(room_id, after_seq=0) == []
    await store.messages.append_many(room_id, [draft(str(i)) for i in range(1, 11)])

    async def before(before_seq: int | None, limit: int) -> list[int]:
        page = await store.messages.page_before(room_id, before_seq=before_seq, limit=limit)
        return [message.seq for message in page]

    assert await before(None, 3) == [8, 9, 10]
    assert await before(8, 3) == [5, 6, 7]
    assert await before(3, 3) == [1, 2]
    assert await before(1, 3) == []
    assert await before(None, 10) == list(range(1, 11))
    assert await before(11, 10) == list(range(1, 11))
    since = [m.seq for m in await store.messages.since(room_id, after_seq=7, limit=2)]
    assert since == [8, 9]
    assert await store.messages.since(room_id, after_seq=10) == []


async def test_edit_delete_react(store: Store, clock: FakeClock) -> None:
    room_id = unique("room")
    message = await store.messages.append(room_id, draft("hello"))
    clock.advance(2)
    edited = await store.messages.edit(room_id, message.seq, body="hello, world")
    assert edited.edited_at == clock.now and [e.body for e in edited.edit_history] == ["hello"]
    reacted = await store.messages.add_reaction(room_id, 1, user_id="u1", emoji="👍")
    reacted = await store.messages.add_reaction(room_id, 1, user_id="u1", emoji="👍")
    reacted = await store.messages.add_reaction(room_id, 1, user_id="u2", emoji="👍")
    reacted = await store.messages.add_reaction(room_id, 1, user_id="u2", emoji="❤️")
    assert {(r.emoji, r.count) for r in reacted.reactions} == {("👍", 2), ("❤️", 1)}
    reacted = await store.messages.remove_reaction(room_id, 1, user_id="u2", emoji="❤️")
    reacted = await store.messages.remove_reaction(room_id, 1, user_id="u9", emoji="👍")
    assert [(r.emoji, r.user_ids) for r in reacted.reactions] == [("👍", ("u1", "u2"))]
    with pytest.raises(ValueError):
        await store.messages.add_reaction(room_id, 1, user_id="u1", emoji="")
    deleted = await store.messages.delete(room_id, 1)
    assert (deleted.seq, deleted.body, deleted.reactions) == (1, "", ())
    assert deleted.deleted_at is not None
    with pytest.raises(Conflict):
        await store.messages.edit(room_id, 1, body="again")
    assert [m.seq for m in await store.messages.page_before(room_id)] == [1]


async def test_unicode_round_trips(store: Store) -> None:
    room_id = unique("unicode")
    sent = await store.messages.append_many(room_id, [draft(body) for body in UNICODE_BODIES])
    assert [m.body for m in await store.messages.since(room_id, after_seq=0)] == UNICODE_BODIES
    assert [m.id for m in sent] == [m.id for m in await store.messages.page_before(room_id)]


async def test_direct_messages(store: Store, clock: FakeClock) -> None:
    alice, bob, carol = unique("alice"), unique("bob"), unique("carol")
    first = await store.direct_messages.send(sender_id=alice, recipient_id=bob, body="hi bob")
    clock.advance(1)
    await store.direct_messages.send(sender_id=bob, recipient_id=alice, body="hi alice 😊")
    clock.advance(1)
    await store.direct_messages.send(sender_id=alice, recipient_id=bob, body="how are you?")
    clock.advance(1)
    await store.direct_messages.send(sender_id=carol, recipient_id=bob, body="hey")
    assert first.conversation_id == conversation_id(bob, alice)
    assert await store.direct_messages.unread_count(bob) == 3
    conversations = await store.direct_messages.conversations(bob)
    assert [(c.user_ids[1], c.unread_count) for c in conversations] == [(carol, 1), (alice, 2)]
    assert await store.direct_messages.mark_read(first.conversation_id, bob) == 2
    assert await store.direct_messages.unread_count(bob) == 1
    assert (await store.direct_messages.get(first.id)).read_at == clock.now
    listed = await store.direct_messages.list_messages(first.conversation_id, viewer_id=alice)
    assert [m.body for m in listed] == ["hi bob", "hi alice 😊", "how are you?"]
    older = await store.direct_messages.list_messages(
        first.conversation_id, viewer_id=alice, before_id=listed[2].id, limit=1
    )
    assert [m.body for m in older] == ["hi alice 😊"]


async def test_direct_message_edit_hide_unsend(store: Store) -> None:
    alice, bob = unique("alice"), unique("bob")
    message = await store.direct_messages.send(sender_id=alice, recipient_id=bob, body="typo")
    edited = await store.direct_messages.edit(message.id, body="fixed")
    assert edited.body == "fixed" and [e.body for e in edited.edit_history] == ["typo"]
    await store.direct_messages.delete_for(message.id, bob)
    await store.direct_messages.delete_for(message.id, bob)
    assert await store.direct_messages.list_messages(message.conversation_id, viewer_id=bob) == []
    assert await store.direct_messages.unread_count(bob) == 0
    mine = await store.direct_messages.list_messages(message.conversation_id, viewer_id=alice)
    assert [m.id for m in mine] == [message.id]
    second = await store.direct_messages.send(sender_id=alice, recipient_id=bob, body="oops")
    unsent = await store.direct_messages.unsend(second.id)
    assert (unsent.body, unsent.deleted_at is not None) == ("", True)
    assert await store.direct_messages.unread_count(bob) == 0
    with pytest.raises(Conflict):
        await store.direct_messages.edit(second.id, body="again")
    with pytest.raises(NotFound):
        await store.direct_messages.get("missing")
