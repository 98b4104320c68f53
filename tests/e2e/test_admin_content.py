"""Admins review a user's content and restore or purge deleted posts and comments."""

from __future__ import annotations

from typing import Any

from http_facade.pagination import BeforeIdPosition, encode_cursor
from protocol.feed_events import CommentCreated, PostCreated
from storage.records import MessageDraft
from tests.e2e.community_support import (
    People,
    new_comment,
    new_post,
    new_topic,
    ok,
    refused,
    sequenced,
)
from tests.store_support import on_each_store

pytestmark = on_each_store("node")


async def audit_actions(admin: Any, target_id: str) -> list[str]:
    entries = ok(await admin.api.get("/api/admin/audit", params={"target_id": target_id}))
    return [entry["action"] for entry in entries["entries"]]


async def test_admins_page_through_a_users_content_newest_first(people: People) -> None:
    admin, alice, bob = (
        await people.new("admin", admin=True), await people.new("alice"), await people.new("bob")
    )
    store = people.node.context.store
    assert store is not None
    topic = await new_topic(bob)
    post = await new_post(alice, topic["id"], title="mine", body="post body")
    comment = await new_comment(alice, post["id"], body="a comment")
    await new_comment(bob, post["id"], body="not alice's")
    room = await store.rooms.create(owner_id=alice.user_id, name="r", topic_id=topic["id"])
    message = await store.messages.append(room.id, MessageDraft(author_id=alice.user_id, body="hi"))
    direct = await store.direct_messages.send(
        sender_id=alice.user_id, recipient_id=bob.user_id, body="secret"
    )
    ok(await alice.api.delete(f"/api/comments/{comment['id']}"))

    path = f"/api/admin/users/{alice.user_id}/content"
    first = ok(await admin.api.get(path, params={"limit": 2}))
    assert [item["kind"] for item in first["items"]] == ["direct_message", "room_message"]
    dm, chat = first["items"]
    assert dm["text"] is None
    assert dm["where"] == {"kind": "conversation", "id": direct.conversation_id}
    assert (chat["id"], chat["text"], chat["topic_id"]) == (message.id, "hi", topic["id"])
    rest = ok(await admin.api.get(path, params={"limit": 2, "cursor": first["next_cursor"]}))
    deleted_comment, the_post = rest["items"]
    assert deleted_comment["id"] == comment["id"]
    assert deleted_comment["deleted_at"] is not None and deleted_comment["text"] == "a comment"
    assert deleted_comment["where"] == {"kind": "post", "id": post["id"]}
    assert (the_post["kind"], the_post["title"], the_post["text"]) == ("post", "mine", "post body")
    assert rest["next_cursor"] is None
    after_the_post = encode_cursor(BeforeIdPosition(b=the_post["id"]))
    last = ok(await admin.api.get(path, params={"limit": 2, "cursor": after_the_post}))
    assert last == {"user_id": alice.user_id, "items": [], "next_cursor": None}
    only_posts = ok(await admin.api.get(path, params={"kind": "post"}))
    assert [item["id"] for item in only_posts["items"]] == [post["id"]]
    assert only_posts["next_cursor"] is None

    refused(await admin.api.get("/api/admin/users/nobody/content"), 404, "not_found")
    refused(await admin.api.get(path, params={"kind": "poem"}), 400, "invalid")
    refused(await admin.api.get(path, params={"limit": 0}), 400, "invalid")
    refused(await alice.api.get(path), 403, "forbidden")


