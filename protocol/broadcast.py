"""Encode-once fan-out of server frames.

An event delivered to many subscribers is encoded at most once per codec, and every
subscriber of that codec gets the same ``str`` or ``bytes`` object::

    event = BroadcastFrame(MessageCreated(channel=channel, seq=seq, message=message))
    for subscriber in subscribers:
        subscriber.outbound.send_nowait(event.encoded_for(subscriber.codec))

Transports that write raw WebSocket frames take :meth:`BroadcastFrame.framed_for`
instead: the frame header and payload are then built once for all of them too.  A run of
consecutive events handed to every subscriber in one call is a :class:`BroadcastRun`,
whose frames are joined once per codec for all of them.
"""

from collections.abc import Sequence
from typing import Final, Self

from protocol.codecs import Codec, WireData
from protocol.server_frames import ServerFrame
from protocol.websocket_framing import frame_server_message


class BroadcastFrame:
    """A server frame to deliver to many connections, encoded at most once per codec.

    Create one per event; :meth:`encoded_for` encodes on first use for a codec and then
    returns the same message object to every later subscriber of that codec.
    """

    __slots__ = ("_encoded", "_framed", "frame", "seq")

    def __init__(self, frame: ServerFrame) -> None:
        self.frame: Final = frame
        seq = getattr(frame, "seq", None)
        self.seq: Final[int | None] = seq if isinstance(seq, int) else None
        """The channel sequence number of the event, None for an ephemeral one."""
        self._encoded: dict[str, WireData] = {}
        self._framed: dict[str, bytes] = {}

    @classmethod
    def preencoded(cls, frame: ServerFrame, codec: Codec, data: WireData) -> Self:
        """A frame whose encoding for ``codec`` is already ``data`` (relayed from a peer)."""
        broadcast = cls(frame)
        broadcast._encoded[codec.subprotocol] = data
        return broadcast

    def encoded_for(self, codec: Codec) -> WireData:
        """The frame encoded for ``codec``'s subprotocol, shared by all its callers."""
        encoded = self._encoded.get(codec.subprotocol)
        if encoded is None:
            encoded = codec.encode_server(self.frame)
            self._encoded[codec.subprotocol] = encoded
        return encoded

    def framed_for(self, codec: Codec) -> bytes:
        """The encoded frame as one WebSocket frame (RFC 6455 bytes), built once per codec."""
        framed = self._framed.get(codec.subprotocol)
        if framed is None:
            framed = frame_server_message(self.encoded_for(codec))
            self._framed[codec.subprotocol] = framed
        return framed


class BroadcastRun:
    """Consecutive events of one channel, in order, delivered to many connections together.

    :meth:`framed_for` joins the events' WebSocket frames once per codec, so every
    subscriber that can take the run whole writes the same ``bytes`` with one system call.
    :attr:`seq_span` is ``(first seq, last seq)`` only when every event is sequenced and
    each follows the one before (checked once here, not by each subscriber); otherwise it
    is None and a subscriber looks at each event.
    """

    __slots__ = ("_framed", "events", "seq_span")

    def __init__(self, events: Sequence[BroadcastFrame]) -> None:
        if not events:
            raise ValueError("a run holds at least one event")
        self.events: Final = tuple(events)
        first = events[0].seq
        span = None
        if first is not None and all(
                event.seq == first + index for index, event in enumerate(events)):
            span = (first, first + len(events) - 1)
        self.seq_span: Final[tuple[int, int] | None] = span
        self._framed: dict[str, bytes] = {}

    def framed_for(self, codec: Codec) -> bytes:
        """Every event's :meth:`BroadcastFrame.framed_for`, joined, built once per codec."""
        framed = self._framed.get(codec.subprotocol)
        if framed is None:
            events = self.events
            framed = (events[0].framed_for(codec) if len(events) == 1
                      else b"".join(event.framed_for(codec) for event in events))
            self._framed[codec.subprotocol] = framed
        return framed
