"""Contract: posts, comments and votes."""

from __future__ import annotations

import pytest
import trio

from storage import Conflict, NotFound, Store
from storage.records import Topic
from tests.unit.storage.support import FakeClock, unique


async def _topic(store: Store) -> Topic:
    return await store.topics.create(owner_id="o", title=unique("topic"))


async def test_post_lifecycle_and_counts(store: Store, clock: FakeClock) -> None:
    topic = await _topic(store)
    clock.advance(5)
    post = await store.posts.create(
        topic_id=topic.id, author_id="a", title="Hi 👋", body="مرحبا e\u0301"
    )
    assert await store.posts.get(post.id) == post
    after_create = await store.topics.get(topic.id)
    assert after_create.post_count == 1 and after_create.last_activity_at == clock.now
    clock.advance(1)
    edited = await store.posts.edit(post.id, body="v2")
    edited = await store.posts.edit(post.id, body="v3", title="Hi again")
    assert (edited.title, edited.body, edited.edited_at) == ("Hi again", "v3", clock.now)
    assert [(e.title, e.body) for e in edited.edit_history] == [
        ("Hi 👋", "مرحبا e\u0301"),
        ("Hi 👋", "v2"),
    ]
    deleted = await store.posts.delete(post.id)
    await store.posts.delete(post.id)
    assert deleted.deleted_at is not None
    assert (await store.topics.get(topic.id)).post_count == 0
    assert await store.posts.list_for_topic(topic.id) == []
    with pytest.raises(Conflict):
        await store.posts.edit(post.id, body="too late")
    with pytest.raises(NotFound):
        await store.posts.create(topic_id="missing", author_id="a", title="t", body="b")
    with pytest.raises(NotFound):
        await store.posts.get("missing")


async def test_post_sorts_and_paging(store: Store, clock: FakeClock) -> None:
    topic = await _topic(store)
    old = await store.posts.create(topic_id=topic.id, author_id="a", title="old", body="")
    clock.advance(3600)
    middle = await store.posts.create(topic_id=topic.id, author_id="a", title="mid", body="")
    clock.advance(3600)
    new = await store.posts.create(topic_id=topic.id, author_id="a", title="new", body="")
    for voter in range(10):
        await store.posts.vote(old.id, f"v{voter}", 1)
    await store.posts.vote(new.id, "v0", -1)

    async def ids(sort: str, **paging: int) -> list[str]:
        posts = await store.posts.list_for_topic(topic.id, sort=sort, **paging)  # type: ignore[arg-type]
        return [post.id for post in posts]

    assert await ids("new") == [new.id, middle.id, old.id]
    assert await ids("old") == [old.id, middle.id, new.id]
    assert await ids("top") == [old.id, middle.id, new.id]
    assert await ids("hot") == [old.id, new.id, middle.id]
    assert await ids("new", offset=1, limit=1) == [middle.id]
    assert await ids("new", offset=3) == []
    with pytest.raises(ValueError):
        await store.posts.list_for_topic(topic.id, limit=0)


async def test_recent_across_topics(store: Store) -> None:
    first, second, other = await _topic(store), await _topic(store), await _topic(store)
    a = await store.posts.create(topic_id=first.id, author_id="x", title="a", body="")
    b = await store.posts.create(topic_id=second.id, author_id="x", title="b", body="")
    await store.posts.create(topic_id=other.id, author_id="x", title="c", body="")
    recent = await store.posts.recent_for_topics([first.id, second.id], limit=10)
    assert [post.id for post in recent] == [b.id, a.id]
    assert await store.posts.recent_for_topics([], limit=5) == []
    many = await store.posts.get_many([b.id, "missing", a.id])
    assert [post.id for post in many] == [b.id, a.id]


async def test_vote_toggle_and_switch(store: Store) -> None:
    post = await store.posts.create(
        topic_id=(await _topic(store)).id, author_id="a", title="t", body=""
    )
    tally = await store.posts.vote(post.id, "u", 1)
    assert (tally.score, tally.upvotes, tally.downvotes, tally.vote) == (1, 1, 0, 1)
    tally = await store.posts.vote(post.id, "u", 1)
    assert (tally.score, tally.upvotes) == (1, 1)
    tally = await store.posts.vote(post.id, "u", -1)
    assert (tally.score, tally.upvotes, tally.downvotes) == (-1, 0, 1)
    assert await store.posts.votes_of("u", [post.id, "other"]) == {post.id: -1}
    tally = await store.posts.vote(post.id, "u", 0)
    assert (tally.score, tally.upvotes, tally.downvotes, tally.vote) == (0, 0, 0, 0)
    assert await store.posts.votes_of("u", [post.id]) == {}
    with pytest.raises(ValueError):
        await store.posts.vote(post.id, "u", 2)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        await store.posts.vote("missing", "u", 1)


