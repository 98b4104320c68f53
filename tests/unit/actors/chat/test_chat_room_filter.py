"""The content filter on room messages: reject, mask, flag for review."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from actors.chat.commands import EditRoomMessage, PostMessage
from actors.chat.room import CHAT_ROOM, ChatRoomActor
from actors.realtime.hub import Hub
from actors.runtime.ref import ActorRef
from services.content_filter import ContentFilter
from services.content_screening import CONTENT_FILTER_REPORTER
from services.errors import DomainError
from storage import Store, open_store
from supervisors.kind import ActorKind
from supervisors.registry import open_registry
from topicsflow.content_rules import ContentRule, ContentRules

RULES = ContentRules(
    rules=(
        ContentRule(name="banned", action="reject", words=("forbiddenword",)),
        ContentRule(name="rude", action="mask", words=("darn",)),
        ContentRule(name="suspicious", action="flag", words=("freecoins",)),
    )
)


@pytest.fixture
async def room() -> AsyncIterator[tuple[Store, ActorRef, str, str]]:
    async with open_store(None) as store:
        hub = Hub()
        content_filter = ContentFilter.from_rules(RULES)
        kind = ActorKind(
            CHAT_ROOM, lambda context: ChatRoomActor(context, store, hub, content_filter)
        )
        async with open_registry([kind]) as registry:
            owner = await store.users.create(username="owner", email="o@x.io", password_hash="h")
            created = await store.rooms.create(owner_id=owner.id, name="room")
            yield store, registry.ref(CHAT_ROOM, created.id), created.id, owner.id


async def test_rejected_words_refuse_the_message(room: tuple[Store, ActorRef, str, str]) -> None:
    store, ref, room_id, owner_id = room
    with pytest.raises(DomainError) as refused:
        await ref.ask(PostMessage(user_id=owner_id, text="a F0RBIDDENWORD here"))
    assert refused.value.code == "invalid"
    assert await store.messages.last_seq(room_id) == 0


async def test_masked_words_are_stored_masked(room: tuple[Store, ActorRef, str, str]) -> None:
    store, ref, room_id, owner_id = room
    accepted = await ref.ask(PostMessage(user_id=owner_id, text="oh darn it"))
    assert (await store.messages.get(room_id, accepted.seq)).body == "oh **** it"
    edited = await ref.ask(
        EditRoomMessage(user_id=owner_id, message_id=accepted.message_id, text="d a r n!")
    )
    assert "darn" not in (await store.messages.get(room_id, 1)).body
    assert edited.message_id == accepted.message_id


async def test_flagged_messages_are_kept_and_reported(
    room: tuple[Store, ActorRef, str, str],
) -> None:
    store, ref, room_id, owner_id = room
    accepted = await ref.ask(PostMessage(user_id=owner_id, text="get freecoins now"))
    assert (await store.messages.get(room_id, accepted.seq)).body == "get freecoins now"
    (report,) = await store.reports.list_reports()
    assert report.reporter_id == CONTENT_FILTER_REPORTER
    assert report.item_id == f"{room_id}:{accepted.message_id}"
    assert report.details == "suspicious"
