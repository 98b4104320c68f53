"""Support tickets and report alerts, over real sockets on each store (issue 23).

A ticket's round trip — opened, answered by an admin, answered by its opener, closed —
notifies the other side live each time (kind ``ticket``); only its opener and admins
see it.  A new report notifies the topic's owner and moderators and the admins live
(kind ``report``), never its reporter nor the reported author.

Absence is shown by order: a feed is one actor, first in, first out.
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
    new_post,
    new_topic,
    ok,
    refused,
)
from tests.e2e.messaging_support import next_of
from tests.store_support import on_each_store

pytestmark = on_each_store("node")


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


async def test_a_ticket_round_trip_notifies_both_sides(people: People) -> None:
    user, admin, other = await people.new("user"), await people.new("admin", admin=True), (
        await people.new("other")
    )
    user_feed, admin_feed = await listening(people, user), await listening(people, admin)
    with trio.fail_after(DEADLINE_S):
        opened = ok(await user.api.post(
            "/api/tickets", json={"subject": "cannot log in", "body": "help please"}
        ), 201)
        ticket = opened["ticket"]
        assert (ticket["status"], ticket["user_id"], ticket["awaiting_staff"]) == (
            "open", user.user_id, True,
        )
        alert = await next_of(admin_feed, Notification)
        assert (alert.kind, alert.object_id, alert.actor_id) == (
            "ticket", ticket["id"], user.user_id,
        )
        assert "cannot log in" in alert.title

        refused(await other.api.get(f"/api/tickets/{ticket['id']}"), 404, "not_found")
        refused(await other.api.post(
            f"/api/tickets/{ticket['id']}/replies", json={"body": "me too"}
        ), 404, "not_found")
        refused(await user.api.get("/api/tickets", params={"scope": "all"}), 403, "forbidden")
        everyone = ok(await admin.api.get("/api/tickets", params={"scope": "all",
                                                                  "status": "open"}))
        assert [listed["id"] for listed in everyone["tickets"]] == [ticket["id"]]
        assert ok(await other.api.get("/api/tickets"))["tickets"] == []

        answer = ok(await admin.api.post(
            f"/api/tickets/{ticket['id']}/replies", json={"body": "try resetting"}
        ), 201)
        assert answer["reply"]["by_staff"] and not answer["ticket"]["awaiting_staff"]
        answered = await next_of(user_feed, Notification)
        assert (answered.kind, answered.object_id, answered.body) == (
            "ticket", ticket["id"], "try resetting",
        )
        ok(await user.api.post(f"/api/tickets/{ticket['id']}/replies", json={"body": "works"}),
           201)
        back = await next_of(admin_feed, Notification)
        assert (back.kind, back.body) == ("ticket", "works")

        refused(await user.api.post(f"/api/tickets/{ticket['id']}/close"), 403, "forbidden")
        closed = ok(await admin.api.post(f"/api/tickets/{ticket['id']}/close"))
        assert (closed["status"], closed["closed_by"]) == ("closed", admin.user_id)
        told = await next_of(user_feed, Notification)
        assert (told.kind, told.object_id) == ("ticket", ticket["id"])
        refused(await admin.api.post(f"/api/tickets/{ticket['id']}/close"), 409, "conflict")
        refused(await user.api.post(
            f"/api/tickets/{ticket['id']}/replies", json={"body": "one more"}
        ), 409, "conflict")

    first = ok(await user.api.get(f"/api/tickets/{ticket['id']}/replies", params={"limit": 2}))
    rest = ok(await user.api.get(
        f"/api/tickets/{ticket['id']}/replies", params={"cursor": first["next_cursor"]}
    ))
    assert [reply["body"] for reply in first["replies"] + rest["replies"]] == [
        "help please", "try resetting", "works",
    ]
    assert rest["next_cursor"] is None
    mine = ok(await user.api.get("/api/tickets", params={"status": "closed"}))
    assert [listed["id"] for listed in mine["tickets"]] == [ticket["id"]]
    assert ok(await user.api.get("/api/tickets", params={"status": "open"}))["tickets"] == []


async def test_open_tickets_are_bounded_and_listed_by_cursor(people: People) -> None:
    user = await people.new("user")
    for number in range(5):
        ok(await user.api.post(
            "/api/tickets", json={"subject": f"t{number}", "body": "x"}
        ), 201)
    refused(await user.api.post("/api/tickets", json={"subject": "t6", "body": "x"}),
            409, "conflict")
    refused(await user.api.post("/api/tickets", json={"subject": " ", "body": "x"}),
            400, "invalid")
    first = ok(await user.api.get("/api/tickets", params={"limit": 3}))
    rest = ok(await user.api.get("/api/tickets", params={"cursor": first["next_cursor"]}))
    subjects = [ticket["subject"] for ticket in first["tickets"] + rest["tickets"]]
    assert subjects == ["t4", "t3", "t2", "t1", "t0"]


async def test_a_report_alerts_the_topic_moderators_and_the_admins_live(
    people: People,
) -> None:
    owner, moderator, admin = (
        await people.new("owner"), await people.new("moderator"),
        await people.new("admin", admin=True),
    )
    author, reporter = await people.new("author"), await people.new("reporter")
    topic = await new_topic(owner)
    for member in (moderator, author):
        joined = await member.api.post(f"/api/topics/{topic['id']}/join")
        assert joined.status_code in (200, 201), joined.text
    ok(await owner.api.put(
        f"/api/topics/{topic['id']}/members/{moderator.user_id}/role", json={"role": "moderator"}
    ))
    post = await new_post(author, topic["id"])
    feeds = {person.user_id: await listening(people, person)
             for person in (owner, moderator, admin, author, reporter)}
    with trio.fail_after(DEADLINE_S):
        created = ok(await reporter.api.post("/api/reports", json={
            "item_kind": "post", "item_id": post["id"], "reason": "spam links",
        }), 201)
        for handler in (owner, moderator, admin):
            alert = await next_of(feeds[handler.user_id], Notification)
            assert (alert.kind, alert.object_id, alert.body) == (
                "report", created["id"], "spam links",
            )
            assert alert.actor_id is None  # the reporter is not named
        for bystander in (author, reporter):
            await poke(people, owner, bystander)
            first = await next_of(feeds[bystander.user_id], Notification)
            assert first.kind == "direct_message"  # no alert for them
