"""Contract: fenced room appends and reopening a room's log (cluster failover)."""

from __future__ import annotations

import pytest

from storage import Conflict, Store
from storage.records import MessageDraft
from tests.unit.storage.support import unique


def sent(body: str, author: str = "a", nonce: str | None = None) -> MessageDraft:
    return MessageDraft(author_id=author, body=body, nonce=nonce)


async def test_an_older_fence_cannot_append_after_a_newer_one(store: Store) -> None:
    room_id = unique("room")
    first = await store.messages.append(room_id, sent("old owner"), fence=3)
    second = await store.messages.append(room_id, sent("new owner"), fence=5)
    with pytest.raises(Conflict) as refused:
        await store.messages.append(room_id, sent("stale"), fence=3)
    assert refused.value.field == "fence"
    with pytest.raises(Conflict):
        await store.messages.append_many(room_id, [sent("stale"), sent("stale")], fence=4)
    assert await store.messages.last_seq(room_id) == 2
    third = await store.messages.append(room_id, sent("still the owner"), fence=5)
    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert [m.body for m in await store.messages.since(room_id, after_seq=0)] == [
        "old owner", "new owner", "still the owner"
    ]


async def test_reopen_returns_the_last_seq_and_recent_nonces(store: Store) -> None:
    room_id = unique("room")
    empty = await store.messages.reopen(room_id, recent=10)
    assert (empty.last_seq, empty.nonces) == (0, ())
    await store.messages.append(room_id, sent("a", "u1", "n1"))
    await store.messages.append(room_id, sent("no nonce", "u2"))
    await store.messages.append_many(room_id, [sent("b", "u2", "n2"), sent("c", "u1", "n3")])
    stored = await store.messages.since(room_id, after_seq=0)
    assert [message.nonce for message in stored] == ["n1", None, "n2", "n3"]
    log = await store.messages.reopen(room_id, recent=10, fence=7)
    assert log.last_seq == 4
    assert log.nonces == (("u1", "n1", 1), ("u2", "n2", 3), ("u1", "n3", 4))
    assert (await store.messages.reopen(room_id, recent=2)).nonces == (
        ("u2", "n2", 3), ("u1", "n3", 4)
    )
    with pytest.raises(Conflict):
        await store.messages.append(room_id, sent("stale"), fence=6)
