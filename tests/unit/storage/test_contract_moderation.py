"""Contract: the trash (restore, purge), by-author reads and the retention queries."""

from __future__ import annotations

import pytest

from storage import Conflict, Store
from storage.records import MessageDraft, Post, Topic
from tests.unit.storage.support import FakeClock, unique


async def _topic(store: Store) -> Topic:
    return await store.topics.create(owner_id="owner", title=unique("trash"))


async def _posts(store: Store, topic: Topic, count: int, author: str = "a") -> list[Post]:
    return [
        await store.posts.create(topic_id=topic.id, author_id=author, title=f"t{n}", body=f"b{n}")
        for n in range(count)
    ]


async def test_deleted_posts_are_listed_restored_and_purged(
    store: Store, clock: FakeClock
) -> None:
    topic = await _topic(store)
    first, second, third, live = await _posts(store, topic, 4)
    for post in (first, second, third):
        await store.posts.delete(post.id)
        clock.advance(10)
    trash = await store.posts.list_deleted(limit=2)
    assert [post.id for post in trash] == [third.id, second.id]
    last = trash[-1]
    assert last.deleted_at is not None
    rest = await store.posts.list_deleted(before=(last.deleted_at, last.id), limit=2)
    assert [post.id for post in rest] == [first.id]

    restored = await store.posts.restore(second.id)
    assert (restored.deleted_at, restored.body) == (None, "b1")
    listed = await store.posts.list_for_topic(topic.id)
    assert [post.id for post in listed] == [live.id, second.id]
    assert (await store.topics.get(topic.id)).post_count == 2
    with pytest.raises(Conflict) as live_restore:
        await store.posts.restore(second.id)
    assert live_restore.value.field == "state"
    with pytest.raises(Conflict):
        await store.posts.purge(live.id)

    purged = await store.posts.purge(third.id)
    assert (purged.title, purged.body, purged.author_id) == ("", "", "a")
    assert purged.purged_at is not None and purged.deleted_at is not None
    assert await store.posts.purge(third.id) == purged
    with pytest.raises(Conflict) as gone:
        await store.posts.restore(third.id)
    assert gone.value.field == "purged"
    assert [post.id for post in await store.posts.list_deleted()] == [first.id]
    assert await store.posts.purge_deleted(deleted_before=clock.now) == 1
    assert await store.posts.list_deleted() == []
    assert (await store.topics.get(topic.id)).post_count == 2


async def test_deleted_comments_keep_their_text_aside_until_purged(
    store: Store, clock: FakeClock
) -> None:
    topic = await _topic(store)
    (post,) = await _posts(store, topic, 1)
    parent = await store.comments.create(post_id=post.id, author_id="c", body="hello")
    await store.comments.edit(parent.id, body="hello again")
    reply = await store.comments.create(
        post_id=post.id, author_id="d", body="reply", parent_id=parent.id, alias="fox"
    )
    deleted = await store.comments.delete(parent.id)
    assert (deleted.body, deleted.author_id, deleted.edit_history) == ("", None, ())
    assert deleted.removed is not None and deleted.removed.body == "hello again"
    clock.advance(10)
    await store.comments.delete(reply.id)
    assert [c.id for c in await store.comments.list_deleted()] == [reply.id, parent.id]

    restored = await store.comments.restore(parent.id)
    assert (restored.body, restored.author_id, restored.deleted_at) == ("hello again", "c", None)
    assert len(restored.edit_history) == 1 and restored.removed is None
    tree = await store.comments.list_for_post(post.id)
    assert [(c.id, c.body) for c in tree] == [(parent.id, "hello again"), (reply.id, "")]
    with pytest.raises(Conflict):
        await store.comments.restore(parent.id)
    with pytest.raises(Conflict):
        await store.comments.purge(parent.id)

    purged = await store.comments.purge(reply.id)
    assert (purged.removed, purged.body, purged.author_id) == (None, "", None)
    with pytest.raises(Conflict) as gone:
        await store.comments.restore(reply.id)
    assert gone.value.field == "purged"
    assert await store.comments.list_deleted() == []


