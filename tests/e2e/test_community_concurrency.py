"""Contract: many clients joining and voting at once leave exact counts and a gap-free log."""

from __future__ import annotations

import trio

from protocol.feed_events import VoteChanged
from tests.e2e.community_support import (
    People,
    Person,
    new_comment,
    new_post,
    new_topic,
    ok,
    sequenced,
)
from tests.store_support import on_each_store

pytestmark = on_each_store("node")

CROWD = 50


async def test_fifty_clients_join_and_vote_at_once_and_every_count_is_exact(
    people: People,
) -> None:
    owner = await people.new("owner")
    crowd = [await people.new(f"voter{number}") for number in range(CROWD)]
    topic = await new_topic(owner)
    post = await new_post(owner, topic["id"])
    comment = await new_comment(owner, post["id"])
    watcher = await people.connect(owner)
    await watcher.subscribe(f"topic:{topic['id']}")

    async def take_part(number: int, person: Person) -> None:
        # Everyone joins twice; the first 30 vote up, the rest down; every third switches.
        value = 1 if number < 30 else -1
        for _ in range(2):
            ok(await person.api.post(f"/api/topics/{topic['id']}/join"))
        ok(await person.api.put(f"/api/posts/{post['id']}/vote", json={"value": value}))
        ok(
            await person.api.put(
                f"/api/comments/{comment['id']}/vote", json={"value": value}
            )
        )
        if number % 3 == 0:
            ok(await person.api.put(f"/api/posts/{post['id']}/vote", json={"value": -value}))

    async with trio.open_nursery() as nursery:
        for number, person in enumerate(crowd):
            nursery.start_soon(take_part, number, person)

    switched_up = sum(1 for number in range(30) if number % 3 == 0)
    switched_down = sum(1 for number in range(30, CROWD) if number % 3 == 0)
    upvotes = 30 - switched_up + switched_down
    downvotes = (CROWD - 30) - switched_down + switched_up
    read = ok(await owner.api.get(f"/api/posts/{post['id']}"))
    assert (read["upvotes"], read["downvotes"], read["score"]) == (
        upvotes,
        downvotes,
        upvotes - downvotes,
    )
    listed = ok(await owner.api.get(f"/api/posts/{post['id']}/comments"))["comments"][0]
    assert (listed["upvotes"], listed["downvotes"]) == (30, CROWD - 30)
    assert ok(await owner.api.get(f"/api/topics/{topic['id']}"))["member_count"] == CROWD + 1
    members = ok(await owner.api.get(f"/api/topics/{topic['id']}/members", params={"limit": 100}))[
        "members"
    ]
    assert len(members) == CROWD + 1

    # after post_created (seq 1): joins and post votes form one gap-free sequence
    events = await sequenced(
        watcher, f"topic:{topic['id']}", CROWD + CROWD + switched_up + switched_down
    )
    assert [event.seq for event in events] == list(range(2, len(events) + 2))  # type: ignore[attr-defined]
    last_vote = [event for event in events if isinstance(event, VoteChanged)][-1]
    assert (last_vote.upvotes, last_vote.downvotes) == (upvotes, downvotes)
