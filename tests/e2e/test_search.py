"""Search (issue 22) end to end on both stores: what the caller may read and nothing
else, ranked, highlighted and paged."""

from __future__ import annotations

from typing import Any

import httpx

from storage.keys import conversation_id
from storage.protocols import Store
from tests.e2e.chat_support import make_room
from tests.e2e.conftest import LoggedIn, log_in_new_user
from tests.e2e.messaging_support import api
from tests.store_support import on_each_store
from topicsflow.node import NodeHandle

pytestmark = on_each_store("node")


def the_store(node: NodeHandle) -> Store:
    assert node.context.store is not None
    return node.context.store


async def found(http: httpx.AsyncClient, path: str, **params: Any) -> list[dict[str, Any]]:
    reply = await http.get(f"/api/search/{path}", params=params)
    assert reply.status_code == 200, reply.text
    results: list[dict[str, Any]] = reply.json()["results"]
    return results


def highlighted(fragments: list[dict[str, Any]]) -> list[str]:
    return [fragment["text"] for fragment in fragments if fragment["highlighted"]]


async def test_messages_are_found_by_members_and_participants_only(node: NodeHandle) -> None:
    alice, bob = await log_in_new_user(node, "alice"), await log_in_new_user(node, "bob")
    mallory = await log_in_new_user(node, "mallory")
    room_id = await make_room(node, alice, bob)
    async with api(node, alice) as a, api(node, bob) as b, api(node, mallory) as m:
        sent = await a.post(f"/api/chat-rooms/{room_id}/messages",
                            json={"text": "The quarterly Budget review is on Friday"})
        assert sent.status_code == 201
        await a.post(f"/api/chat-rooms/{room_id}/messages", json={"text": "unrelated chatter"})
        dm = await a.post("/api/messages/direct",
                          json={"recipient_id": bob.user_id, "text": "budget secrets, quietly"})
        assert dm.status_code == 201

        hits = await found(b, "messages", q="budg")
        assert [(hit["room_id"], hit["seq"]) for hit in hits] == [
            (room_id, sent.json()["seq"])
        ]
        assert hits[0]["id"] == sent.json()["message"]["id"]
        assert highlighted(hits[0]["snippet"]) == ["Budget"]
        assert await found(m, "messages", q="budget") == []
        assert (await m.get("/api/search/messages",
                            params={"q": "budget", "room_id": room_id})).status_code == 403

        conversation = conversation_id(alice.user_id, bob.user_id)
        dm_hits = await found(b, "direct-messages", q="SECRET")
        assert [hit["conversation_id"] for hit in dm_hits] == [conversation]
        assert await found(m, "direct-messages", q="secret") == []
        assert (await m.get("/api/search/direct-messages",
                            params={"q": "secret", "conversation_id": conversation})
                ).status_code == 403
        hidden = await b.delete(
            f"/api/messages/conversations/{conversation}/messages/{dm.json()['message']['id']}",
            params={"scope": "me"},
        )
        assert hidden.status_code == 200
        assert await found(b, "direct-messages", q="secret") == []
        assert len(await found(a, "direct-messages", q="secret")) == 1

        message_id = sent.json()["message"]["id"]
        await a.patch(f"/api/chat-rooms/{room_id}/messages/{message_id}",
                      json={"text": "the yearly plan"})
        assert await found(b, "messages", q="budget") == []
        assert len(await found(b, "messages", q="yearly plan")) == 1
        await a.delete(f"/api/chat-rooms/{room_id}/messages/{message_id}")
        assert await found(b, "messages", q="yearly") == []


