"""Sequenced events of topic, post and user channels: stored first, then published.

:class:`ChannelLog` is how the actors that own those channels emit events, and
:class:`ChannelHistory` how subscribers catch up:

* :meth:`ChannelLog.record` appends the event to the channel's durable log (storage
  assigns the next gap-free ``seq``), then publishes it to the node's hub, encoded once.
  The caller builds the event with ``seq=UNSEQUENCED``; the returned event carries the
  stored number.  One actor owns each channel and records its events one at a time, so
  subscribers receive them in ``seq`` order.
* :meth:`ChannelHistory.replay` reads what a resuming subscriber missed, under the protocol's
  rules (at most ``limit`` events, else ``complete=False`` and nothing replayed).

The stored text is the event's JSON; replay decodes it and restores the stored ``seq``.
"""

from __future__ import annotations

from typing import Any, Final, TypeAlias, TypeVar

import msgspec

from actors.realtime.hub import Hub
from actors.realtime.ports import Replay
from protocol.broadcast import BroadcastFrame
from protocol.chat_events import Kicked, MemberJoined, MemberLeft
from protocol.feed_events import (
    CommentCreated,
    CommentDeleted,
    CommentEdited,
    Notification,
    PostCreated,
    PostDeleted,
    PostEdited,
    VoteChanged,
)
from protocol.server_frames import ServerFrame
from protocol.stored import upgrade_stored_frame
from storage.protocols import ChannelEventStore
from storage.records import ChannelEvent

UNSEQUENCED: Final = 0
"""The ``seq`` an event is built with before the log assigns its real number."""

FeedEvent: TypeAlias = (
    PostCreated
    | PostEdited
    | PostDeleted
    | CommentCreated
    | CommentEdited
    | CommentDeleted
    | VoteChanged
    | MemberJoined
    | MemberLeft
    | Kicked
    | Notification
)
"""The sequenced events of topic, post and user channels."""

Event = TypeVar("Event", bound=FeedEvent)


class ChannelLog:
    """Records events of channels owned by actors; see the module docstring."""

    __slots__ = ("_encoder", "_events", "_hub")

    def __init__(self, events: ChannelEventStore, hub: Hub) -> None:
        self._events = events
        self._hub = hub
        self._encoder = msgspec.json.Encoder()

    async def record(self, event: Event) -> Event:
        """Store ``event`` with its channel's next ``seq``, publish it, and return it."""
        kind = str(type(event).__struct_config__.tag)
        data = self._encoder.encode(event).decode()
        stored = await self._events.append(event.channel, kind=kind, data=data)
        sequenced = msgspec.structs.replace(event, seq=stored.seq)
        self._hub.publish(event.channel, BroadcastFrame(sequenced))
        return sequenced

    def evict(self, channel: str, user_id: str, reason: str) -> int:
        """End ``user_id``'s live subscriptions to ``channel`` (they receive ``evicted``)."""
        return self._hub.evict_user(channel, user_id, reason)


class ChannelHistory:
    """Reads channel logs back as frames, for subscribers that resume."""

    __slots__ = ("_decoder", "_events")

    def __init__(self, events: ChannelEventStore) -> None:
        self._events = events
        self._decoder = msgspec.json.Decoder(dict[str, Any])

    async def replay(self, channel: str, since_seq: int | None, limit: int) -> Replay:
        """The channel's last seq and, with ``since_seq``, the events after it."""
        last_seq = await self._events.last_seq(channel)
        if since_seq is None or since_seq == last_seq:
            return Replay(last_seq=last_seq)
        if since_seq > last_seq or last_seq - since_seq > limit:
            return Replay(last_seq=last_seq, complete=False)
        rows = await self._events.since(channel, after_seq=since_seq, limit=limit)
        return Replay(
            last_seq=last_seq, events=[self.decode(row) for row in rows if row.seq <= last_seq]
        )

    def decode(self, stored: ChannelEvent) -> ServerFrame:
        """The frame a stored event stands for, with its stored ``seq``."""
        fields = self._decoder.decode(stored.data)
        fields["seq"] = stored.seq
        frame: ServerFrame = msgspec.convert(upgrade_stored_frame(fields), ServerFrame)
        return frame
