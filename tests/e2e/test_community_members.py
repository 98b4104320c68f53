"""Contract: joining, roles, ownership, invite-only topics, invitations and bans."""

from __future__ import annotations

import pytest
import trio

from bots.client import RequestFailed
from protocol.chat_events import Kicked, MemberJoined, MemberLeft
from protocol.control_frames import Evicted
from tests.e2e.community_support import (
    DEADLINE_S,
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


async def test_joins_and_leaves_count_once_and_members_are_listed(people: People) -> None:
    alice, bob, carol = (
        await people.new("alice"),
        await people.new("bob"),
        await people.new("carol"),
    )
    topic = await new_topic(alice)
    path = f"/api/topics/{topic['id']}"
    watcher = await people.connect(alice)
    await watcher.subscribe(f"topic:{topic['id']}")
    for _ in range(3):
        joined = ok(await bob.api.post(f"{path}/join"))
        assert (joined["user_id"], joined["role"]) == (bob.user_id, "member")
    ok(await carol.api.post(f"{path}/join"))
    assert ok(await bob.api.get(path))["member_count"] == 3
    members = ok(await bob.api.get(f"{path}/members"))["members"]
    assert [(member["user_id"], member["role"]) for member in members] == [
        (alice.user_id, "owner"),
        (bob.user_id, "member"),
        (carol.user_id, "member"),
    ]
    first = ok(await bob.api.get(f"{path}/members", params={"limit": 1}))
    second = ok(
        await bob.api.get(f"{path}/members", params={"limit": 1, "cursor": first["next_cursor"]})
    )
    assert [member["user_id"] for member in second["members"]] == [bob.user_id]
    assert second["next_cursor"] is not None
    assert ok(await bob.api.post(f"{path}/leave"))["message"] == "left the topic"
    assert ok(await bob.api.post(f"{path}/leave"))["message"] == "not a member"
    refused(await alice.api.post(f"{path}/leave"), 409, "conflict")
    assert ok(await carol.api.get(path))["member_count"] == 2
    events = await sequenced(watcher, f"topic:{topic['id']}", 3)
    assert [(type(event), event.user_id) for event in events] == [  # type: ignore[attr-defined]
        (MemberJoined, bob.user_id),
        (MemberJoined, carol.user_id),
        (MemberLeft, bob.user_id),
    ]


async def test_roles_and_ownership_transfer(people: People) -> None:
    alice, bob, carol = (
        await people.new("alice"),
        await people.new("bob"),
        await people.new("carol"),
    )
    topic = await new_topic(alice)
    path = f"/api/topics/{topic['id']}"
    ok(await bob.api.post(f"{path}/join"))
    promoted = ok(
        await alice.api.put(f"{path}/members/{bob.user_id}/role", json={"role": "moderator"})
    )
    assert promoted["role"] == "moderator"
    assert ok(await bob.api.get(path))["can_moderate"] is True
    assert (
        ok(await bob.api.patch(path, json={"description": "by a moderator"}))["description"]
        == "by a moderator"
    )
    refused(await bob.api.patch(path, json={"invite_only": True}), 403, "forbidden")
    refused(
        await bob.api.put(f"{path}/members/{alice.user_id}/role", json={"role": "member"}),
        403,
        "forbidden",
    )
    refused(
        await alice.api.put(f"{path}/members/{carol.user_id}/role", json={"role": "moderator"}),
        404,
        "not_found",
    )
    refused(
        await alice.api.put(f"{path}/members/{bob.user_id}/role", json={"role": "owner"}),
        400,
        "invalid",
    )
    refused(
        await alice.api.post(f"{path}/transfer", json={"user_id": carol.user_id}), 404, "not_found"
    )
    refused(await bob.api.post(f"{path}/transfer", json={"user_id": bob.user_id}), 403, "forbidden")
    transferred = ok(await alice.api.post(f"{path}/transfer", json={"user_id": bob.user_id}))
    assert transferred["owner_id"] == bob.user_id and transferred["my_role"] == "moderator"
    roles = {m["user_id"]: m["role"] for m in ok(await bob.api.get(f"{path}/members"))["members"]}
    assert roles == {alice.user_id: "moderator", bob.user_id: "owner"}
    assert ok(await alice.api.post(f"{path}/leave"))["message"] == "left the topic"
    refused(await bob.api.post(f"{path}/leave"), 409, "conflict")
    assert ok(await bob.api.get(path))["member_count"] == 1


async def test_invite_only_topics_need_an_accepted_invitation(people: People) -> None:
    alice, bob = await people.new("alice"), await people.new("bob")
    carol, mallory = await people.new("carol"), await people.new("mallory")
    topic = await new_topic(alice, "Secret society", invite_only=True)
    path = f"/api/topics/{topic['id']}"
    post = await new_post(alice, topic["id"])
    comment = await new_comment(alice, post["id"])

    for outsider in (mallory, bob):
        refused(await outsider.api.get(path), 403, "forbidden")
        refused(await outsider.api.post(f"{path}/join"), 403, "forbidden")
        refused(await outsider.api.get(f"{path}/members"), 403, "forbidden")
        refused(
            await outsider.api.get("/api/posts", params={"topic_id": topic["id"]}), 403, "forbidden"
        )
        refused(
            await outsider.api.post("/api/posts", json={"topic_id": topic["id"], "title": "hi"}),
            403,
            "forbidden",
        )
        refused(await outsider.api.get(f"/api/posts/{post['id']}"), 403, "forbidden")
        refused(await outsider.api.get(f"/api/posts/{post['id']}/comments"), 403, "forbidden")
        refused(
            await outsider.api.post(f"/api/posts/{post['id']}/comments", json={"body": "x"}),
            403,
            "forbidden",
        )
        refused(
            await outsider.api.put(f"/api/posts/{post['id']}/vote", json={"value": 1}),
            403,
            "forbidden",
        )
        refused(await outsider.api.get(f"/api/comments/{comment['id']}"), 403, "forbidden")
        assert ok(await outsider.api.get("/api/topics"))["topics"] == []
        assert ok(await outsider.api.get("/api/posts/recent"))["posts"] == []
    client = await people.connect(mallory)
    for channel in (f"topic:{topic['id']}", f"post:{post['id']}"):
        for since in (None, 0):
            with pytest.raises(RequestFailed) as subscribe:
                await client.subscribe(channel, since_seq=since)
            assert subscribe.value.code == "forbidden"

    refused(
        await bob.api.post(f"{path}/invitations", json={"user_id": carol.user_id}), 403, "forbidden"
    )
    for invitee in (bob, carol):
        invited = ok(
            await alice.api.post(f"{path}/invitations", json={"user_id": invitee.user_id}), 201
        )
        assert (invited["topic_id"], invited["invited_by"]) == (topic["id"], alice.user_id)
    refused(
        await alice.api.post(f"{path}/invitations", json={"user_id": "nobody"}), 404, "not_found"
    )
    mine = ok(await bob.api.get("/api/topics/invitations"))["invitations"]
    assert [(item["topic_id"], item["topic_title"]) for item in mine] == [
        (topic["id"], "Secret society")
    ]
    assert ok(await bob.api.get(path))["title"] == "Secret society"  # invitees see the topic
    refused(await bob.api.get("/api/posts", params={"topic_id": topic["id"]}), 403, "forbidden")

    accepted = ok(await bob.api.post(f"{path}/invitations/accept"))
    assert accepted["role"] == "member"
    assert ok(await bob.api.get("/api/topics/invitations"))["invitations"] == []
    assert [
        p["id"]
        for p in ok(await bob.api.get("/api/posts", params={"topic_id": topic["id"]}))["posts"]
    ] == [post["id"]]
    assert [t["id"] for t in ok(await bob.api.get("/api/topics"))["topics"]] == [topic["id"]]
    await (await people.connect(bob)).subscribe(f"topic:{topic['id']}")
    refused(
        await alice.api.post(f"{path}/invitations", json={"user_id": bob.user_id}), 409, "conflict"
    )

    ok(await carol.api.post(f"{path}/invitations/decline"))
    refused(await carol.api.post(f"{path}/invitations/accept"), 404, "not_found")
    refused(await carol.api.post(f"{path}/join"), 403, "forbidden")
    assert ok(await alice.api.get(path))["member_count"] == 2


async def test_bans_remove_refuse_and_are_lifted(people: People) -> None:
    alice, bob = await people.new("alice"), await people.new("bob")
    moderator, other_moderator = await people.new("mod"), await people.new("mod2")
    topic = await new_topic(alice)
    path = f"/api/topics/{topic['id']}"
    for person in (bob, moderator, other_moderator):
        ok(await person.api.post(f"{path}/join"))
    for person in (moderator, other_moderator):
        ok(await alice.api.put(f"{path}/members/{person.user_id}/role", json={"role": "moderator"}))
    post = await new_post(alice, topic["id"])
    watcher = await people.connect(alice)
    await watcher.subscribe(f"topic:{topic['id']}")
    banned_client = await people.connect(bob)
    await banned_client.subscribe(f"topic:{topic['id']}")

    refused(await bob.api.post(f"{path}/bans", json={"user_id": alice.user_id}), 403, "forbidden")
    refused(
        await moderator.api.post(f"{path}/bans", json={"user_id": alice.user_id}), 403, "forbidden"
    )
    refused(
        await moderator.api.post(f"{path}/bans", json={"user_id": other_moderator.user_id}),
        403,
        "forbidden",
    )
    refused(
        await moderator.api.post(f"{path}/bans", json={"user_id": moderator.user_id}),
        409,
        "conflict",
    )
    refused(
        await moderator.api.post(
            f"{path}/bans", json={"user_id": bob.user_id, "duration_seconds": 0}
        ),
        400,
        "invalid",
    )
    ban = ok(
        await moderator.api.post(
            f"{path}/bans",
            json={"user_id": bob.user_id, "reason": "spam <b>again</b>", "duration_seconds": 3600},
        ),
        201,
    )
    assert (ban["user_id"], ban["banned_by"], ban["reason"]) == (
        bob.user_id,
        moderator.user_id,
        "spam <b>again</b>",
    )
    assert 3_590_000 <= ban["expires_at"] - ban["created_at"] <= 3_600_000
    (kicked,) = await sequenced(watcher, f"topic:{topic['id']}", 1)
    assert isinstance(kicked, Kicked)
    assert (kicked.user_id, kicked.moderator_id, kicked.banned, kicked.reason) == (
        bob.user_id,
        moderator.user_id,
        True,
        "spam <b>again</b>",
    )
    assert kicked.ban_expires_at == ban["expires_at"]
    with trio.fail_after(DEADLINE_S):
        while not isinstance(event := await banned_client.next_event(), Evicted):
            pass
    assert (event.channel, event.reason) == (f"topic:{topic['id']}", "banned")

    assert ok(await alice.api.get(path))["member_count"] == 3
    refused(await bob.api.post(f"{path}/join"), 403, "forbidden")
    refused(
        await bob.api.post("/api/posts", json={"topic_id": topic["id"], "title": "x"}),
        403,
        "forbidden",
    )
    refused(
        await bob.api.put(f"/api/posts/{post['id']}/vote", json={"value": -1}),
        403,
        "forbidden",
    )
    refused(
        await bob.api.post(f"/api/posts/{post['id']}/comments", json={"body": "x"}),
        403,
        "forbidden",
    )
    ok(await bob.api.get(f"/api/posts/{post['id']}"))  # a public topic stays readable
    refused(await bob.api.get(f"{path}/bans"), 403, "forbidden")
    bans = ok(await moderator.api.get(f"{path}/bans"))["bans"]
    assert [(item["user_id"], item["reason"]) for item in bans] == [
        (bob.user_id, "spam <b>again</b>")
    ]

    permanent = ok(
        await alice.api.post(f"{path}/bans", json={"user_id": other_moderator.user_id}), 201
    )
    assert permanent["expires_at"] is None
    assert ok(await moderator.api.delete(f"{path}/bans/{bob.user_id}"))["message"] == "ban lifted"
    assert (
        ok(await moderator.api.delete(f"{path}/bans/{bob.user_id}"))["message"] == "no ban in force"
    )
    ok(await bob.api.post(f"{path}/join"))
    assert ok(await alice.api.get(path))["member_count"] == 3
