"""Every frame type survives encode -> decode unchanged in both encodings."""

from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from protocol_strategies import frames_of

from protocol import (
    CLIENT_FRAME_TAGS,
    CODECS,
    JSON_CODEC,
    MSGPACK_CODEC,
    SERVER_FRAME_TAGS,
    BroadcastFrame,
    Codec,
    ErrorCode,
    Ping,
    Pong,
    ProtocolError,
)

CODEC_LIST = list(CODECS.values())
ROUND_TRIP_SETTINGS = settings(max_examples=25, deadline=None)


@pytest.mark.parametrize("frame_type", CLIENT_FRAME_TAGS.values(), ids=CLIENT_FRAME_TAGS.keys())
@ROUND_TRIP_SETTINGS
@given(data=st.data())
def test_client_frame_round_trips(frame_type: type[msgspec.Struct], data: st.DataObject) -> None:
    frame = data.draw(frames_of(frame_type))
    for codec in CODEC_LIST:
        wire = codec.encode_client(frame)
        assert isinstance(wire, bytes if codec.binary else str)
        assert codec.decode_client(wire) == frame


@pytest.mark.parametrize("frame_type", SERVER_FRAME_TAGS.values(), ids=SERVER_FRAME_TAGS.keys())
@ROUND_TRIP_SETTINGS
@given(data=st.data())
def test_server_frame_round_trips(frame_type: type[msgspec.Struct], data: st.DataObject) -> None:
    frame = data.draw(frames_of(frame_type))
    for codec in CODEC_LIST:
        wire = codec.encode_server(frame)
        assert isinstance(wire, bytes if codec.binary else str)
        assert codec.decode_server(wire) == frame


def _with_unknown_fields(value: Any) -> Any:
    """Add a field no struct declares to every object, at every depth."""
    if isinstance(value, dict):
        grown = {key: _with_unknown_fields(item) for key, item in value.items()}
        grown["x_added_in_a_later_revision"] = {"nested": [1, "two"]}
        return grown
    if isinstance(value, list):
        return [_with_unknown_fields(item) for item in value]
    return value


def _reencode(codec: Codec, value: Any) -> str | bytes:
    if codec.binary:
        return msgspec.msgpack.encode(value)
    return msgspec.json.encode(value).decode()


def _generic(codec: Codec, wire: str | bytes) -> Any:
    if isinstance(wire, bytes):
        return msgspec.msgpack.decode(wire)
    return msgspec.json.decode(wire)


@pytest.mark.parametrize("frame_type", SERVER_FRAME_TAGS.values(), ids=SERVER_FRAME_TAGS.keys())
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_server_frames_from_a_newer_revision_are_read_without_their_new_fields(
    frame_type: type[msgspec.Struct], data: st.DataObject
) -> None:
    frame = data.draw(frames_of(frame_type))
    for codec in CODEC_LIST:
        grown = _with_unknown_fields(_generic(codec, codec.encode_server(frame)))
        assert codec.decode_server(_reencode(codec, grown)) == frame


@pytest.mark.parametrize("frame_type", CLIENT_FRAME_TAGS.values(), ids=CLIENT_FRAME_TAGS.keys())
@settings(max_examples=5, deadline=None)
@given(data=st.data())
def test_server_rejects_client_frames_with_unknown_fields(
    frame_type: type[msgspec.Struct], data: st.DataObject
) -> None:
    frame = data.draw(frames_of(frame_type))
    for codec in CODEC_LIST:
        grown = _generic(codec, codec.encode_client(frame)) | {"x_unknown": 1}
        with pytest.raises(ProtocolError) as raised:
            codec.decode_client(_reencode(codec, grown))
        assert raised.value.code is ErrorCode.INVALID
        assert raised.value.message == "Object contains unknown field `x_unknown`"
        assert raised.value.request_id == frame.id


def test_json_frames_are_text_and_msgpack_frames_are_binary() -> None:
    assert JSON_CODEC.encode_client(Ping(id=1)) == '{"type":"ping","id":1}'
    assert MSGPACK_CODEC.encode_client(Ping(id=1)) == msgspec.msgpack.encode(
        {"type": "ping", "id": 1}
    )
    assert not JSON_CODEC.binary
    assert MSGPACK_CODEC.binary


def test_broadcast_frame_encodes_once_per_codec(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = Codec.encode_server

    def counting_encode_server(codec: Codec, frame: Any) -> str | bytes:
        calls.append(codec.subprotocol)
        return original(codec, frame)

    monkeypatch.setattr(Codec, "encode_server", counting_encode_server)
    event = BroadcastFrame(Pong(id=3, server_time=1_700_000_000_000))
    for _subscriber in range(50):
        json_wire = event.encoded_for(JSON_CODEC)
        msgpack_wire = event.encoded_for(MSGPACK_CODEC)

    assert sorted(calls) == sorted(CODECS)
    assert event.encoded_for(JSON_CODEC) is json_wire
    assert event.encoded_for(MSGPACK_CODEC) is msgpack_wire
    assert JSON_CODEC.decode_server(json_wire) == event.frame
    assert MSGPACK_CODEC.decode_server(msgpack_wire) == event.frame