async def test_deleted_posts_are_restored_live_and_purged_for_good(people: People) -> None:
    admin, alice = await people.new("admin", admin=True), await people.new("alice")
    topic = await new_topic(alice)
    post_id = (await new_post(alice, topic["id"], title="oops", body="text"))["id"]
    ok(await alice.api.delete(f"/api/posts/{post_id}"))
    watcher = await people.connect(alice)
    channel = f"topic:{topic['id']}"
    await watcher.subscribe(channel)

    trash = ok(await admin.api.get("/api/admin/deleted/posts"))
    assert [item["id"] for item in trash["items"]] == [post_id]
    restored = ok(await admin.api.post(
        f"/api/admin/posts/{post_id}/restore", params={"reason": "deleted by mistake"}
    ))
    assert restored["item"]["deleted_at"] is None
    (event,) = await sequenced(watcher, channel, 1)
    assert isinstance(event, PostCreated) and event.post.id == post_id
    assert ok(await alice.api.get(f"/api/posts/{post_id}"))["body"] == "text"
    refused(await admin.api.post(f"/api/admin/posts/{post_id}/restore"), 409, "conflict")
    refused(await admin.api.delete(f"/api/admin/posts/{post_id}/purge"), 409, "conflict")

    ok(await alice.api.delete(f"/api/posts/{post_id}"))
    purged = ok(await admin.api.delete(f"/api/admin/posts/{post_id}/purge"))
    assert purged["item"]["purged"] is True and purged["item"]["text"] == ""
    assert ok(await admin.api.get("/api/admin/deleted/posts"))["items"] == []
    refused(await admin.api.post(f"/api/admin/posts/{post_id}/restore"), 409, "conflict")
    refused(await alice.api.get(f"/api/posts/{post_id}"), 404, "not_found")
    refused(await admin.api.post("/api/admin/posts/nothing/restore"), 404, "not_found")
    assert await audit_actions(admin, post_id) == ["post.purge", "post.restore"]


async def test_deleted_comments_are_listed_restored_and_purged(people: People) -> None:
    admin, alice = await people.new("admin", admin=True), await people.new("alice")
    topic = await new_topic(alice)
    post_id = (await new_post(alice, topic["id"]))["id"]
    comments = [await new_comment(alice, post_id, body=f"c{n}") for n in range(3)]
    for comment in comments:
        ok(await alice.api.delete(f"/api/comments/{comment['id']}"))
    watcher = await people.connect(alice)
    channel = f"post:{post_id}"
    await watcher.subscribe(channel)

    first = ok(await admin.api.get("/api/admin/deleted/comments", params={"limit": 2}))
    assert [item["text"] for item in first["items"]] == ["c2", "c1"]
    assert first["items"][0]["topic_id"] == topic["id"]
    rest = ok(await admin.api.get(
        "/api/admin/deleted/comments", params={"limit": 2, "cursor": first["next_cursor"]}
    ))
    assert [item["text"] for item in rest["items"]] == ["c0"] and rest["next_cursor"] is None
    refused(await admin.api.get("/api/admin/deleted/comments", params={"cursor": "x"}), 400,
            "invalid")

    target = comments[1]["id"]
    restored = ok(await admin.api.post(f"/api/admin/comments/{target}/restore"))
    assert (restored["item"]["text"], restored["item"]["author_id"]) == ("c1", alice.user_id)
    (event,) = await sequenced(watcher, channel, 1)
    assert isinstance(event, CommentCreated) and event.comment.body == "c1"
    shown = ok(await alice.api.get(f"/api/comments/{target}"))
    assert (shown["body"], shown["deleted"]) == ("c1", False)

    purged_id = comments[0]["id"]
    ok(await admin.api.delete(f"/api/admin/comments/{purged_id}/purge"))
    refused(await admin.api.post(f"/api/admin/comments/{purged_id}/restore"), 409, "conflict")
    remaining = ok(await admin.api.get("/api/admin/deleted/comments"))
    assert [item["id"] for item in remaining["items"]] == [comments[2]["id"]]
    assert await audit_actions(admin, target) == ["comment.restore"]
    assert await audit_actions(admin, purged_id) == ["comment.purge"]

    ok(await alice.api.delete(f"/api/posts/{post_id}"))
    refused(
        await admin.api.post(f"/api/admin/comments/{comments[2]['id']}/restore"),
        404, "not_found",
    )
