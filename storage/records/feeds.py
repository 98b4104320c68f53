"""Records of channel event logs."""

from __future__ import annotations

import msgspec


class ChannelEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One stored event of a channel's log.

    ``seq`` is 1 for the channel's first event and grows by exactly 1; ``data`` is the
    event as its producer encoded it (opaque to storage, JSON text by convention) and
    ``kind`` a short word naming it, so logs can be inspected without decoding.
    """

    channel: str
    seq: int
    kind: str
    data: str
    created_at: float
