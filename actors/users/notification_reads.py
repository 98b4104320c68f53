"""Reading one's notifications: ``mark_read`` on one's own ``user:<id>`` channel.

The feed's events are numbered by the channel log (``seq``); notifications by their
store ids.  The feed actor records them in the same order, so "read up to ``seq``" is
"read through the notification of the newest ``notification`` event at or below that
``seq``".  Only the channel's owner may mark it read (``forbidden`` otherwise).  Nothing
is published: read state is fetched over REST.
"""

from __future__ import annotations

import msgspec

from actors.users.access import owns_user_channel
from protocol.channels import ChannelKind, channel_name, parse_channel
from protocol.client_frames import ClientFrame, MarkRead
from protocol.control_frames import AnyAckResult
from protocol.errors import ErrorCode
from services.errors import DomainError
from services.principal import Principal
from storage.protocols import Store

NOTIFICATION_EVENT = "notification"
LOOK_BACK = 32
"""Feed events examined below ``up_to_seq`` to find the newest notification."""


class _NotificationRef(msgspec.Struct, frozen=True):
    notification_id: str


_decoder = msgspec.json.Decoder(_NotificationRef)


async def mark_feed_read(store: Store, user_id: str, up_to_seq: int) -> int:
    """Mark ``user_id``'s notifications read up to feed ``seq`` ``up_to_seq``; returns
    how many changed."""
    channel = channel_name(ChannelKind.USER, user_id)
    events = store.channel_events
    up_to_seq = min(up_to_seq, await events.last_seq(channel))
    if up_to_seq < 1:
        return 0
    after = max(0, up_to_seq - LOOK_BACK)
    rows = await events.since(channel, after_seq=after, limit=up_to_seq - after)
    newest = [row for row in rows if row.kind == NOTIFICATION_EVENT and row.seq <= up_to_seq]
    if not newest:
        return 0
    notification_id = _decoder.decode(newest[-1].data).notification_id
    return await store.notifications.mark_read_through(user_id, notification_id)


class FeedReads:
    """The :class:`~actors.realtime.ports.FrameRouter` of ``user:`` channel frames."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def handle(self, principal: Principal, frame: ClientFrame) -> AnyAckResult | None:
        match frame:
            case MarkRead(channel=channel, up_to_seq=up_to_seq):
                if not owns_user_channel(principal, parse_channel(channel).id):
                    raise DomainError(ErrorCode.FORBIDDEN, "only its owner may read a user feed")
                await mark_feed_read(self._store, principal.user_id, up_to_seq)
                return None
            case _:
                raise DomainError(
                    ErrorCode.UNSUPPORTED, f"{type(frame).__name__} is not served on user channels"
                )