async def test_posts_comments_and_topics_respect_topic_access(node: NodeHandle) -> None:
    store = the_store(node)
    owner, member = await log_in_new_user(node, "owner"), await log_in_new_user(node, "member")
    outsider = await log_in_new_user(node, "outsider")
    garden = await store.topics.create(owner_id=owner.user_id, title="Gardening club",
                                       description="tomatoes and compost")
    hidden = await store.topics.create(owner_id=owner.user_id, title="Hidden garden",
                                       description="a secret place", is_private=True)
    await store.topics.members.join(hidden.id, member.user_id)
    in_title = await store.posts.create(topic_id=garden.id, author_id=owner.user_id,
                                        title="Compost guide", body="how to start")
    in_body = await store.posts.create(topic_id=garden.id, author_id=owner.user_id,
                                       title="Weekly notes", body="we talked about compost")
    secret = await store.posts.create(topic_id=hidden.id, author_id=owner.user_id,
                                      title="Private compost", body="members only")
    comment = await store.comments.create(post_id=in_body.id, author_id=member.user_id,
                                          body="Composting works <script>")
    hidden_comment = await store.comments.create(post_id=secret.id, author_id=member.user_id,
                                                 body="compost in secret")
    async with api(node, member) as inside, api(node, outsider) as out:
        ids = [hit["id"] for hit in await found(inside, "posts", q="compost")]
        assert set(ids) == {in_title.id, in_body.id, secret.id}
        assert ids.index(in_title.id) < ids.index(in_body.id)  # a title weighs more
        assert {hit["id"] for hit in await found(out, "posts", q="compost")} == {
            in_title.id, in_body.id,
        }
        scoped = await found(inside, "posts", q="compost", topic_id=garden.id)
        assert {hit["topic_id"] for hit in scoped} == {garden.id}

        comments = await found(inside, "comments", q="compost")
        assert {hit["id"] for hit in comments} == {comment.id, hidden_comment.id}
        assert [hit["id"] for hit in await found(out, "comments", q="compost")] == [comment.id]
        by_id = {hit["id"]: hit for hit in comments}
        assert by_id[comment.id]["post_id"] == in_body.id
        assert "".join(f["text"] for f in by_id[comment.id]["snippet"]) == (
            "Composting works <script>"
        )

        assert {hit["id"] for hit in await found(inside, "topics", q="garden")} == {
            garden.id, hidden.id,
        }
        topics = await found(out, "topics", q="garden")
        assert [hit["id"] for hit in topics] == [garden.id]
        assert highlighted(topics[0]["title"]) == ["Gardening"]

        await store.posts.delete(in_body.id)  # its comments go with it
        assert {hit["id"] for hit in await found(out, "posts", q="compost")} == {in_title.id}
        assert await found(out, "comments", q="compost") == []
        await store.posts.restore(in_body.id)
        assert [hit["id"] for hit in await found(out, "comments", q="compost")] == [comment.id]

        await store.topics.update(garden.id, is_private=True)  # now members only
        assert await found(out, "posts", q="compost") == []
        assert await found(out, "topics", q="garden") == []
        await store.topics.delete(hidden.id)
        assert {hit["id"] for hit in await found(inside, "posts", q="compost")} == set()
        assert await found(inside, "topics", q="hidden") == []


async def test_pages_follow_the_ranking_with_cursors(node: NodeHandle) -> None:
    alice = await log_in_new_user(node, "alice")
    room_id = await make_room(node, alice)
    async with api(node, alice) as a:
        seqs = []
        for number in range(5):
            sent = await a.post(f"/api/chat-rooms/{room_id}/messages",
                                json={"text": f"alpha report {number}"})
            seqs.append(sent.json()["seq"])
        seen: list[int] = []
        cursor = None
        for _ in range(3):
            params: dict[str, Any] = {"q": "alpha", "limit": 2}
            if cursor is not None:
                params["cursor"] = cursor
            page = (await a.get("/api/search/messages", params=params)).json()
            seen += [hit["seq"] for hit in page["results"]]
            cursor = page["next_cursor"]
        assert cursor is None
        assert seen == sorted(seqs, reverse=True)  # equal relevance: the newest first
        bad = await a.get("/api/search/messages", params={"q": "alpha", "cursor": "x!"})
        assert bad.status_code == 400


async def test_search_input_is_data(node: NodeHandle) -> None:
    alice = await log_in_new_user(node, "alice")
    room_id = await make_room(node, alice)
    async with api(node, alice) as a:
        await a.post(f"/api/chat-rooms/{room_id}/messages", json={"text": "NEAR the OR gate"})
        for hostile in ('"', "NEAR(", "* OR *", ".*", "a\"b OR c*", "'; DROP TABLE users; --",
                        "{$gt: ''}", "^near$"):
            reply = await a.get("/api/search/messages", params={"q": hostile})
            assert reply.status_code == 200, (hostile, reply.text)
        assert len(await found(a, "messages", q="near(")) == 1  # the word, not the operator
        assert await found(a, "messages", q=".*") == []
        too_long = await a.get("/api/search/messages", params={"q": "x" * 201})
        assert too_long.status_code == 400


async def test_users_by_prefix_and_substring_never_show_emails(node: NodeHandle) -> None:
    users: list[LoggedIn] = [
        await log_in_new_user(node, name) for name in ("river", "riverside", "deepriver", "rover")
    ]
    async with api(node, users[0]) as http:
        reply = await http.get("/api/search/users", params={"q": "River"})
        assert reply.status_code == 200
        names = [user["username"] for user in reply.json()["users"]]
        assert names == ["river", "riverside", "deepriver"]  # exact, prefix, substring
        assert "@" not in reply.text and "email" not in reply.text
        assert [u["username"] for u in (await http.get(
            "/api/search/users", params={"q": "ro"})).json()["users"]] == ["rover"]
        first = (await http.get("/api/search/users", params={"q": "river", "limit": 2})).json()
        rest = (await http.get("/api/search/users", params={
            "q": "river", "limit": 2, "cursor": first["next_cursor"]})).json()
        assert [u["username"] for u in first["users"] + rest["users"]] == names
        assert rest["next_cursor"] is None
