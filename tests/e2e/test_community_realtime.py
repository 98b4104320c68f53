"""Contract: live events of ``topic:``, ``post:`` and ``user:`` channels, resume, notifications."""

from __future__ import annotations

import pytest

from bots.client import RequestFailed
from protocol.codecs import SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK
from protocol.enums import VoteTarget
from protocol.feed_events import (
    CommentCreated,
    CommentDeleted,
    CommentEdited,
    Notification,
    PostCreated,
    PostDeleted,
    PostEdited,
    VoteChanged,
)
from tests.e2e.community_support import (
    People,
    collect,
    encoded,
    new_comment,
    new_post,
    new_topic,
    ok,
    sequenced,
)
from tests.store_support import on_each_store

pytestmark = on_each_store("node")


async def test_topic_subscribers_see_post_events_in_one_gap_free_order(people: People) -> None:
    alice, bob = await people.new("alice"), await people.new("bob")
    topic = await new_topic(alice)
    channel = f"topic:{topic['id']}"
    json_client = await people.connect(alice, subprotocol=SUBPROTOCOL_JSON)
    msgpack_client = await people.connect(bob, subprotocol=SUBPROTOCOL_MSGPACK)
    assert (await json_client.subscribe(channel)).last_seq == 0
    await msgpack_client.subscribe(channel)

    post = await new_post(bob, topic["id"], title="Live", body="<i>hi</i>")
    ok(await alice.api.put(f"/api/posts/{post['id']}/vote", json={"value": 1}))
    ok(await alice.api.put(f"/api/posts/{post['id']}/vote", json={"value": 1}))  # no change
    ok(await bob.api.patch(f"/api/posts/{post['id']}", json={"body": "edited"}))
    ok(await bob.api.delete(f"/api/posts/{post['id']}", params={"reason": "done"}))

    for client in (json_client, msgpack_client):
        created, voted, edited, deleted = await sequenced(client, channel, 4)
        assert [event.seq for event in (created, voted, edited, deleted)] == [1, 2, 3, 4]  # type: ignore[attr-defined]
        assert isinstance(created, PostCreated) and created.post.body == "<i>hi</i>"
        assert created.post.author_id == bob.user_id and created.post.title == "Live"
        assert isinstance(voted, VoteChanged)
        assert (voted.target, voted.target_id, voted.score, voted.upvotes) == (
            VoteTarget.POST,
            post["id"],
            1,
            1,
        )
        assert isinstance(edited, PostEdited) and edited.post.body == "edited"
        assert isinstance(deleted, PostDeleted)
        assert (deleted.post_id, deleted.deleted_by, deleted.reason) == (
            post["id"],
            bob.user_id,
            "done",
        )


async def test_post_channels_carry_comments_and_resume_exactly(people: People) -> None:
    alice, bob = await people.new("alice"), await people.new("bob")
    topic = await new_topic(alice)
    post = await new_post(alice, topic["id"])
    channel = f"post:{post['id']}"
    client = await people.connect(alice)
    await client.subscribe(channel)
    first = await new_comment(bob, post["id"], body="one")
    (created,) = await sequenced(client, channel, 1)
    assert isinstance(created, CommentCreated)
    assert (created.seq, created.comment.body, created.comment.author_id) == (1, "one", bob.user_id)

    await client.disconnect_for_test()
    ok(await alice.api.put(f"/api/comments/{first['id']}/vote", json={"value": -1}))
    ok(await bob.api.patch(f"/api/comments/{first['id']}", json={"body": "two"}))
    reply = await new_comment(alice, post["id"], parent_id=first["id"])
    ok(await bob.api.delete(f"/api/comments/{first['id']}"))
    voted, edited, replied, deleted = await sequenced(client, channel, 4)
    assert client.reconnects == 1
    assert [event.seq for event in (voted, edited, replied, deleted)] == [2, 3, 4, 5]  # type: ignore[attr-defined]
    assert isinstance(voted, VoteChanged) and (voted.target, voted.score) == (
        VoteTarget.COMMENT,
        -1,
    )
    assert isinstance(edited, CommentEdited) and edited.comment.body == "two"
    assert isinstance(replied, CommentCreated)
    assert replied.comment.parent_id == first["id"]
    assert replied.comment.id == reply["id"]
    assert isinstance(deleted, CommentDeleted) and deleted.deleted_by == bob.user_id

    late = await people.connect(bob)
    resumed = await late.subscribe(channel, since_seq=3)
    assert (resumed.resumed, resumed.complete, resumed.last_seq) == (True, True, 5)
    assert [event.seq for event in await sequenced(late, channel, 2)] == [4, 5]  # type: ignore[attr-defined]
    ahead = await (await people.connect(bob)).subscribe(channel, since_seq=9)
    assert (ahead.complete, ahead.last_seq) == (False, 5)


