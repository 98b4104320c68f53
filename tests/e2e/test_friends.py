"""Friends end to end, on each store: requests, notifications, accept, decline, withdraw,
remove, lists paged by cursor, blocks, and taking direct messages from friends only."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import trio

from bots.client_connection import RequestFailed
from protocol.client_frames import SendDirectMessage
from protocol.feed_events import Notification
from tests.e2e.community_support import DEADLINE_S, People, Person, ok, refused
from tests.e2e.messaging_support import next_of
from tests.store_support import on_each_store

pytestmark = on_each_store("node")


async def ask(asker: Person, asked: Person, status: int = 201) -> dict[str, Any]:
    """Ask ``asked`` to be friends; the request as answered with ``status``."""
    body = {"user_id": asked.user_id}
    answer: dict[str, Any] = ok(await asker.api.post("/api/friends/requests", json=body), status)
    return answer


async def friend_ids(person: Person, **query: object) -> list[str]:
    page = ok(await person.api.get("/api/friends", params=query))
    return [friend["user"]["id"] for friend in page["friends"]]


async def request_ids(person: Person, direction: str) -> list[str]:
    page = ok(await person.api.get("/api/friends/requests", params={"direction": direction}))
    return [request["user"]["id"] for request in page["requests"]]


async def test_the_full_round_trip_with_live_notifications(people: People) -> None:
    alice, bob = await people.new("alice"), await people.new("bob")
    alice_client, bob_client = await people.connect(alice), await people.connect(bob)
    await alice_client.subscribe(f"user:{alice.user_id}")
    await bob_client.subscribe(f"user:{bob.user_id}")
    with trio.fail_after(DEADLINE_S):
        sent = await ask(alice, bob)
        assert (sent["state"], sent["direction"], sent["user"]["id"]) == (
            "pending", "outgoing", bob.user_id,
        )
        assert isinstance(sent["created_at"], int) and sent["accepted_at"] is None
        told = await next_of(bob_client, Notification)
        assert (told.kind, told.actor_id) == ("friend_request", alice.user_id)
        assert "asked to be your friend" in told.title

        again = await ask(alice, bob, 200)  # asked before: nothing changes, nobody is told
        assert again["id"] == sent["id"]
        assert await request_ids(bob, "incoming") == [alice.user_id]
        assert await request_ids(alice, "outgoing") == [bob.user_id]
        assert await request_ids(alice, "incoming") == []

        accepted = ok(await bob.api.post(f"/api/friends/requests/{alice.user_id}/accept"))
        assert (accepted["state"], accepted["direction"]) == ("accepted", "incoming")
        assert isinstance(accepted["accepted_at"], int)
        told = await next_of(alice_client, Notification)
        assert (told.kind, told.actor_id) == ("friend_accepted", bob.user_id)

    assert await friend_ids(alice) == [bob.user_id]
    assert await friend_ids(bob) == [alice.user_id]
    assert await request_ids(bob, "incoming") == []
    feed = ok(await bob.api.get("/api/notifications"))
    assert [item["kind"] for item in feed["notifications"]] == ["friend_request"]

    refused(await alice.api.post("/api/friends/requests", json={"user_id": bob.user_id}),
            409, "conflict")
    refused(await bob.api.post(f"/api/friends/requests/{alice.user_id}/accept"), 404, "not_found")
    ok(await bob.api.delete(f"/api/friends/{alice.user_id}"))
    assert await friend_ids(alice) == []
    refused(await alice.api.delete(f"/api/friends/{bob.user_id}"), 404, "not_found")


async def test_declined_withdrawn_and_crossed_requests(people: People) -> None:
    carol, dave = await people.new("carol"), await people.new("dave")
    erin = await people.new("erin")
    await ask(carol, dave)
    ok(await dave.api.post(f"/api/friends/requests/{carol.user_id}/decline"))
    assert await request_ids(dave, "incoming") == []
    refused(await dave.api.post(f"/api/friends/requests/{carol.user_id}/decline"), 404, "not_found")
    await ask(carol, dave)  # a declined request may be made again
    ok(await carol.api.delete(f"/api/friends/requests/{dave.user_id}"))
    assert await request_ids(carol, "outgoing") == []
    refused(await carol.api.delete(f"/api/friends/requests/{dave.user_id}"), 404, "not_found")
    # only the asked user accepts
    await ask(carol, erin)
    refused(await carol.api.post(f"/api/friends/requests/{erin.user_id}/accept"), 404, "not_found")

    carol_client = await people.connect(carol)
    await carol_client.subscribe(f"user:{carol.user_id}")
    with trio.fail_after(DEADLINE_S):
        crossed = await ask(erin, carol)  # erin asks back: friends at once
        assert crossed["state"] == "accepted"
        told = await next_of(carol_client, Notification)
        assert (told.kind, told.actor_id) == ("friend_accepted", erin.user_id)
    assert await friend_ids(carol) == [erin.user_id]


async def test_blocks_and_bad_requests_are_refused(people: People) -> None:
    gina, hank = await people.new("gina"), await people.new("hank")
    ok(await gina.api.put(f"/api/users/me/blocks/{hank.user_id}"))
    message = refused(
        await hank.api.post("/api/friends/requests", json={"user_id": gina.user_id}),
        403, "forbidden",
    )
    assert "does not accept" in message
    refused(await gina.api.post("/api/friends/requests", json={"user_id": hank.user_id}),
            403, "forbidden")
    refused(await gina.api.post("/api/friends/requests", json={"user_id": gina.user_id}),
            400, "invalid")
    refused(await gina.api.post("/api/friends/requests", json={"user_id": "0" * 26}),
            404, "not_found")
    refused(await gina.api.post("/api/friends/requests", json={"user_id": gina.user_id, "x": 1}),
            400, "invalid")
    # a block after the request: accepting is refused too
    ivan = await people.new("ivan")
    await ask(ivan, gina)
    ok(await gina.api.put(f"/api/users/me/blocks/{ivan.user_id}"))
    refused(await gina.api.post(f"/api/friends/requests/{ivan.user_id}/accept"), 403, "forbidden")


async def test_friends_are_paged_by_cursor(people: People) -> None:
    me = await people.new("me")
    others = [await people.new(f"friend{index}") for index in range(5)]
    for other in others:
        await ask(me, other)
        ok(await other.api.post(f"/api/friends/requests/{me.user_id}/accept"))
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, object] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = ok(await me.api.get("/api/friends", params=params))
        assert 1 <= len(page["friends"]) <= 2
        seen += [friend["user"]["id"] for friend in page["friends"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [other.user_id for other in reversed(others)]  # newest friendship first
    refused(await me.api.get("/api/friends", params={"cursor": "nonsense"}), 400, "invalid")


async def test_dms_from_friends_only(people: People) -> None:
    bob, friend, stranger = await people.new("bob"), await people.new("pal"), await people.new("x")
    await ask(friend, bob)
    ok(await bob.api.post(f"/api/friends/requests/{friend.user_id}/accept"))

    async def dm(sender: Person) -> httpx.Response:
        return await sender.api.post(
            "/api/messages/direct", json={"recipient_id": bob.user_id, "text": "hi"}
        )

    first = ok(await dm(stranger), 201)  # before the setting: open to everyone
    assert ok(await bob.api.get("/api/friends/settings")) == {"dms_from_friends_only": False}
    settings = {"dms_from_friends_only": True}
    assert ok(await bob.api.put("/api/friends/settings", json=settings)) == settings
    preferences = ok(await bob.api.get("/api/users/me/preferences"))["preferences"]
    assert preferences["dms_from_friends_only"] is True

    message = refused(await dm(stranger), 403, "forbidden")
    assert message == "this user takes direct messages from friends only"
    stranger_client = await people.connect(stranger)  # the WebSocket path: same rule
    with trio.fail_after(DEADLINE_S), pytest.raises(RequestFailed) as failed:
        await stranger_client.request(SendDirectMessage, recipient_id=bob.user_id, text="yo")
    assert (failed.value.code, failed.value.message) == ("forbidden", message)
    # the conversation opened before the setting follows the same rule for new messages
    refused(
        await stranger.api.post(
            f"/api/messages/conversations/{first['channel'].split(':', 1)[1]}/messages",
            json={"text": "still there?"},
        ),
        403, "forbidden",
    )
    ok(await dm(friend), 201)
    ok(await bob.api.delete(f"/api/friends/{friend.user_id}"))
    refused(await dm(friend), 403, "forbidden")  # no longer friends
    # the recipient still writes to anyone
    back = await bob.api.post(
        "/api/messages/direct", json={"recipient_id": stranger.user_id, "text": "hello"}
    )
    ok(back, 201)
    ok(await bob.api.put("/api/friends/settings", json={"dms_from_friends_only": False}))
    ok(await dm(stranger), 201)
