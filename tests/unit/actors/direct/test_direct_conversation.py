"""The direct-message conversation actor on the in-memory store: seqs, read marks, refusals.

Runs on the real clock (the store has a worker thread) and waits on actor replies only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from actors.direct.commands import (
    DIRECT_CONVERSATION,
    CheckParticipant,
    EditDirect,
    HideDirect,
    MarkDirectRead,
    SendDirect,
    UnsendDirect,
)
from actors.direct.log import DirectHistory
from actors.realtime.hub import Hub
from protocol.chat_events import MessageCreated, MessageDeleted
from protocol.control_frames import MessageAccepted
from services.errors import DomainError
from storage import Store, open_store
from storage.keys import conversation_id
from supervisors.domain import actor_kinds
from supervisors.registry import open_registry


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    async with open_store(None) as opened:
        yield opened


async def users(store: Store, *names: str) -> list[str]:
    created = [
        await store.users.create(username=name, email=f"{name}@example.org", password_hash="-")
        for name in names
    ]
    return [user.id for user in created]


async def test_events_are_gap_free_and_read_marks_cover_the_newest_message(store: Store) -> None:
    alice, bob = await users(store, "alice", "bob")
    conversation = conversation_id(alice, bob)
    async with open_registry(actor_kinds(store, Hub())) as registry:
        actor = registry.ref(DIRECT_CONVERSATION, conversation)
        first: MessageAccepted = await actor.ask(SendDirect(user_id=alice, text="one"))
        second: MessageAccepted = await actor.ask(SendDirect(user_id=alice, text="two"))
        edit: MessageAccepted = await actor.ask(
            EditDirect(user_id=alice, message_id=first.message_id, text="one!")
        )
        assert [first.seq, second.seq, edit.seq] == [1, 2, 3]
        await actor.ask(MarkDirectRead(user_id=bob, up_to_seq=1))
        assert await store.direct_messages.unread_count(bob) == 1
    async with open_registry(actor_kinds(store, Hub())) as registry:
        actor = registry.ref(DIRECT_CONVERSATION, conversation)
        await actor.ask(MarkDirectRead(user_id=bob, up_to_seq=3))  # seq 3 edits "one"
        assert await store.direct_messages.unread_count(bob) == 0
        unsent: MessageAccepted = await actor.ask(
            UnsendDirect(user_id=alice, message_id=second.message_id)
        )
        assert unsent.seq == 4


async def test_a_send_retried_after_a_restart_is_not_stored_twice(store: Store) -> None:
    alice, bob = await users(store, "alice", "bob")
    conversation = conversation_id(alice, bob)
    async with open_registry(actor_kinds(store, Hub())) as registry:
        actor = registry.ref(DIRECT_CONVERSATION, conversation)
        first: MessageAccepted = await actor.ask(
            SendDirect(user_id=alice, text="once", nonce="n-1")
        )
        await actor.ask(SendDirect(user_id=bob, text="reply", nonce="n-1"))
    async with open_registry(actor_kinds(store, Hub())) as registry:
        actor = registry.ref(DIRECT_CONVERSATION, conversation)
        retried: MessageAccepted = await actor.ask(
            SendDirect(user_id=alice, text="once", nonce="n-1")
        )
        fresh: MessageAccepted = await actor.ask(
            SendDirect(user_id=alice, text="twice", nonce="n-2")
        )
    assert retried == first
    assert fresh.seq == 3
    assert await store.direct_messages.unread_count(bob) == 2


async def test_refusals_and_private_deletions(store: Store) -> None:
    alice, bob, eve = await users(store, "alice", "bob", "eve")
    conversation = conversation_id(alice, bob)
    async with open_registry(actor_kinds(store, Hub())) as registry:
        actor = registry.ref(DIRECT_CONVERSATION, conversation)
        sent: MessageAccepted = await actor.ask(SendDirect(user_id=alice, text="hi", nonce="n"))
        assert await actor.ask(SendDirect(user_id=alice, text="hi", nonce="n")) == sent
        for refused in (
            CheckParticipant(user_id=eve),
            SendDirect(user_id=eve, text="let me in"),
            EditDirect(user_id=bob, message_id=sent.message_id, text="not mine"),
            UnsendDirect(user_id=bob, message_id=sent.message_id),
        ):
            with pytest.raises(DomainError) as error:
                await actor.ask(refused)
            assert error.value.code == "forbidden", refused
        await actor.ask(HideDirect(user_id=bob, message_id=sent.message_id))
        await actor.ask(HideDirect(user_id=bob, message_id=sent.message_id))
        with pytest.raises(DomainError) as hidden:
            await actor.ask(MarkDirectRead(user_id=eve, up_to_seq=1))
        assert hidden.value.code == "forbidden"
    history = DirectHistory(store)
    for_bob = await history.replay(bob, conversation, 0, 100)
    for_alice = await history.replay(alice, conversation, 0, 100)
    assert [type(event) for event in for_bob.events] == [MessageDeleted]
    assert [type(event) for event in for_alice.events] == [MessageCreated]
    assert (await history.replay(bob, conversation, 5, 100)).complete is False
