"""Contract: push subscriptions (bounded, one owner per endpoint), delivery preferences
and the digest queue (bounded, at most one digest per interval)."""

from __future__ import annotations

import pytest

from storage import Conflict, Store
from tests.unit.storage.support import FakeClock, unique


async def test_subscriptions_are_bounded_replaced_and_taken_over(store: Store) -> None:
    bob, eve = unique("bob"), unique("eve")
    delivery = store.delivery
    endpoint = f"https://push.example.org/{unique('e')}"
    first = await delivery.add_subscription(
        user_id=bob, endpoint=endpoint, p256dh="p1", auth="a1", limit=2
    )
    again = await delivery.add_subscription(
        user_id=bob, endpoint=endpoint, p256dh="p2", auth="a2", limit=2
    )
    assert again.id == first.id and (again.p256dh, again.auth) == ("p2", "a2")
    other = await delivery.add_subscription(
        user_id=bob, endpoint=endpoint + "x", p256dh="p", auth="a", limit=2
    )
    with pytest.raises(Conflict):
        await delivery.add_subscription(
            user_id=bob, endpoint=endpoint + "y", p256dh="p", auth="a", limit=2
        )
    assert await delivery.subscriptions(bob) == [again, other]
    assert await delivery.subscriptions(bob, after=again.id) == [other]
    taken = await delivery.add_subscription(
        user_id=eve, endpoint=endpoint, p256dh="p3", auth="a3", limit=2
    )
    assert await delivery.subscriptions(bob) == [other]
    assert await delivery.subscriptions(eve) == [taken]
    assert not await delivery.remove_subscription(bob, taken.id)
    assert await delivery.remove_subscription(eve, taken.id)
    await delivery.remove_endpoint(other.endpoint)
    assert await delivery.subscriptions(bob) == []


async def test_the_digest_is_due_at_most_once_per_interval(
    store: Store, clock: FakeClock
) -> None:
    user = unique("user")
    delivery = store.delivery
    assert (await delivery.preferences(user)).mode == "push"
    await delivery.set_mode(user, "email")
    for number in range(3):
        await delivery.queue_digest(
            user_id=user, kind="mention", title=f"t{number}", body="b", link=None,
            interval=60.0, limit=2,
        )
    assert user in await delivery.due_digests(clock.time(), 1000)
    assert await delivery.claim_digest(user, clock.time(), 300.0)
    assert not await delivery.claim_digest(user, clock.time(), 300.0)  # one taker
    assert user not in await delivery.due_digests(clock.time(), 1000)
    items = await delivery.digest_items(user, 10)
    assert [item.title for item in items] == ["t0", "t1"]
    assert (await delivery.preferences(user)).overflow == 1
    await delivery.digest_sent(user, [item.id for item in items], at=clock.time(), interval=60.0)
    sent = await delivery.preferences(user)
    assert (sent.last_digest_at, sent.digest_due_at, sent.overflow) == (clock.time(), None, 0)
    await delivery.queue_digest(
        user_id=user, kind="direct_message", title="later", body="", link="/x",
        interval=60.0, limit=2,
    )
    assert user not in await delivery.due_digests(clock.time(), 1000)
    clock.advance(60.0)
    assert user in await delivery.due_digests(clock.time(), 1000)
    await delivery.set_mode(user, "push")
    assert await delivery.digest_items(user, 10) == []
    assert user not in await delivery.due_digests(clock.time(), 1000)


async def test_erasing_a_user_forgets_their_delivery(store: Store) -> None:
    user = unique("user")
    delivery = store.delivery
    await delivery.add_subscription(
        user_id=user, endpoint=f"https://push.example.org/{user}", p256dh="p", auth="a",
        limit=5,
    )
    await delivery.set_mode(user, "both")
    await delivery.queue_digest(
        user_id=user, kind="mention", title="t", body="", link=None, interval=1.0, limit=5
    )
    await delivery.erase_user(user)
    assert await delivery.subscriptions(user) == []
    assert await delivery.digest_items(user, 10) == []
    assert (await delivery.preferences(user)).mode == "push"
