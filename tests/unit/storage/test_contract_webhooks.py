"""Contract: webhooks, their bounded delivery queue and their bounded delivery log."""

from __future__ import annotations

import msgspec
import pytest

from storage import Conflict, NotFound, Store
from storage.records.webhooks import DeliveryAttempt
from tests.unit.storage.support import FakeClock, unique


async def test_webhooks_are_bounded_per_owner_and_sealed_per_id(
    store: Store, clock: FakeClock
) -> None:
    owner = unique("owner")
    seals: list[str] = []

    def seal(webhook_id: str) -> str:
        seals.append(webhook_id)
        return "sealed:" + webhook_id

    first = await store.webhooks.create(
        owner_id=owner, scope="chat_room", scope_id="r1", url="https://example.org/a",
        events=("message_created",), seal=seal, limit=2,
    )
    assert first.secret == f"sealed:{first.id}"
    assert seals == [first.id]
    assert first.active and first.retry_at is None
    assert first.channel == "chat_room:r1"
    second = await store.webhooks.create(
        owner_id=owner, scope="topic", scope_id="t1", url="https://example.org/b",
        events=("post_created", "comment_created"), seal=seal, limit=2,
    )
    with pytest.raises(Conflict):
        await store.webhooks.create(
            owner_id=owner, scope="topic", scope_id="t2", url="https://example.org/c",
            events=("post_created",), seal=seal, limit=2,
        )
    assert await store.webhooks.get(second.id) == second
    page = await store.webhooks.list_for_owner(owner, after=None, limit=1)
    assert [hook.id for hook in page] == [first.id]
    rest = await store.webhooks.list_for_owner(owner, after=first.id, limit=5)
    assert [hook.id for hook in rest] == [second.id]

    clock.advance(5)
    paused = msgspec.structs.replace(second, active=False, retry_at=clock.now - 1)
    assert await store.webhooks.save(paused) == paused
    due = msgspec.structs.replace(first, retry_at=clock.now - 2)
    await store.webhooks.save(due)
    active_ids = {hook.id for hook in await store.webhooks.list_active(10_000)}
    assert first.id in active_ids
    assert second.id not in active_ids
    found = await store.webhooks.list_due(clock.now, 10_000)
    assert first.id in found
    assert second.id not in found  # inactive webhooks are not woken
    assert first.id not in await store.webhooks.list_due(clock.now - 3, 10_000)

    await store.webhooks.delete(second.id)
    with pytest.raises(NotFound):
        await store.webhooks.get(second.id)
    with pytest.raises(NotFound):
        await store.webhooks.save(second)
    await store.webhooks.delete(second.id)  # no error when absent


async def test_the_queue_is_ordered_idempotent_and_bounded(store: Store, clock: FakeClock) -> None:
    hook = unique("hook")
    for number in range(3):
        assert await store.webhooks.enqueue(
            webhook_id=hook, delivery_id=f"d{number}", event="message_created",
            body=f'{{"n": {number}}}', limit=3,
        )
    assert await store.webhooks.enqueue(  # already queued: a no-op, not a refusal
        webhook_id=hook, delivery_id="d1", event="message_created", body="{}", limit=3
    )
    assert not await store.webhooks.enqueue(
        webhook_id=hook, delivery_id="d3", event="message_created", body="{}", limit=3
    )
    assert await store.webhooks.queued(hook) == 3
    head = await store.webhooks.head(hook)
    assert head is not None
    assert (head.delivery_id, head.body, head.attempts) == ("d0", '{"n": 0}', 0)
    await store.webhooks.attempted(head.id, 2)
    again = await store.webhooks.head(hook)
    assert again is not None
    assert again.attempts == 2
    await store.webhooks.dequeue(head.id)
    following = await store.webhooks.head(hook)
    assert following is not None
    assert following.delivery_id == "d1"
    assert await store.webhooks.queued(hook) == 2
    assert await store.webhooks.head(unique("other")) is None


async def test_the_log_keeps_the_newest_and_pages_back(store: Store, clock: FakeClock) -> None:
    hook = unique("hook")
    stored = []
    for number in range(5):
        clock.advance(1)
        stored.append(
            await store.webhooks.log_attempt(
                DeliveryAttempt(
                    id="", webhook_id=hook, delivery_id="d", event="ping", attempt=number + 1,
                    outcome="failed", status_code=500, latency_ms=3, error="HTTP 500",
                    response_excerpt="nope", at=clock.now,
                ),
                keep=3,
            )
        )
    assert all(entry.id for entry in stored)
    newest = await store.webhooks.attempts(hook, before=None, limit=2)
    assert [entry.attempt for entry in newest] == [5, 4]
    older = await store.webhooks.attempts(hook, before=newest[-1].id, limit=10)
    assert [entry.attempt for entry in older] == [3]  # the two oldest were pruned
    assert older[0] == stored[2]
