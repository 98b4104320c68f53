"""Contract: notifications of deleted posts, comments, room messages and DMs lose their text."""

from __future__ import annotations

from typing import Any

import trio

from protocol.feed_events import Notification
from tests.e2e.attachment_support import private_room
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


async def listed(person: Person) -> list[dict[str, Any]]:
    """The person's notifications, newest first."""
    found: list[dict[str, Any]] = ok(await person.api.get("/api/notifications"))["notifications"]
    return found


async def notified(people: People, person: Person, count: int) -> list[Notification]:
    """The next ``count`` notifications ``person``'s feed delivers live."""
    client = await people.connect(person)
    await client.subscribe(f"user:{person.user_id}", since_seq=0)  # replays what was sent
    with trio.fail_after(DEADLINE_S):
        return [await next_of(client, Notification) for _ in range(count)]


async def test_deleted_comments_and_posts_leave_no_text_behind(people: People) -> None:
    alice, bob = await people.new("alice"), await people.new("bob")
    topic = await new_topic(alice)
    post = await new_post(alice, topic["id"], body="the post")
    parent = await new_comment(bob, post["id"], body="bob's comment")
    reply = await new_comment(alice, post["id"], body="secret reply text", parent_id=parent["id"])
    (live,) = await notified(people, bob, 1)  # alice's reply, the parent author's `reply`
    assert (live.kind, live.body, live.object_id) == ("reply", "secret reply text", reply["id"])
    stored = [item for item in await listed(bob) if item["object_id"] == reply["id"]]
    assert [item["body"] for item in stored] == ["secret reply text"]

    ok(await alice.api.delete(f"/api/comments/{reply['id']}"))
    (after,) = [item for item in await listed(bob) if item["object_id"] == reply["id"]]
    assert (after["kind"], after["body"], after["subject"]) == ("reply", "", f"post:{post['id']}")
    assert after["title"] == stored[0]["title"]

    notices = [item for item in await listed(alice) if item["subject"] == f"post:{post['id']}"]
    assert [item["body"] for item in notices] == ["bob's comment"]
    ok(await alice.api.delete(f"/api/posts/{post['id']}"))
    for item in await listed(alice):
        assert post["title"] not in item["title"]
        assert item["body"] == ""


async def test_deleted_room_messages_and_direct_messages_leave_no_text_behind(
    people: People,
) -> None:
    alice, bob = await people.new("alice"), await people.new("bob")
    room_id = await private_room(alice, bob)
    bob_name = ok(await bob.api.get("/api/users/me"))["username"]
    sent = ok(
        await alice.api.post(
            f"/api/chat-rooms/{room_id}/messages", json={"text": f"@{bob_name} hidden words"}
        ),
        201,
    )
    direct = ok(
        await alice.api.post(
            "/api/messages/direct", json={"recipient_id": bob.user_id, "text": "private words"}
        ),
        201,
    )
    live = await notified(people, bob, 3)  # the room's invitation first
    assert [item.kind for item in live] == ["invite", "mention", "direct_message"]
    assert [item.body for item in live] == ["", f"@{bob_name} hidden words", "private words"]

    ok(await alice.api.delete(f"/api/chat-rooms/{room_id}/messages/{sent['message']['id']}"))
    conversation = direct["channel"].removeprefix("dm:")
    ok(
        await alice.api.delete(
            f"/api/messages/conversations/{conversation}/messages/{direct['message']['id']}",
            params={"scope": "everyone"},
        )
    )
    after = await listed(bob)
    assert [item["kind"] for item in after] == ["direct_message", "mention", "invite"]
    assert [item["body"] for item in after] == ["", "", ""]