async def test_followers_are_notified_live_unless_they_muted(people: People) -> None:
    author, follower, muter = (
        await people.new("author"),
        await people.new("follower"),
        await people.new("muter"),
    )
    commenter = await people.new("commenter")
    topic = await new_topic(author)
    post = await new_post(author, topic["id"], title="Watch me")
    for person in (follower, muter):
        assert ok(await person.api.put(f"/api/posts/{post['id']}/follow"))["following"] is True
    assert ok(await muter.api.put(f"/api/topics/{topic['id']}/mute"))["muted"] is True
    clients = {}
    for person in (author, follower, muter, commenter):
        clients[person.user_id] = client = await people.connect(person)
        await client.subscribe(f"user:{person.user_id}")
    with pytest.raises(RequestFailed) as foreign:
        await clients[author.user_id].subscribe(f"user:{follower.user_id}")
    assert foreign.value.code == "forbidden"

    comment = await new_comment(commenter, post["id"], body="hello <b>there</b>")
    for person in (author, follower):
        (event,) = await sequenced(clients[person.user_id], f"user:{person.user_id}", 1)
        assert isinstance(event, Notification)
        assert (event.kind, event.actor_id, event.object_id, event.subject) == (
            "comment",
            commenter.user_id,
            comment["id"],
            f"post:{post['id']}",
        )
        assert event.body == "hello <b>there</b>" and "Watch me" in event.title
    reply = await new_comment(author, post["id"], parent_id=comment["id"])
    (answer,) = await sequenced(clients[follower.user_id], f"user:{follower.user_id}", 1)
    assert isinstance(answer, Notification) and answer.object_id == reply["id"]
    ok(await muter.api.delete(f"/api/topics/{topic['id']}/mute"))
    ok(await follower.api.put(f"/api/posts/{post['id']}/mute"))
    last = await new_comment(commenter, post["id"])
    (unmuted,) = await sequenced(clients[muter.user_id], f"user:{muter.user_id}", 1)
    assert isinstance(unmuted, Notification) and unmuted.object_id == last["id"]
    (to_author,) = await sequenced(clients[author.user_id], f"user:{author.user_id}", 1)
    assert isinstance(to_author, Notification) and to_author.object_id == last["id"]
    (replied,) = await sequenced(clients[commenter.user_id], f"user:{commenter.user_id}", 1)
    assert isinstance(replied, Notification)
    assert (replied.kind, replied.object_id) == ("reply", reply["id"])

    store = people.node.context.store
    assert store is not None
    stored = {
        person.user_id: [
            n.data["object_id"] for n in await store.notifications.list_for_user(person.user_id)
        ]
        for person in (author, follower, muter, commenter)
    }
    assert stored[muter.user_id] == [last["id"]]
    assert stored[follower.user_id] == [reply["id"], comment["id"]]
    assert stored[author.user_id] == [last["id"], comment["id"]]
    assert stored[commenter.user_id] == [reply["id"]]  # the reply to their comment
    assert (
        ok(await follower.api.delete(f"/api/posts/{post['id']}/follow"))["following"] is False
    )


async def test_events_never_carry_the_id_of_an_anonymous_author(people: People) -> None:
    owner, author, reader = (
        await people.new("owner"),
        await people.new("author"),
        await people.new("reader"),
    )
    topic = await new_topic(owner)
    client = await people.connect(reader)
    moderator_client = await people.connect(owner)
    topic_channel = f"topic:{topic['id']}"
    for watcher in (client, moderator_client):
        await watcher.subscribe(topic_channel)
    await client.subscribe(f"user:{reader.user_id}")
    post = await new_post(author, topic["id"], anonymous=True, title="Whistle")
    post_channel = f"post:{post['id']}"
    await client.subscribe(post_channel)
    ok(await reader.api.put(f"/api/posts/{post['id']}/follow"))
    comment = await new_comment(author, post["id"], anonymous=True)
    ok(await author.api.patch(f"/api/comments/{comment['id']}", json={"body": "again"}))
    ok(await author.api.delete(f"/api/comments/{comment['id']}"))
    ok(await author.api.patch(f"/api/posts/{post['id']}", json={"body": "new"}))
    ok(await author.api.delete(f"/api/posts/{post['id']}"))

    seen = await collect(client, {topic_channel: 3, post_channel: 3, f"user:{reader.user_id}": 1})
    received = [event for events in seen.values() for event in events]
    received += await sequenced(moderator_client, topic_channel, 3)
    assert author.user_id.encode() not in encoded(received)
    assert post["alias"].encode() in encoded(received)
    replayed = await (await people.connect(reader)).subscribe(topic_channel, since_seq=0)
    assert replayed.complete
    again = await sequenced(people.clients[-1], topic_channel, 3)
    assert author.user_id.encode() not in encoded(again)
