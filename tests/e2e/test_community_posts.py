"""Contract: ``/api/posts`` — publish, read, edit history, delete, sorts, feed, votes."""

from __future__ import annotations

import json

from tests.e2e.community_support import People, new_comment, new_post, new_topic, ok, refused
from tests.store_support import on_each_store

pytestmark = on_each_store("node")

SCRIPT = "<script>alert(document.cookie)</script><img src=x onerror=alert(1)>"
REGEX = r"^(a+)+$ .* [\d] (?=x) \1 $"


async def test_a_post_is_published_read_edited_with_history_and_deleted(people: People) -> None:
    alice, bob, moderator = (
        await people.new("alice"),
        await people.new("bob"),
        await people.new("mod"),
    )
    topic = await new_topic(alice)
    ok(await moderator.api.post(f"/api/topics/{topic['id']}/join"))
    ok(
        await alice.api.put(
            f"/api/topics/{topic['id']}/members/{moderator.user_id}/role",
            json={"role": "moderator"},
        )
    )
    post = await new_post(
        bob, topic["id"], title="First", body="v1", gif_url="https://media.example/cat.gif"
    )
    assert (post["author_id"], post["mine"], post["gif_url"]) == (
        bob.user_id,
        True,
        "https://media.example/cat.gif",
    )
    path = f"/api/posts/{post['id']}"
    seen = ok(await alice.api.get(path))
    assert (seen["title"], seen["body"], seen["mine"], seen["edit_count"]) == (
        "First",
        "v1",
        False,
        0,
    )
    assert ok(await alice.api.get(f"/api/topics/{topic['id']}"))["post_count"] == 1

    ok(await bob.api.patch(path, json={"body": "v2"}))
    edited = ok(await bob.api.patch(path, json={"title": "Second", "body": SCRIPT}))
    assert (edited["title"], edited["body"], edited["edit_count"]) == ("Second", SCRIPT, 2)
    assert edited["edited_at"] is not None
    history = ok(await alice.api.get(f"{path}/history"))["edits"]
    assert [(edit["title"], edit["body"]) for edit in history] == [("First", "v1"), ("First", "v2")]
    refused(await alice.api.patch(path, json={"body": "not mine"}), 403, "forbidden")
    refused(await bob.api.patch(path, json={}), 400, "invalid")

    other = await new_post(bob, topic["id"])
    ok(await moderator.api.delete(f"/api/posts/{other['id']}", params={"reason": "off topic"}))
    ok(await bob.api.delete(path))
    for gone in (path, f"/api/posts/{other['id']}"):
        refused(await alice.api.get(gone), 404, "not_found")
        refused(await bob.api.delete(gone), 404, "not_found")
    assert ok(await alice.api.get(f"/api/topics/{topic['id']}"))["post_count"] == 0
    assert ok(await alice.api.get("/api/posts", params={"topic_id": topic["id"]}))["posts"] == []


async def test_only_authors_and_moderators_delete(people: People) -> None:
    alice, bob, carol = (
        await people.new("alice"),
        await people.new("bob"),
        await people.new("carol"),
    )
    admin = await people.new("admin", admin=True)
    topic = await new_topic(alice)
    first, second = await new_post(bob, topic["id"]), await new_post(bob, topic["id"])
    refused(await carol.api.delete(f"/api/posts/{first['id']}"), 403, "forbidden")
    ok(await alice.api.delete(f"/api/posts/{first['id']}"))  # the owner moderates
    ok(await admin.api.delete(f"/api/posts/{second['id']}"))


async def test_votes_are_one_per_user_and_switch(people: People) -> None:
    alice, bob = await people.new("alice"), await people.new("bob")
    topic = await new_topic(alice)
    post = await new_post(alice, topic["id"])
    vote = f"/api/posts/{post['id']}/vote"

    async def cast(person: object, value: int) -> tuple[int, int, int, int]:
        tally = ok(await person.api.put(vote, json={"value": value}))  # type: ignore[attr-defined]
        return tally["score"], tally["upvotes"], tally["downvotes"], tally["my_vote"]

    assert await cast(bob, 1) == (1, 1, 0, 1)
    assert await cast(bob, 1) == (1, 1, 0, 1)
    assert await cast(alice, 1) == (2, 2, 0, 1)
    assert await cast(bob, -1) == (0, 1, 1, -1)
    assert ok(await bob.api.get(f"/api/posts/{post['id']}"))["my_vote"] == -1
    assert await cast(bob, 0) == (1, 1, 0, 0)
    assert ok(await bob.api.get(f"/api/posts/{post['id']}"))["my_vote"] == 0
    for value in (2, "up", None):
        refused(await bob.api.put(vote, json={"value": value}), 400, "invalid")
    refused(await bob.api.put("/api/posts/unknown/vote", json={"value": 1}), 404, "not_found")


