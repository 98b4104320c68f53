"""Contract: direct-message ids and batch reads, partial read marks, notifications read
through an id (what the direct-message actor and the notification feed rely on)."""

from __future__ import annotations

from storage import Store
from storage.keys import conversation_id, conversation_partner
from tests.unit.storage.support import FakeClock, unique


def test_conversation_ids_are_identifiers_and_name_the_partner() -> None:
    alice, bob = "0190aa11bb22cc33dd44ee55ff", "0190aa11bb22cc33dd44ee5600"
    conversation = conversation_id(alice, bob)
    assert conversation == conversation_id(bob, alice)
    assert ":" not in conversation and len(conversation) <= 64
    assert conversation_partner(conversation, alice) == bob
    assert conversation_partner(conversation, bob) == alice
    assert conversation_partner(conversation, "0190aa11bb22cc33dd44ee55") is None
    assert conversation_partner(conversation, "intruder") is None
    assert conversation_partner(conversation_id(alice, alice), alice) is None


async def test_direct_messages_get_many_in_the_order_asked(store: Store) -> None:
    alice, bob = unique("alice"), unique("bob")
    first = await store.direct_messages.send(sender_id=alice, recipient_id=bob, body="one")
    second = await store.direct_messages.send(sender_id=bob, recipient_id=alice, body="two")
    found = await store.direct_messages.get_many([second.id, "missing", first.id])
    assert [message.body for message in found] == ["two", "one"]
    assert await store.direct_messages.get_many([]) == []


async def test_direct_messages_mark_read_up_to_an_id(store: Store, clock: FakeClock) -> None:
    alice, bob = unique("alice"), unique("bob")
    sent = [
        await store.direct_messages.send(sender_id=alice, recipient_id=bob, body=f"m{number}")
        for number in range(4)
    ]
    await store.direct_messages.send(sender_id=bob, recipient_id=alice, body="answer")
    conversation = sent[0].conversation_id
    clock.advance(1)
    assert await store.direct_messages.mark_read(conversation, bob, up_to_id=sent[1].id) == 2
    assert await store.direct_messages.unread_count(bob) == 2
    assert (await store.direct_messages.get(sent[1].id)).read_at == clock.now
    assert (await store.direct_messages.get(sent[2].id)).read_at is None
    assert await store.direct_messages.mark_read(conversation, bob, up_to_id=sent[1].id) == 0
    assert await store.direct_messages.mark_read(conversation, bob) == 2
    assert await store.direct_messages.unread_count(bob) == 0
    assert await store.direct_messages.unread_count(alice) == 1


async def test_notifications_mark_read_through_an_id(store: Store) -> None:
    user, other = unique("user"), unique("other")
    created = [
        await store.notifications.create(user_id=user, kind="mention", data={"n": number})
        for number in range(4)
    ]
    foreign = await store.notifications.create(user_id=other, kind="mention")
    assert await store.notifications.mark_read(user, created[0].id)
    assert await store.notifications.mark_read_through(user, created[2].id) == 2
    assert await store.notifications.unread_count(user) == 1
    unread = await store.notifications.list_for_user(user, unread_only=True)
    assert [notification.id for notification in unread] == [created[3].id]
    assert await store.notifications.mark_read_through(user, foreign.id) == 1
    assert await store.notifications.unread_count(other) == 1
