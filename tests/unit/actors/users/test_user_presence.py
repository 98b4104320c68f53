"""Presence: the combining rule, the node's book, and who the user actor tells.

The actor tests use the in-memory SQLite store (a worker thread), so they run on the real
clock and wait on actor replies, never on time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from actors.realtime.hub import Hub
from actors.realtime.presence import PresenceBook, PresenceView, combined_status
from actors.users.commands import (
    USER,
    ConnectionClosed,
    ConnectionOpened,
    GetPresence,
    SetConnectionPresence,
)
from protocol.broadcast import BroadcastRun
from protocol.chat_events import PresenceChanged
from protocol.enums import PresenceStatus
from storage import Store, open_store
from storage.keys import conversation_id
from supervisors.messaging import messaging_kinds
from supervisors.registry import Registry, open_registry

ONLINE, AWAY, OFFLINE = PresenceStatus.ONLINE, PresenceStatus.AWAY, PresenceStatus.OFFLINE


def test_any_online_device_means_online_all_away_means_away() -> None:
    assert combined_status([]) is OFFLINE
    assert combined_status([AWAY, ONLINE, AWAY]) is ONLINE
    assert combined_status([AWAY, AWAY]) is AWAY


def test_the_book_announces_each_change_once_and_forgets_offline_users() -> None:
    book = PresenceBook()
    book.open("u", "c1")
    assert book.announce("u") is ONLINE
    book.open("u", "c2")
    assert book.announce("u") is None
    book.set_status("u", "c1", AWAY)
    assert book.announce("u") is None
    book.set_status("u", "c2", AWAY)
    assert book.announce("u") is AWAY
    book.open("u", "c2")  # a late "opened" keeps the status already reported
    assert book.view("u") == PresenceView(status=AWAY, connections=2)
    book.close("u", "c1")
    book.close("u", "c2")
    book.close("u", "unknown")
    assert book.announce("u") is OFFLINE
    assert book.users() == 0
    assert book.announce("u") is None
    assert book.view("u") == PresenceView(status=OFFLINE, connections=0)


class Listener:
    """A hub subscriber that keeps what it receives."""

    def __init__(self) -> None:
        self.events: list[object] = []

    def deliver_nowait(self, channel: str, run: BroadcastRun) -> bool:
        self.events.extend(event.frame for event in run.events)
        return True

    def dropped_as_slow(self) -> None:
        raise AssertionError("never slow")

    @property
    def user_id(self) -> str | None:
        return "listener"

    def evicted(self, channel: str, reason: str) -> None:
        raise AssertionError("never evicted")

    def statuses(self) -> list[tuple[str, PresenceStatus, bool]]:
        return [
            (event.user_id, event.status, event.last_seen_at is not None)
            for event in self.events
            if isinstance(event, PresenceChanged)
        ]


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    async with open_store(None) as opened:
        yield opened


async def user(store: Store, name: str) -> str:
    created = await store.users.create(
        username=name, email=f"{name}@example.org", password_hash="unused"
    )
    return created.id


async def test_presence_reaches_rooms_and_conversations_except_blocked_ones(store: Store) -> None:
    names = ("alice", "bob", "carol", "dave")
    alice, bob, carol, dave = [await user(store, name) for name in names]
    shared = await store.rooms.create(owner_id=alice, name="shared")
    await store.rooms.members.join(shared.id, bob)
    other = await store.rooms.create(owner_id=bob, name="other")
    await store.direct_messages.send(sender_id=carol, recipient_id=alice, body="hi")
    await store.direct_messages.send(sender_id=dave, recipient_id=alice, body="hi")
    await store.users.block(dave, alice)
    hub = Hub()
    channels = {
        "shared": f"chat_room:{shared.id}",
        "other": f"chat_room:{other.id}",
        "carol": f"dm:{conversation_id(alice, carol)}",
        "dave": f"dm:{conversation_id(alice, dave)}",
    }
    listeners = {name: Listener() for name in channels}
    for name, channel in channels.items():
        hub.subscribe(channel, listeners[name])
    kinds = [kind for kind in messaging_kinds(store, hub, lambda: 1000.0) if kind.name == USER]
    registry: Registry
    async with open_registry(kinds) as registry:
        actor = registry.ref(USER, alice)
        await actor.tell(ConnectionOpened(connection_id="laptop"))
        await actor.tell(ConnectionOpened(connection_id="phone"))
        await actor.ask(SetConnectionPresence(connection_id="laptop", status=AWAY))
        assert await actor.ask(GetPresence()) == PresenceView(status=ONLINE, connections=2)
        await actor.ask(SetConnectionPresence(connection_id="phone", status=AWAY))
        await actor.tell(ConnectionClosed(connection_id="laptop"))
        await actor.tell(ConnectionClosed(connection_id="phone"))
        assert await actor.ask(GetPresence()) == PresenceView(status=OFFLINE, connections=0)
    expected = [(alice, ONLINE, False), (alice, AWAY, False), (alice, OFFLINE, True)]
    assert listeners["shared"].statuses() == expected
    assert listeners["carol"].statuses() == expected
    assert listeners["other"].statuses() == []
    assert listeners["dave"].statuses() == []
    offline = listeners["shared"].events[-1]
    assert isinstance(offline, PresenceChanged) and offline.last_seen_at == 1_000_000
