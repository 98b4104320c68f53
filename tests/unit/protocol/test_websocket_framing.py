"""Server frames built once per broadcast (and runs of them joined once) parse as the same
messages in a real client."""

from __future__ import annotations

import pytest
from wsproto import ConnectionType
from wsproto.connection import Connection
from wsproto.events import BytesMessage, TextMessage

from protocol.broadcast import BroadcastFrame, BroadcastRun
from protocol.chat_events import ChatMessage, MessageCreated, TypingChanged
from protocol.codecs import JSON_CODEC, MSGPACK_CODEC, WireData
from protocol.control_frames import Pong
from protocol.enums import TypingState
from protocol.websocket_framing import frame_server_message


def client_reads(data: bytes) -> list[WireData]:
    """What a wsproto client connection makes of ``data`` received from a server."""
    client = Connection(ConnectionType.CLIENT)
    client.receive_data(data)
    messages: list[WireData] = []
    for event in client.events():
        assert isinstance(event, TextMessage | BytesMessage)
        assert event.message_finished
        messages.append(event.data)
    return messages


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 65_535, 65_536, 200_000])
def test_every_length_encoding_round_trips(length: int) -> None:
    text = "é" * (length // 2) + "x" * (length % 2)  # multi-byte characters: bytes ≠ chars
    binary = bytes(range(256)) * (length // 256) + bytes(length % 256)
    assert client_reads(frame_server_message(text)) == [text]
    assert client_reads(frame_server_message(binary)) == [binary]


def test_frames_concatenate_into_a_stream_of_messages() -> None:
    stream = b"".join(frame_server_message(data) for data in ("one", b"\x00two", ""))
    assert client_reads(stream) == ["one", b"\x00two", ""]


def test_a_broadcast_is_framed_once_per_codec() -> None:
    broadcast = BroadcastFrame(Pong(id="p1", server_time=1_700_000_000_000))
    json_frame = broadcast.framed_for(JSON_CODEC)
    assert broadcast.framed_for(JSON_CODEC) is json_frame
    assert client_reads(json_frame) == [broadcast.encoded_for(JSON_CODEC)]
    assert client_reads(broadcast.framed_for(MSGPACK_CODEC)) == [
        broadcast.encoded_for(MSGPACK_CODEC)
    ]


def _created(seq: int) -> BroadcastFrame:
    return BroadcastFrame(MessageCreated(
        channel="chat_room:r1", seq=seq,
        message=ChatMessage(id=f"m{seq}", author_id="u1", text=f"post {seq}", created_at=1)))


def test_a_run_joins_its_frames_once_per_codec() -> None:
    events = [_created(seq) for seq in (7, 8, 9)]
    run = BroadcastRun(events)
    joined = run.framed_for(JSON_CODEC)
    assert run.framed_for(JSON_CODEC) is joined
    assert client_reads(joined) == [event.encoded_for(JSON_CODEC) for event in events]
    assert client_reads(run.framed_for(MSGPACK_CODEC)) == [
        event.encoded_for(MSGPACK_CODEC) for event in events]
    assert BroadcastRun(events[:1]).framed_for(JSON_CODEC) is events[0].framed_for(JSON_CODEC)


@pytest.mark.parametrize(("seqs", "span"), [
    ((4,), (4, 4)),
    ((4, 5, 6), (4, 6)),
    ((4, 6), None),  # a gap
    ((5, 4), None),  # out of order
    ((4, None, 6), None),  # an ephemeral event in between: last - first alone would pass
    ((None,), None),
])
def test_a_run_has_a_seq_span_only_when_its_events_follow_each_other(
    seqs: tuple[int | None, ...], span: tuple[int, int] | None
) -> None:
    typing = BroadcastFrame(TypingChanged(channel="chat_room:r1", user_id="u1",
                                          state=TypingState.START))
    events = [typing if seq is None else _created(seq) for seq in seqs]
    assert BroadcastRun(events).seq_span == span


def test_a_run_is_never_empty() -> None:
    with pytest.raises(ValueError, match="at least one event"):
        BroadcastRun([])
