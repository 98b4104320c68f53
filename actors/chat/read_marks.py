"""Read positions of a chat room's members: ``mark_read`` handled in batches, persisted.

:class:`RoomReadMarks` is owned by :class:`actors.chat.room.ChatRoomActor`.  Contract:

* A position never moves backwards, and never beyond the room's last ``seq`` (a claim
  beyond it is clamped, so a client cannot mark messages read before they exist).
* ``mark_read`` commands queued together are handled in one turn (the room batches them
  like posts): each is checked (membership, from the room's member cache), the moves are
  coalesced per user (the highest wins) and written in **one** store call
  (``store.read_positions.advance``), then published.  A mark that does not move the
  position costs nothing.  So a room writes read positions once per batch, never per
  frame; a send gains no store access from this.
* A member's stored position is read once per activation (their first mark), then
  cached.
* The last ``seq`` is known from the room's log (its start and every post); only a claim
  beyond what the actor knows reads it from the store, once per batch.
* Published after the write: a ``read_receipt`` on ``chat_room:<id>`` for the other
  members, and one with ``read_channel`` on the reader's own ``user:<id>`` for their
  other devices.  Acknowledged means stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import outcome

from actors.chat.commands import MarkRoomRead
from actors.realtime.hub import Hub
from protocol.broadcast import BroadcastFrame
from protocol.channels import ChannelKind, channel_name
from protocol.chat_events import ReadReceipt
from services.errors import DomainError
from storage.protocols import Store

MemberCheck = Callable[[str], Awaitable[None]]


def publish_read_position(hub: Hub, channel: str, user_id: str, up_to_seq: int) -> None:
    """Tell ``user_id``'s other devices (their ``user:`` channel) that their read position
    in ``channel`` moved to ``up_to_seq``."""
    own = channel_name(ChannelKind.USER, user_id)
    hub.publish(
        own,
        BroadcastFrame(
            ReadReceipt(channel=own, user_id=user_id, up_to_seq=up_to_seq, read_channel=channel)
        ),
    )


class RoomReadMarks:
    """The read positions of one room's members (see the module docstring)."""

    __slots__ = ("_channel", "_hub", "_last_seq", "_positions", "_room_id", "_store")

    def __init__(self, room_id: str, channel: str, store: Store, hub: Hub) -> None:
        self._room_id = room_id
        self._channel = channel
        self._store = store
        self._hub = hub
        self._positions: dict[str, int] = {}
        self._last_seq = 0

    def note_seq(self, seq: int) -> None:
        """The room's log reached ``seq`` (called on start and after posts)."""
        self._last_seq = max(self._last_seq, seq)

    async def _clamped(self, up_to_seq: int) -> int:
        if up_to_seq > self._last_seq:
            self.note_seq(await self._store.messages.last_seq(self._room_id))
        return min(up_to_seq, self._last_seq)

    async def _stored(self, user_id: str) -> int:
        """The user's position: cached, else read once per activation."""
        known = self._positions.get(user_id)
        if known is None:
            found = await self._store.read_positions.positions(user_id, [self._channel])
            known = self._positions[user_id] = found.get(self._channel, 0)
        return known

    async def mark_batch(
        self, commands: Sequence[MarkRoomRead], require_member: MemberCheck
    ) -> list[outcome.Outcome[Any]]:
        """Handle ``commands`` in order; one outcome each (None, or a refusal)."""
        results: list[outcome.Outcome[Any]] = []
        moves: dict[str, int] = {}
        for command in commands:
            try:
                await require_member(command.user_id)
            except DomainError as refusal:
                results.append(outcome.Error(refusal))
                continue
            results.append(outcome.Value(None))
            known = max(await self._stored(command.user_id), moves.get(command.user_id, 0))
            if command.up_to_seq > known:
                target = await self._clamped(command.up_to_seq)
                if target > known:
                    moves[command.user_id] = target
        if not moves:
            return results
        await self._store.read_positions.advance(
            [(user_id, self._channel, seq) for user_id, seq in moves.items()]
        )
        for user_id, seq in moves.items():
            self._positions[user_id] = seq
            self._hub.publish(
                self._channel,
                BroadcastFrame(ReadReceipt(channel=self._channel, user_id=user_id, up_to_seq=seq)),
            )
            publish_read_position(self._hub, self._channel, user_id, seq)
        if len(self._positions) > 10_000:
            self._positions.clear()
        return results
