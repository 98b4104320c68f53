"""Contract: comment trees, depth, tombstones, sorts, edit history and votes."""

from __future__ import annotations

from actors.community.post_commands import MAX_COMMENT_DEPTH
from tests.e2e.community_support import People, new_comment, new_post, new_topic, ok, refused
from tests.store_support import on_each_store

pytestmark = on_each_store("node")


async def test_a_tree_is_listed_depth_first_in_each_order(people: People) -> None:
    alice, bob = await people.new("alice"), await people.new("bob")
    topic = await new_topic(alice)
    post = await new_post(alice, topic["id"])
    comments = f"/api/posts/{post['id']}/comments"
    first = await new_comment(alice, post["id"], body="first")
    second = await new_comment(bob, post["id"], body="second")
    reply = await new_comment(bob, post["id"], body="reply", parent_id=first["id"])
    nested = await new_comment(alice, post["id"], body="nested", parent_id=reply["id"])
    assert (reply["depth"], nested["depth"], nested["parent_id"]) == (1, 2, reply["id"])
    ok(await alice.api.put(f"/api/comments/{second['id']}/vote", json={"value": 1}))

    async def bodies(sort: str) -> list[str]:
        listed = ok(await bob.api.get(comments, params={"sort": sort}))["comments"]
        return [comment["body"] for comment in listed]

    assert await bodies("old") == ["first", "reply", "nested", "second"]
    assert await bodies("new") == ["second", "first", "reply", "nested"]
    assert await bodies("top") == ["second", "first", "reply", "nested"]
    assert ok(await bob.api.get(f"/api/posts/{post['id']}"))["comment_count"] == 4
    assert ok(await bob.api.get(f"/api/comments/{first['id']}"))["reply_count"] == 1
    refused(await bob.api.get(comments, params={"sort": "hot"}), 400, "invalid")


async def test_replies_nest_only_so_deep(people: People) -> None:
    alice = await people.new("alice")
    topic = await new_topic(alice)
    post = await new_post(alice, topic["id"])
    parent = None
    for depth in range(MAX_COMMENT_DEPTH):
        extra = {} if parent is None else {"parent_id": parent}
        created = await new_comment(alice, post["id"], **extra)
        assert created["depth"] == depth
        parent = created["id"]
    too_deep = await alice.api.post(
        f"/api/posts/{post['id']}/comments", json={"body": "deeper", "parent_id": parent}
    )
    refused(too_deep, 400, "invalid")
    other = await new_post(alice, topic["id"])
    across = await alice.api.post(
        f"/api/posts/{other['id']}/comments", json={"body": "x", "parent_id": parent}
    )
    refused(across, 404, "not_found")


async def test_deleting_leaves_a_tombstone_that_keeps_its_replies(people: People) -> None:
    alice, bob, carol = (
        await people.new("alice"),
        await people.new("bob"),
        await people.new("carol"),
    )
    topic = await new_topic(alice)
    post = await new_post(alice, topic["id"])
    parent = await new_comment(bob, post["id"], body="parent")
    reply = await new_comment(carol, post["id"], body="reply", parent_id=parent["id"])
    refused(await carol.api.delete(f"/api/comments/{parent['id']}"), 403, "forbidden")
    ok(await bob.api.delete(f"/api/comments/{parent['id']}"))
    ok(await bob.api.delete(f"/api/comments/{parent['id']}"))
    listed = ok(await carol.api.get(f"/api/posts/{post['id']}/comments"))["comments"]
    assert [(c["id"], c["deleted"], c["body"], c["author_id"]) for c in listed] == [
        (parent["id"], True, "", None),
        (reply["id"], False, "reply", carol.user_id),
    ]
    refused(
        await bob.api.patch(f"/api/comments/{parent['id']}", json={"body": "back"}),
        404,
        "not_found",
    )
    refused(
        await bob.api.put(f"/api/comments/{parent['id']}/vote", json={"value": 1}),
        404,
        "not_found",
    )
    again = await bob.api.post(
        f"/api/posts/{post['id']}/comments",
        json={"body": "x", "parent_id": parent["id"]},
    )
    refused(again, 409, "conflict")
    ok(await alice.api.delete(f"/api/comments/{reply['id']}"))  # the owner moderates
    ok(await alice.api.delete(f"/api/posts/{post['id']}"))
    refused(await carol.api.get(f"/api/posts/{post['id']}/comments"), 404, "not_found")
    refused(
        await carol.api.post(f"/api/posts/{post['id']}/comments", json={"body": "x"}),
        404,
        "not_found",
    )


async def test_edits_keep_history_and_votes_stay_exact(people: People) -> None:
    alice, bob = await people.new("alice"), await people.new("bob")
    topic = await new_topic(alice)
    post = await new_post(alice, topic["id"])
    comment = await new_comment(bob, post["id"], body="<b>v1</b>")
    path = f"/api/comments/{comment['id']}"
    edited = ok(await bob.api.patch(path, json={"body": "v2 (.*)"}))
    assert (edited["body"], edited["edit_count"]) == ("v2 (.*)", 1)
    assert [edit["body"] for edit in ok(await alice.api.get(f"{path}/history"))["edits"]] == [
        "<b>v1</b>"
    ]
    refused(await alice.api.patch(path, json={"body": "not mine"}), 403, "forbidden")
    for body in ({"body": ""}, {"body": "x" * 10_001}, {"body": "x", "extra": 1}):
        refused(await bob.api.patch(path, json=body), 400, "invalid")
    assert ok(await alice.api.put(f"{path}/vote", json={"value": 1}))["score"] == 1
    assert ok(await bob.api.put(f"{path}/vote", json={"value": -1}))["score"] == 0
    tally = ok(await alice.api.put(f"{path}/vote", json={"value": -1}))
    assert (tally["score"], tally["upvotes"], tally["downvotes"], tally["my_vote"]) == (
        -2,
        0,
        2,
        -1,
    )
    assert ok(await alice.api.get(path))["my_vote"] == -1
    for missing in ("/api/comments/unknown", "/api/comments/unknown/history"):
        refused(await alice.api.get(missing), 404, "not_found")
    refused(
        await alice.api.post("/api/posts/unknown/comments", json={"body": "x"}), 404, "not_found"
    )
    refused(
        await alice.api.post(f"/api/posts/{post['id']}/comments", json={"body": "x" * 10_001}),
        400,
        "invalid",
    )