async def test_sorts_and_the_recent_feed(people: People) -> None:
    alice, bob, voter = (
        await people.new("alice"),
        await people.new("bob"),
        await people.new("voter"),
    )
    topic = await new_topic(alice)
    old, middle, new = [
        await new_post(alice, topic["id"], title=name) for name in ("old", "mid", "new")
    ]
    for person in (bob, voter):
        ok(await person.api.put(f"/api/posts/{middle['id']}/vote", json={"value": 1}))
    ok(await bob.api.put(f"/api/posts/{new['id']}/vote", json={"value": -1}))

    async def titles(sort: str, **params: object) -> list[str]:
        query = {"topic_id": topic["id"], "sort": sort, **params}
        return [
            post["title"] for post in ok(await bob.api.get("/api/posts", params=query))["posts"]
        ]

    assert await titles("new") == ["new", "mid", "old"]
    assert await titles("old") == ["old", "mid", "new"]
    assert await titles("top") == ["mid", "old", "new"]
    assert await titles("hot") == ["mid", "new", "old"]  # a score of -1 ranks as 0
    first = ok(await bob.api.get("/api/posts", params={"topic_id": topic["id"], "limit": 1}))
    assert await titles("new", limit=1, cursor=first["next_cursor"]) == ["mid"]
    page = ok(await bob.api.get("/api/posts", params={"topic_id": topic["id"], "limit": 3}))
    assert page["next_cursor"] is not None
    rest = ok(await bob.api.get(
        "/api/posts", params={"topic_id": topic["id"], "limit": 3, "cursor": page["next_cursor"]}
    ))
    assert (rest["posts"], rest["next_cursor"]) == ([], None)
    refused(
        await bob.api.get("/api/posts", params={"topic_id": topic["id"], "sort": "best"}),
        400,
        "invalid",
    )
    refused(await bob.api.get("/api/posts"), 400, "invalid")
    refused(await bob.api.get("/api/posts", params={"topic_id": "missing"}), 404, "not_found")

    secret = await new_topic(alice, invite_only=True)
    hidden = await new_post(alice, secret["id"], title="hidden")
    feed = [post["id"] for post in ok(await bob.api.get("/api/posts/recent"))["posts"]]
    assert feed == [new["id"], middle["id"], old["id"]]
    mine = [
        post["id"]
        for post in ok(await alice.api.get("/api/posts/recent", params={"limit": 2}))["posts"]
    ]
    assert mine == [hidden["id"], new["id"]]


async def test_hostile_and_oversized_text(people: People) -> None:
    alice = await people.new("alice")
    topic = await new_topic(alice)
    emoji_title = "\U0001f600" * 300
    stored = await new_post(
        alice, topic["id"], title=emoji_title, body=SCRIPT + REGEX + "\u0001\u202e\\u0000"
    )
    fetched = ok(await alice.api.get(f"/api/posts/{stored['id']}"))
    assert fetched["title"] == emoji_title
    assert fetched["body"] == SCRIPT + REGEX + "\u0001\u202e\\u0000"
    long_body = await new_post(alice, topic["id"], body="b" * 40_000)
    assert len(long_body["body"]) == 40_000
    for body in (
        {"title": "\U0001f600" * 301},
        {"title": ""},
        {"title": " \t\n"},
        {"title": "ok", "body": "b" * 40_001},
        {"title": "ok", "gif_url": "http://insecure.example/x.gif"},
        {"title": "ok", "gif_url": "javascript:alert(1)"},
        {"title": "ok", "attachment_ids": ["not-uploaded"]},
        {"title": "ok", "attachment_ids": [f"f{number}" for number in range(11)]},
        {"title": "ok", "author_id": alice.user_id},
        {"title": "ok", "body": "nul \u0000 inside"},  # protocol.nul_text
        {"title": "\u0000"},
    ):
        refused(
            await alice.api.post("/api/posts", json={"topic_id": topic["id"], **body}),
            400,
            "invalid",
        )
    refused(
        await alice.api.post("/api/posts", json={"topic_id": "missing", "title": "x"}),
        404,
        "not_found",
    )
    raw = await alice.api.post(
        "/api/posts",
        content=b'{"topic_id": "x", "title": "\\ud800"}',
        headers={"Content-Type": "application/json"},
    )
    assert raw.status_code == 400


async def test_anonymous_posts_hide_their_author_from_other_users(people: People) -> None:
    owner, author, reader = (
        await people.new("owner"),
        await people.new("author"),
        await people.new("reader"),
    )
    admin = await people.new("admin", admin=True)
    topic, elsewhere = await new_topic(owner), await new_topic(owner)
    first = await new_post(author, topic["id"], anonymous=True)
    second = await new_post(author, topic["id"], anonymous=True)
    third = await new_post(author, elsewhere["id"], anonymous=True)
    alias = first["alias"]
    assert alias.startswith("anon-") and second["alias"] == alias and third["alias"] != alias
    comment = await new_comment(author, first["id"], anonymous=True)
    assert comment["alias"] == alias

    responses = [
        await reader.api.get(f"/api/posts/{first['id']}"),
        await reader.api.get("/api/posts", params={"topic_id": topic["id"]}),
        await reader.api.get("/api/posts/recent"),
        await reader.api.get(f"/api/posts/{first['id']}/comments"),
        await reader.api.get(f"/api/comments/{comment['id']}"),
        await reader.api.put(f"/api/posts/{first['id']}/vote", json={"value": 1}),
    ]
    for response in responses:
        assert response.status_code == 200, response.text
        assert author.user_id not in response.text
    assert ok(responses[0])["author_id"] == alias
    assert ok(responses[3])["comments"][0]["author_id"] == alias
    for insider in (owner, admin, author):
        assert (
            ok(await insider.api.get(f"/api/posts/{first['id']}"))["author_id"]
            == author.user_id
        )
        listed = ok(await insider.api.get(f"/api/posts/{first['id']}/comments"))["comments"]
        assert listed[0]["author_id"] == author.user_id
    assert (
        json.dumps(ok(await owner.api.get(f"/api/posts/{third['id']}"))).count(author.user_id)
        == 1
    )
