"""The room's single writer to its log: append under the activation's fence, then publish.

:class:`RoomLogWriter` is owned by the room actor (:mod:`actors.chat.room`) and shared with
its membership (:mod:`actors.chat.members`).  Every sequenced event of ``chat_room:<id>``
goes through it: stored first with the room's next ``seq`` (:mod:`actors.chat.log`), and
only then published to the hub, framed once for every subscriber.  An append refused by
the fence — another node activated the room since — is answered ``unavailable`` ("the
room moved"), so the sender retries against the new owner.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from actors.chat.log import LoggedEvent, event_body
from actors.realtime.hub import Hub
from actors.runtime.actor import ActorContext
from protocol.broadcast import BroadcastFrame
from protocol.errors import ErrorCode
from services.errors import DomainError
from storage.errors import Conflict
from storage.protocols import Store
from storage.records import Message, MessageDraft


def moved(conflict: Conflict) -> Exception:
    """What a refused append means: a newer owner of the room (the fence), or a conflict
    that is not ours to explain (re-raised as is)."""
    if conflict.field != "fence":
        return conflict
    return DomainError(
        ErrorCode.UNAVAILABLE, "the room moved to another node; retry", retry_after=0.2
    )


class RoomLogWriter:
    """Appends and publishes the events of one room; see the module docstring."""

    __slots__ = ("_channel", "_context", "_hub", "_room_id", "_store")

    def __init__(
        self, room_id: str, channel: str, store: Store, hub: Hub, context: ActorContext
    ) -> None:
        self._room_id = room_id
        self._channel = channel
        self._store = store
        self._hub = hub
        self._context = context

    async def append(self, draft: MessageDraft) -> Message:
        """Store one message under this activation's fence."""
        try:
            return await self._store.messages.append(
                self._room_id, draft, fence=self._context.fence
            )
        except Conflict as error:
            raise moved(error) from None

    async def append_many(self, drafts: list[MessageDraft]) -> list[Message]:
        """Store messages with consecutive seqs in one write, under this activation's fence."""
        if len(drafts) == 1:
            return [await self.append(drafts[0])]
        try:
            return await self._store.messages.append_many(
                self._room_id, drafts, fence=self._context.fence
            )
        except Conflict as error:
            raise moved(error) from None

    def publish(self, event: object) -> None:
        """Publish one event (sequenced after its append, or ephemeral) to the room."""
        self._hub.publish(self._channel, BroadcastFrame(event))  # type: ignore[arg-type]

    def publish_many(self, events: Sequence[object]) -> None:
        """Publish consecutive events in one hub call (a subscriber gets them in one write)."""
        self._hub.publish_many(
            self._channel, [BroadcastFrame(event) for event in events]  # type: ignore[arg-type]
        )

    async def record(self, author_id: str, event: LoggedEvent) -> int:
        """Append ``event`` (its ``seq`` is a placeholder) to the log, then publish it."""
        kind, body = event_body(event)
        row = await self.append(MessageDraft(author_id=author_id, body=body, kind=kind))
        self.publish(msgspec.structs.replace(event, seq=row.seq))
        return row.seq
