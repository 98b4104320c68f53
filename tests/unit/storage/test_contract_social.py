"""Contract: friendships (one record per pair, atomic changes) and hidden items, on each
backend."""

from __future__ import annotations

import pytest
import trio

from storage import NotFound, Store
from tests.unit.storage.support import FakeClock, unique


async def test_a_request_is_accepted_once_and_ends(store: Store, clock: FakeClock) -> None:
    alice, bob = unique("a"), unique("b")
    record, changed = await store.friends.request(alice, bob)
    assert changed and record.state == "pending" and record.created_at == clock.now
    assert (record.requester_id, record.addressee_id, record.other(alice)) == (alice, bob, bob)
    again, changed = await store.friends.request(alice, bob)
    assert (again, changed) == (record, False)
    assert await store.friends.get(bob, alice) == record
    assert [r.pair for r in await store.friends.list_requests(bob, "incoming")] == [record.pair]
    assert await store.friends.list_requests(bob, "outgoing") == []
    assert await store.friends.count(alice, "outgoing") == 1
    with pytest.raises(NotFound):
        await store.friends.accept(alice, bob)  # only the asked user accepts
    clock.advance(5)
    accepted = await store.friends.accept(bob, alice)
    assert (accepted.state, accepted.accepted_at) == ("accepted", clock.now)
    assert accepted.pair == record.pair
    assert accepted.id > record.id
    assert [r.id for r in await store.friends.list_friends(alice)] == [accepted.id]
    assert [r.id for r in await store.friends.list_friends(bob)] == [accepted.id]
    assert await store.friends.count(bob, "friends") == 1
    assert await store.friends.request(bob, alice) == (accepted, False)
    assert await store.friends.drop_request(alice, bob) is False  # not pending any more
    assert await store.friends.unfriend(bob, alice) is True
    assert await store.friends.unfriend(bob, alice) is False
    assert await store.friends.get(alice, bob) is None


async def test_crossed_requests_make_friends_exactly_once(store: Store) -> None:
    alice, bob = unique("a"), unique("b")
    results: list[bool] = []

    async def ask(asker: str, asked: str) -> None:
        _, changed = await store.friends.request(asker, asked)
        results.append(changed)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(ask, alice, bob)
        nursery.start_soon(ask, bob, alice)
    assert sorted(results) == [True, True]
    found = await store.friends.get(alice, bob)
    assert found is not None and found.state == "accepted"


async def test_requests_are_listed_newest_first_by_cursor(store: Store, clock: FakeClock) -> None:
    me = unique("me")
    others = [unique("o") for _ in range(5)]
    for other in others:
        clock.advance(1)
        await store.friends.request(other, me)
    first = await store.friends.list_requests(me, "incoming", limit=3)
    rest = await store.friends.list_requests(me, "incoming", before_id=first[-1].id, limit=3)
    assert [r.requester_id for r in first + rest] == list(reversed(others))
    assert await store.friends.drop_request(others[0], me) is True
    assert len(await store.friends.list_requests(me, "incoming")) == 4


async def test_hidden_items(store: Store, clock: FakeClock) -> None:
    me = unique("me")
    assert await store.hidden.hide(me, "topic", "t1") is True
    assert await store.hidden.hide(me, "topic", "t1") is False
    clock.advance(1)
    assert await store.hidden.hide(me, "user", "u1") is True
    clock.advance(1)
    assert await store.hidden.hide(me, "topic", "t2") is True
    assert await store.hidden.hidden_ids(me, "topic") == ["t2", "t1"]
    assert await store.hidden.hidden_ids(me, "user") == ["u1"]
    assert await store.hidden.count(me) == 3
    listed = await store.hidden.list(me, limit=2)
    assert [item.target_id for item in listed] == ["t2", "u1"]
    rest = await store.hidden.list(me, before_id=listed[-1].id)
    assert [(item.kind, item.target_id) for item in rest] == [("topic", "t1")]
    assert [item.target_id for item in await store.hidden.list(me, "user")] == ["u1"]
    assert await store.hidden.unhide(me, "topic", "t1") is True
    assert await store.hidden.unhide(me, "topic", "t1") is False
    assert await store.hidden.hidden_ids(me, "topic") == ["t2"]
    assert await store.hidden.hidden_ids(unique("other"), "topic") == []


async def test_erasing_a_user_removes_their_relations(store: Store) -> None:
    gone, friend, asker, watcher = unique("g"), unique("f"), unique("a"), unique("w")
    await store.friends.request(gone, friend)
    await store.friends.accept(friend, gone)
    await store.friends.request(asker, gone)
    await store.hidden.hide(gone, "topic", "t1")
    await store.hidden.hide(watcher, "user", gone)
    await store.hidden.hide(watcher, "topic", gone)  # a topic id that happens to match
    assert await store.friends.erase_user(gone) == 2
    assert await store.hidden.erase_user(gone) == 2
    assert await store.friends.list_friends(friend) == []
    assert await store.friends.list_requests(asker, "outgoing") == []
    assert await store.hidden.hidden_ids(watcher, "topic") == [gone]
    assert await store.hidden.hidden_ids(watcher, "user") == []
