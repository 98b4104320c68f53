"""Contract: channel event logs, follows and mutes; the post and topic fields they serve."""

from __future__ import annotations

import pytest
import trio

from storage import NotFound, Store
from tests.unit.storage.support import FakeClock, unique


async def test_channel_logs_are_gap_free_and_independent(store: Store, clock: FakeClock) -> None:
    first, second = unique("topic:"), unique("post:")
    assert await store.channel_events.last_seq(first) == 0
    assert await store.channel_events.since(first, after_seq=0) == []
    stored = await store.channel_events.append(first, kind="post_created", data='{"a":"é"}')
    assert (stored.channel, stored.seq, stored.kind, stored.data) == (
        first,
        1,
        "post_created",
        '{"a":"é"}',
    )
    assert stored.created_at == clock.now
    await store.channel_events.append(second, kind="comment_created", data="{}")
    await store.channel_events.append(first, kind="vote_changed", data="{}")
    assert await store.channel_events.last_seq(first) == 2
    assert await store.channel_events.last_seq(second) == 1
    events = await store.channel_events.since(first, after_seq=0)
    assert [(event.seq, event.kind) for event in events] == [
        (1, "post_created"),
        (2, "vote_changed"),
    ]
    assert events[0] == stored
    assert [event.seq for event in await store.channel_events.since(first, after_seq=1)] == [2]
    assert await store.channel_events.since(first, after_seq=2) == []
    with pytest.raises(ValueError):
        await store.channel_events.since(first, after_seq=0, limit=0)


async def test_concurrent_appends_get_distinct_consecutive_numbers(store: Store) -> None:
    channel = unique("topic:")

    async def append(number: int) -> None:
        await store.channel_events.append(channel, kind="n", data=str(number))

    async with trio.open_nursery() as nursery:
        for number in range(40):
            nursery.start_soon(append, number)
    events = await store.channel_events.since(channel, after_seq=0, limit=100)
    assert [event.seq for event in events] == list(range(1, 41))
    assert sorted(int(event.data) for event in events) == list(range(40))
    assert await store.channel_events.last_seq(channel) == 40
    paged = await store.channel_events.since(channel, after_seq=10, limit=5)
    assert [event.seq for event in paged] == [11, 12, 13, 14, 15]


async def test_follows_and_mutes(store: Store, clock: FakeClock) -> None:
    post, topic = unique("p"), unique("t")
    assert await store.follows.follow("u1", post) is True
    clock.advance(1)
    assert await store.follows.follow("u2", post) is True
    assert await store.follows.follow("u1", post) is False
    assert await store.follows.is_following("u1", post)
    assert not await store.follows.is_following("u3", post)
    assert await store.follows.followers(post) == ["u1", "u2"]
    assert await store.follows.followers(post, limit=1) == ["u1"]
    assert await store.follows.unfollow("u1", post) is True
    assert await store.follows.unfollow("u1", post) is False
    assert await store.follows.followers(post) == ["u2"]

    assert await store.follows.mute("u2", topic) is True
    assert await store.follows.mute("u2", topic) is False
    assert await store.follows.mute("u3", post) is True
    assert await store.follows.muting(["u1", "u2", "u3"], [post, topic]) == {"u2", "u3"}
    assert await store.follows.muting(["u1", "u2"], [post]) == set()
    assert await store.follows.muting([], [post]) == set()
    assert await store.follows.unmute("u2", topic) is True
    assert await store.follows.unmute("u2", topic) is False
    assert await store.follows.muting(["u2"], [topic]) == set()
    # following and muting are independent relations
    assert await store.follows.followers(topic) == []


async def test_post_and_comment_presentation_fields(store: Store) -> None:
    topic = await store.topics.create(owner_id="o", title=unique("topic"))
    post = await store.posts.create(
        topic_id=topic.id,
        author_id="a",
        title="t",
        body="<script>alert(1)</script>",
        gif_url="https://media.example/x.gif",
        attachment_ids=["f1", "f2"],
        alias="anon-1",
    )
    fetched = await store.posts.get(post.id)
    assert fetched == post
    assert (fetched.gif_url, fetched.attachment_ids, fetched.alias) == (
        "https://media.example/x.gif",
        ("f1", "f2"),
        "anon-1",
    )
    plain = await store.posts.create(topic_id=topic.id, author_id="a", title="t2", body="")
    assert (plain.gif_url, plain.attachment_ids, plain.alias) == (None, (), None)
    comment = await store.comments.create(post_id=post.id, author_id="c", body="x", alias="anon-2")
    assert (await store.comments.get(comment.id)).alias == "anon-2"
    tombstone = await store.comments.delete(comment.id)
    assert (tombstone.author_id, tombstone.alias, tombstone.body) == (None, None, "")
    assert (await store.comments.get(comment.id)).alias is None


async def test_topic_owner_moves_with_update(store: Store) -> None:
    topic = await store.topics.create(owner_id="o", title=unique("topic"))
    moved = await store.topics.update(topic.id, owner_id="n")
    assert moved.owner_id == "n"
    assert (await store.topics.get(topic.id)).owner_id == "n"
    await store.topics.delete(topic.id)
    with pytest.raises(NotFound):
        await store.topics.update(topic.id, owner_id="o")