async def test_comments_deleted_long_ago_are_purged(store: Store, clock: FakeClock) -> None:
    topic = await _topic(store)
    (post,) = await _posts(store, topic, 1)
    old, recent = [
        await store.comments.create(post_id=post.id, author_id="c", body=body)
        for body in ("old", "recent")
    ]
    await store.comments.delete(old.id)
    clock.advance(100)
    await store.comments.delete(recent.id)
    assert await store.comments.purge_deleted(deleted_before=clock.now - 50) == 1
    assert (await store.comments.get(old.id)).removed is None
    assert (await store.comments.get(recent.id)).removed is not None
    assert await store.comments.purge_deleted(deleted_before=clock.now - 50) == 0


async def test_content_by_author_newest_first_with_deleted_items(store: Store) -> None:
    author, other = unique("author"), unique("other")
    topic = await _topic(store)
    posts = await _posts(store, topic, 3, author)
    await _posts(store, topic, 1, other)
    await store.posts.delete(posts[0].id)
    found = await store.authored.posts(author, limit=2)
    assert [post.id for post in found] == [posts[2].id, posts[1].id]
    older = await store.authored.posts(author, before_id=found[-1].id)
    assert [post.id for post in older] == [posts[0].id]

    kept, gone = [
        await store.comments.create(post_id=posts[1].id, author_id=author, body=body)
        for body in ("kept", "gone")
    ]
    await store.comments.create(post_id=posts[1].id, author_id=other, body="not mine")
    await store.comments.delete(gone.id)
    found_comments = await store.authored.comments(author)
    assert [comment.id for comment in found_comments] == [gone.id, kept.id]
    await store.comments.purge(gone.id)
    assert [comment.id for comment in await store.authored.comments(author)] == [kept.id]

    room = await store.rooms.create(owner_id=author, name="r")
    drafts = [
        MessageDraft(author_id=author, body="m1"),
        MessageDraft(author_id=other, body="x"),
        MessageDraft(author_id=author, body="m2"),
    ]
    messages = await store.messages.append_many(room.id, drafts)
    found_messages = await store.authored.room_messages(author)
    assert [message.body for message in found_messages] == ["m2", "m1"]
    assert await store.authored.room_messages(author, before_id=messages[2].id, limit=5) == [
        messages[0]
    ]

    sent = await store.direct_messages.send(sender_id=author, recipient_id=other, body="hi")
    await store.direct_messages.send(sender_id=other, recipient_id=author, body="hey")
    assert await store.authored.direct_messages(author) == [sent]
    assert await store.authored.direct_messages(unique("nobody")) == []


async def test_stale_invitations_are_purged_per_scope(store: Store, clock: FakeClock) -> None:
    topic = await _topic(store)
    room = await store.rooms.create(owner_id="owner", name="r", is_private=True)
    await store.topics.members.invite(topic.id, "old", invited_by="owner")
    await store.rooms.members.invite(room.id, "old", invited_by="owner")
    clock.advance(100)
    await store.topics.members.invite(topic.id, "new", invited_by="owner")
    cutoff = clock.now - 50
    assert await store.topics.members.purge_invitations(created_before=cutoff) == 1
    assert await store.topics.members.list_invitations("old") == []
    assert len(await store.topics.members.list_invitations("new")) == 1
    assert len(await store.rooms.members.list_invitations("old")) == 1
    assert await store.rooms.members.purge_invitations(created_before=cutoff, limit=5) == 1
    assert await store.rooms.members.list_invitations("old") == []


async def test_unfinished_calls_oldest_first(store: Store, clock: FakeClock) -> None:
    context = unique("context")
    first = await store.calls.start(context_id=context, initiator_id="a")
    ended = await store.calls.start(context_id=context, initiator_id="a")
    await store.calls.end(ended.id, outcome="completed")
    clock.advance(10)
    second = await store.calls.start(context_id=context, initiator_id="b")
    clock.advance(10)
    await store.calls.start(context_id=context, initiator_id="c")
    stale = await store.calls.list_unfinished(started_before=clock.now - 5)
    assert [call.id for call in stale] == [first.id, second.id]
    assert [call.id for call in await store.calls.list_unfinished(
        started_before=clock.now, limit=1
    )] == [first.id]