async def test_concurrent_votes_count_exactly(store: Store) -> None:
    post = await store.posts.create(
        topic_id=(await _topic(store)).id, author_id="a", title="t", body=""
    )
    async with trio.open_nursery() as nursery:
        for voter in range(50):
            nursery.start_soon(store.posts.vote, post.id, f"v{voter}", 1 if voter % 5 else -1)
    final = await store.posts.get(post.id)
    assert (final.upvotes, final.downvotes, final.score) == (40, 10, 30)
    async with trio.open_nursery() as nursery:
        for _ in range(10):
            nursery.start_soon(store.posts.vote, post.id, "v1", -1)
            nursery.start_soon(store.posts.vote, post.id, "v1", 1)
    final = await store.posts.get(post.id)
    assert final.upvotes + final.downvotes == 50
    assert final.score == final.upvotes - final.downvotes


async def test_comment_tree(store: Store, clock: FakeClock) -> None:
    topic = await _topic(store)
    post = await store.posts.create(topic_id=topic.id, author_id="a", title="t", body="")
    first = await store.comments.create(post_id=post.id, author_id="u1", body="first")
    second = await store.comments.create(post_id=post.id, author_id="u2", body="second")
    reply = await store.comments.create(
        post_id=post.id, author_id="u3", body="reply", parent_id=first.id
    )
    nested = await store.comments.create(
        post_id=post.id, author_id="u4", body="nested 🌳", parent_id=reply.id
    )
    assert (nested.depth, nested.root_id, nested.path) == (
        2,
        first.id,
        f"{first.id}/{reply.id}/{nested.id}",
    )
    assert (await store.posts.get(post.id)).comment_count == 4
    assert (await store.comments.get(first.id)).reply_count == 1
    await store.comments.vote(second.id, "v", 1)

    async def order(sort: str) -> list[str]:
        found = await store.comments.list_for_post(post.id, sort=sort)  # type: ignore[arg-type]
        return [comment.id for comment in found]

    assert await order("old") == [first.id, reply.id, nested.id, second.id]
    assert await order("new") == [second.id, first.id, reply.id, nested.id]
    assert await order("top") == [second.id, first.id, reply.id, nested.id]

    tombstone = await store.comments.delete(reply.id)
    assert (tombstone.body, tombstone.author_id) == ("", None)
    assert tombstone.deleted_at is not None
    assert await order("old") == [first.id, reply.id, nested.id, second.id]
    with pytest.raises(Conflict):
        await store.comments.edit(reply.id, body="back")
    clock.advance(1)
    edited = await store.comments.edit(nested.id, body="nested v2")
    assert edited.body == "nested v2" and [e.body for e in edited.edit_history] == ["nested 🌳"]


async def test_comment_parents_and_votes(store: Store) -> None:
    topic = await _topic(store)
    post = await store.posts.create(topic_id=topic.id, author_id="a", title="t", body="")
    other = await store.posts.create(topic_id=topic.id, author_id="a", title="o", body="")
    foreign = await store.comments.create(post_id=other.id, author_id="u", body="x")
    with pytest.raises(NotFound):
        await store.comments.create(post_id=post.id, author_id="u", body="x", parent_id=foreign.id)
    with pytest.raises(NotFound):
        await store.comments.create(post_id="missing", author_id="u", body="x")
    assert (await store.posts.get(post.id)).comment_count == 0
    comment = await store.comments.create(post_id=post.id, author_id="u", body="x")
    assert (await store.comments.vote(comment.id, "v1", 1)).score == 1
    assert (await store.comments.vote(comment.id, "v2", -1)).score == 0
    tally = await store.comments.vote(comment.id, "v2", 1)
    assert (tally.score, tally.upvotes, tally.downvotes) == (2, 2, 0)
    assert await store.comments.votes_of("v2", [comment.id]) == {comment.id: 1}


async def test_posts_deleted_long_ago_are_erased(store: Store, clock: FakeClock) -> None:
    topic = await _topic(store)
    old, recent, live = [
        await store.posts.create(topic_id=topic.id, author_id="a", title=name, body="text")
        for name in ("old", "recent", "live")
    ]
    await store.posts.edit(old.id, body="edited")
    await store.posts.delete(old.id)
    clock.advance(100)
    await store.posts.delete(recent.id)
    cutoff = clock.now - 50
    assert await store.posts.purge_deleted(deleted_before=cutoff) >= 1
    erased = await store.posts.get(old.id)
    assert (erased.title, erased.body, erased.edit_history) == ("", "", ())
    assert erased.deleted_at is not None and erased.author_id == "a"
    assert (await store.posts.get(recent.id)).body == "text"
    assert (await store.posts.get(live.id)).body == "text"
    assert await store.posts.list_for_topic(topic.id) == [await store.posts.get(live.id)]
    assert await store.posts.purge_deleted(deleted_before=cutoff) == 0
