"""Content settings end to end, on each store: a hidden topic and a hidden user leave my
topic list, a topic's posts, the recent feed and comment trees — filtered before paging,
so pages stay full — still answer direct fetches, and come back when shown again."""

from __future__ import annotations

from typing import Any

from tests.e2e.community_support import (
    People,
    Person,
    new_comment,
    new_post,
    new_topic,
    ok,
    refused,
)
from tests.store_support import on_each_store

pytestmark = on_each_store("node")


async def paged(person: Person, path: str, key: str, **query: Any) -> list[list[str]]:
    """Every page of a list route (ids per page), following ``next_cursor``."""
    pages: list[list[str]] = []
    cursor = None
    while True:
        params = {**query, **({"cursor": cursor} if cursor else {})}
        body = ok(await person.api.get(path, params=params))
        pages.append([item["id"] for item in body[key]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def full_pages(pages: list[list[str]], limit: int) -> bool:
    """Every page but the last holds ``limit`` items (the last may be short, or empty
    where a route cannot know that nothing follows a full page)."""
    return all(len(page) == limit for page in pages[:-1])


def flat(pages: list[list[str]]) -> list[str]:
    return [item for page in pages for item in page]


async def test_a_hidden_topic_leaves_my_lists_and_comes_back(people: People) -> None:
    owner, me = await people.new("owner"), await people.new("me")
    topics = [await new_topic(owner) for _ in range(4)]
    posts = [await new_post(owner, topic["id"]) for topic in topics]
    hidden = topics[1]
    ok(await me.api.put(f"/api/content-settings/hidden/topics/{hidden['id']}"))
    ok(await me.api.put(f"/api/content-settings/hidden/topics/{hidden['id']}"))  # no-op

    pages = await paged(me, "/api/topics", "topics", sort="created", limit=1)
    assert full_pages(pages, 1)  # never emptied by the filter
    assert flat(pages) == [topics[3]["id"], topics[2]["id"], topics[0]["id"]]
    recent = flat(await paged(me, "/api/posts/recent", "posts", limit=1))
    assert recent == [posts[3]["id"], posts[2]["id"], posts[0]["id"]]
    # others see it; direct fetches and the topic's own posts still answer
    assert hidden["id"] in flat(await paged(owner, "/api/topics", "topics", limit=50))
    ok(await me.api.get(f"/api/topics/{hidden['id']}"))
    assert flat(await paged(me, "/api/posts", "posts", topic_id=hidden["id"])) == [posts[1]["id"]]

    listed = ok(await me.api.get("/api/content-settings/hidden"))
    assert [(item["kind"], item["target_id"], item["label"]) for item in listed["items"]] == [
        ("topic", hidden["id"], hidden["title"])
    ]
    assert isinstance(listed["items"][0]["created_at"], int)

    ok(await me.api.delete(f"/api/content-settings/hidden/topics/{hidden['id']}"))
    assert len(flat(await paged(me, "/api/topics", "topics", limit=50))) == 4
    assert len(flat(await paged(me, "/api/posts/recent", "posts", limit=50))) == 4
    assert ok(await me.api.get("/api/content-settings/hidden"))["items"] == []


async def test_a_hidden_user_leaves_posts_feeds_and_comment_trees(people: People) -> None:
    alice, mallory, bob, me = (
        await people.new("alice"), await people.new("mallory"), await people.new("bob"),
        await people.new("me"),
    )
    topic = await new_topic(alice)
    for person in (mallory, bob, me):
        ok(await person.api.post(f"/api/topics/{topic['id']}/join"))
    kept, hidden_posts = [], []
    for _ in range(3):
        kept.append(await new_post(alice, topic["id"]))
        hidden_posts.append(await new_post(mallory, topic["id"]))
    masked = await new_post(mallory, topic["id"], anonymous=True)  # anonymous: stays
    thread = kept[0]["id"]
    top = await new_comment(alice, thread)
    theirs = await new_comment(mallory, thread)
    under_theirs = await new_comment(bob, thread, parent_id=theirs["id"])
    reply = await new_comment(mallory, thread, parent_id=top["id"])
    ok(await me.api.put(f"/api/content-settings/hidden/users/{mallory.user_id}"))

    pages = await paged(me, "/api/posts", "posts", topic_id=topic["id"], sort="new", limit=2)
    assert full_pages(pages, 2)
    assert flat(pages) == [masked["id"], *(post["id"] for post in reversed(kept))]
    recent = flat(await paged(me, "/api/posts/recent", "posts", limit=2))
    assert recent == [masked["id"], *(post["id"] for post in reversed(kept))]
    comments = flat(await paged(me, f"/api/posts/{thread}/comments", "comments", sort="old"))
    assert comments == [top["id"]]  # mallory's comments gone, with the reply under one
    seen_by_others = flat(
        await paged(bob, f"/api/posts/{thread}/comments", "comments", sort="old")
    )
    assert set(seen_by_others) == {top["id"], theirs["id"], under_theirs["id"], reply["id"]}
    ok(await me.api.get(f"/api/posts/{hidden_posts[0]['id']}"))  # direct fetch
    ok(await me.api.get(f"/api/comments/{theirs['id']}"))

    listed = ok(await me.api.get("/api/content-settings/hidden", params={"kind": "user"}))
    assert [item["label"] for item in listed["items"]] == [
        ok(await mallory.api.get("/api/users/me"))["username"]
    ]
    assert ok(await me.api.get("/api/content-settings/hidden", params={"kind": "topic"}))[
        "items"
    ] == []

    ok(await me.api.delete(f"/api/content-settings/hidden/users/{mallory.user_id}"))
    assert len(flat(await paged(me, "/api/posts", "posts", topic_id=topic["id"]))) == 7
    assert len(flat(await paged(me, f"/api/posts/{thread}/comments", "comments"))) == 4


async def test_hiding_checks_what_it_names(people: People) -> None:
    owner, me = await people.new("owner"), await people.new("me")
    secret = await new_topic(owner, invite_only=True)
    refused(await me.api.put(f"/api/content-settings/hidden/topics/{secret['id']}"),
            403, "forbidden")  # as GET /api/topics/{id} answers
    refused(await me.api.put("/api/content-settings/hidden/topics/nope"), 404, "not_found")
    refused(await me.api.put(f"/api/content-settings/hidden/users/{me.user_id}"), 400, "invalid")
    refused(await me.api.put(f"/api/content-settings/hidden/users/{'0' * 26}"), 404, "not_found")
    refused(await me.api.get("/api/content-settings/hidden", params={"kind": "room"}),
            400, "invalid")
    for _ in range(3):
        topic = await new_topic(owner)
        ok(await me.api.put(f"/api/content-settings/hidden/topics/{topic['id']}"))
    pages = await paged(me, "/api/content-settings/hidden", "items", limit=2)
    assert [len(page) for page in pages] == [2, 1]
