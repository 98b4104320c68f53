"""``@user`` in posts and comments, over real sockets on each store (issue 23).

A mention notifies a reader of the topic — never a user who blocked the author, who
muted the topic, nor a non-member of an invite-only topic — and an anonymous author's
mention names the alias only.  An edit notifies only the mentions it added.

Absence is shown by order: each feed is one actor whose mailbox is first in, first out,
so a notification sent after the one that must not exist arrives first.
"""

from __future__ import annotations

import trio

from bots.client import Client
from protocol.client_frames import SendDirectMessage
from protocol.control_frames import Ack
from protocol.feed_events import Notification
from tests.e2e.community_support import (
    DEADLINE_S,
    People,
    Person,
    new_comment,
    new_post,
    new_topic,
    ok,
)
from tests.e2e.messaging_support import next_of
from tests.store_support import on_each_store

pytestmark = on_each_store("node")


async def username(people: People, person: Person) -> str:
    store = people.node.context.store
    assert store is not None
    return (await store.users.get(person.user_id)).username


async def listening(people: People, person: Person) -> Client:
    """A connected client subscribed to ``person``'s notification feed."""
    client = await people.connect(person)
    await client.subscribe(f"user:{person.user_id}")
    return client


async def poke(people: People, sender: Person, recipient: Person) -> None:
    """A direct message to ``recipient``: the notification that comes after the others."""
    client = await people.connect(sender)
    reply = await client.request(SendDirectMessage, recipient_id=recipient.user_id, text="ping")
    assert isinstance(reply, Ack), reply


async def test_post_and_comment_mentions_reach_readers_only(people: People) -> None:
    alice, bob, carol, dave, erin = [
        await people.new(name) for name in ("alice", "bob", "carol", "dave", "erin")
    ]
    names = {person.user_id: await username(people, person) for person in (bob, carol, dave, erin)}
    topic = await new_topic(alice)
    ok(await carol.api.put(f"/api/users/me/blocks/{alice.user_id}"))
    muted = await dave.api.put(f"/api/topics/{topic['id']}/mute")
    assert muted.status_code in (200, 204), muted.text
    bob_feed, carol_feed, dave_feed, erin_feed = [
        await listening(people, person) for person in (bob, carol, dave, erin)
    ]
    with trio.fail_after(DEADLINE_S):
        post = await new_post(
            alice, topic["id"],
            body=f"hi @{names[bob.user_id]} @{names[carol.user_id]} and @{names[dave.user_id]}",
        )
        mention = await next_of(bob_feed, Notification)
        assert (mention.kind, mention.actor_id, mention.subject, mention.object_id) == (
            "mention", alice.user_id, f"topic:{topic['id']}", post["id"],
        )
        for person, feed in ((carol, carol_feed), (dave, dave_feed)):
            await poke(people, erin, person)
            first = await next_of(feed, Notification)
            assert first.kind == "direct_message", (person, first)

        comment = await new_comment(alice, post["id"], body=f"@{names[bob.user_id]} look")
        on_comment = await next_of(bob_feed, Notification)
        assert (on_comment.kind, on_comment.subject, on_comment.object_id) == (
            "mention", f"post:{post['id']}", comment["id"],
        )
        edited = await alice.api.patch(
            f"/api/comments/{comment['id']}",
            json={"body": f"@{names[bob.user_id]} look, @{names[erin.user_id]}"},
        )
        ok(edited)
        added = await next_of(erin_feed, Notification)
        assert (added.kind, added.object_id) == ("mention", comment["id"])
        await poke(people, erin, bob)
        after_edit = await next_of(bob_feed, Notification)
        assert after_edit.kind == "direct_message"  # the edit did not mention bob again


async def test_private_topic_mentions_skip_non_members(people: People) -> None:
    alice, gina, frank = [await people.new(name) for name in ("alice", "gina", "frank")]
    gina_name, frank_name = await username(people, gina), await username(people, frank)
    topic = await new_topic(alice, invite_only=True)
    ok(await alice.api.post(
        f"/api/topics/{topic['id']}/invitations", json={"user_id": gina.user_id}
    ), 201)
    accepted = await gina.api.post(f"/api/topics/{topic['id']}/invitations/accept")
    assert accepted.status_code in (200, 201), accepted.text
    gina_feed, frank_feed = await listening(people, gina), await listening(people, frank)
    with trio.fail_after(DEADLINE_S):
        post = await new_post(alice, topic["id"], body=f"@{frank_name} and @{gina_name}")
        mention = await next_of(gina_feed, Notification)
        assert (mention.kind, mention.object_id) == ("mention", post["id"])
        await poke(people, gina, frank)
        first = await next_of(frank_feed, Notification)
        assert first.kind == "direct_message"  # frank cannot read the topic


async def test_an_anonymous_mention_does_not_reveal_its_author(people: People) -> None:
    alice, bob = await people.new("alice"), await people.new("bob")
    alice_name, bob_name = await username(people, alice), await username(people, bob)
    topic = await new_topic(alice)
    bob_feed = await listening(people, bob)
    with trio.fail_after(DEADLINE_S):
        post = await new_post(alice, topic["id"], body=f"psst @{bob_name}", anonymous=True)
        mention = await next_of(bob_feed, Notification)
        assert mention.kind == "mention"
        assert mention.actor_id is not None and mention.actor_id.startswith("anon-")
        shown = " ".join(
            str(part) for part in (mention.title, mention.body, mention.actor_id, mention.link)
        )
        assert alice.user_id not in shown and alice_name not in shown
        comment = await new_comment(alice, post["id"], body=f"@{bob_name} again", anonymous=True)
        again = await next_of(bob_feed, Notification)
        assert (again.object_id, again.actor_id) == (comment["id"], mention.actor_id)
        assert alice_name not in again.title
        listed = ok(await bob.api.get("/api/notifications"))["notifications"]
        assert alice.user_id not in str(listed) and alice_name not in str(listed)
