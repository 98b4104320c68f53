"""Limits, unknown fields and tags, wrong types, frame-level rules, error replies."""

import json
from typing import Any

import msgspec
import pytest

from protocol import (
    CODECS,
    JSON_CODEC,
    MSGPACK_CODEC,
    Ack,
    CallStart,
    Codec,
    ErrorCode,
    ErrorReply,
    MarkRead,
    ProtocolError,
    SendMessage,
    UnsupportedFrame,
    error_reply,
)
from protocol.limits import DEFAULT_MAX_CLIENT_FRAME_BYTES, MAX_MESSAGE_TEXT_LENGTH

CODEC_LIST = list(CODECS.values())
codecs = pytest.mark.parametrize("codec", CODEC_LIST, ids=lambda codec: codec.subprotocol)


def wire(codec: Codec, value: dict[str, Any]) -> str | bytes:
    """Encode a plain object the way a (possibly misbehaving) peer would."""
    if codec.binary:
        return msgspec.msgpack.encode(value)
    return json.dumps(value)


def send_message(**overrides: Any) -> dict[str, Any]:
    return {"type": "send_message", "id": 7, "channel": "chat_room:r1", "text": "hi"} | overrides


def rejected(codec: Codec, value: dict[str, Any]) -> ProtocolError:
    with pytest.raises(ProtocolError) as raised:
        codec.decode_client(wire(codec, value))
    return raised.value


@codecs
def test_valid_frame_decodes(codec: Codec) -> None:
    assert codec.decode_client(wire(codec, send_message())) == SendMessage(
        id=7, channel="chat_room:r1", text="hi"
    )


@codecs
def test_text_at_the_limit_is_accepted_and_one_more_is_invalid(codec: Codec) -> None:
    at_limit = "é" * MAX_MESSAGE_TEXT_LENGTH
    assert codec.decode_client(wire(codec, send_message(text=at_limit))) == SendMessage(
        id=7, channel="chat_room:r1", text=at_limit
    )

    error = rejected(codec, send_message(text=at_limit + "é"))
    assert error.code is ErrorCode.INVALID
    assert "$.text" in error.message
    assert error.request_id == 7


@codecs
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("channel", "chat_room:" + "a" * 65),
        ("channel", "chat_room:r1\n"),
        ("channel", "lobby:r1"),
        ("channel", "chat_room:"),
        ("channel", "chat_room:r 1"),
        ("reply_to", "m1\n"),
        ("reply_to", ""),
        ("gif_url", "http://insecure.example/x.gif"),
        ("gif_url", "https://"),
        ("attachment_ids", [f"f{index}" for index in range(11)]),
        ("nonce", "n" * 65),
    ],
)
def test_field_limits_are_enforced_at_decode(codec: Codec, field: str, value: Any) -> None:
    error = rejected(codec, send_message(**{field: value}))
    assert error.code is ErrorCode.INVALID
    assert f"$.{field}" in error.message
    assert error.request_id == 7


@codecs
def test_emoji_longer_than_32_characters_is_invalid(codec: Codec) -> None:
    react = {"type": "react", "id": 2, "channel": "dm:c1", "message_id": "m1"}
    assert codec.decode_client(wire(codec, react | {"emoji": "👍" * 32})).id == 2
    error = rejected(codec, react | {"emoji": "👍" * 33})
    assert (error.code, error.request_id) == (ErrorCode.INVALID, 2)


@codecs
@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"id": "7"}, "$.id"),
        ({"id": True}, "$.id"),
        ({"id": -1}, "$.id"),
        ({"id": 2**53}, "$.id"),
        ({"id": 1.5}, "$.id"),
        ({"text": 5}, "$.text"),
        ({"attachment_ids": "f1"}, "$.attachment_ids"),
        ({"channel": None}, "$.channel"),
    ],
)
def test_wrong_types_are_invalid(codec: Codec, overrides: dict[str, Any], path: str) -> None:
    error = rejected(codec, send_message(**overrides))
    assert error.code is ErrorCode.INVALID
    assert path in error.message


@codecs
def test_missing_required_field_is_invalid(codec: Codec) -> None:
    frame = send_message()
    del frame["channel"]
    error = rejected(codec, frame)
    assert (error.code, error.request_id) == (ErrorCode.INVALID, 7)
    assert "channel" in error.message


@codecs
def test_unknown_field_is_invalid_and_echoes_the_id(codec: Codec) -> None:
    error = rejected(codec, send_message(colour="red"))
    assert (error.code, error.request_id) == (ErrorCode.INVALID, 7)
    assert "colour" in error.message


@codecs
def test_unknown_and_missing_tags_are_invalid(codec: Codec) -> None:
    unknown = rejected(codec, {"type": "launch_rocket", "id": 9})
    assert (unknown.code, unknown.request_id) == (ErrorCode.INVALID, 9)
    assert unknown.message == "unknown client frame type 'launch_rocket'"

    untagged = rejected(codec, {"id": 9})
    assert (untagged.code, untagged.request_id) == (ErrorCode.INVALID, 9)

    server_only = rejected(codec, {"type": "pong", "id": 9, "server_time": 1})
    assert server_only.code is ErrorCode.INVALID


@codecs
@pytest.mark.parametrize(
    "frame",
    [
        send_message(text="   "),
        send_message(channel="topic:t1"),
        {"type": "typing", "id": 7, "channel": "post:p1"},
        {"type": "mark_read", "id": 7, "channel": "call:k1", "up_to_seq": 3},
        {"type": "mark_read", "id": 7, "channel": "dm:c1", "up_to_seq": 0},
        {"type": "call_start", "id": 7},
        {"type": "call_start", "id": 7, "callee_id": "u1", "room_id": "r1"},
        {"type": "set_presence", "id": 7, "status": "offline"},
        {"type": "call_signal", "id": 7, "call_id": "k", "target_user_id": "u", "kind": "sdp"},
    ],
)
def test_frame_level_rules(codec: Codec, frame: dict[str, Any]) -> None:
    error = rejected(codec, frame)
    assert (error.code, error.request_id) == (ErrorCode.INVALID, 7)


def test_frame_level_rules_also_hold_when_building_frames_in_python() -> None:
    with pytest.raises(ValueError, match="needs text"):
        SendMessage(id=1, channel="chat_room:r1")
    with pytest.raises(ValueError, match="exactly one"):
        CallStart(id=1)
    assert SendMessage(id=1, channel="dm:c1", gif_url="https://g.example/x.gif").text == ""
    assert MarkRead(id=1, channel="user:u1", up_to_seq=4).up_to_seq == 4


@codecs
def test_frame_over_the_maximum_size_is_too_large(codec: Codec) -> None:
    data = wire(codec, send_message(text="a" * 4000))
    assert codec.decode_client(data, max_bytes=len(data)).id == 7

    with pytest.raises(ProtocolError) as raised:
        codec.decode_client(data, max_bytes=len(data) - 1)
    assert raised.value.code is ErrorCode.TOO_LARGE
    assert raised.value.request_id == 7, "the refusal answers the request by its id"


def test_json_size_counts_utf8_bytes_not_characters() -> None:
    text = json.dumps(send_message(text="é" * 3000), ensure_ascii=False)
    assert len(text) < 3100 < len(text.encode())
    with pytest.raises(ProtocolError) as raised:
        JSON_CODEC.decode_client(text, max_bytes=3100)
    assert raised.value.code is ErrorCode.TOO_LARGE


def test_default_maximum_applies() -> None:
    oversized = b" " * (DEFAULT_MAX_CLIENT_FRAME_BYTES + 1)
    with pytest.raises(ProtocolError) as raised:
        JSON_CODEC.decode_client(oversized)
    assert raised.value.code is ErrorCode.TOO_LARGE


def test_msgpack_rejects_text_messages_and_json_accepts_bytes() -> None:
    with pytest.raises(ProtocolError) as raised:
        MSGPACK_CODEC.decode_client('{"type":"ping","id":1}')
    assert raised.value.code is ErrorCode.INVALID
    assert "binary" in raised.value.message
    assert JSON_CODEC.decode_client(b'{"type":"ping","id":1}').id == 1


@codecs
def test_malformed_input_is_invalid_without_an_id(codec: Codec) -> None:
    with pytest.raises(ProtocolError) as raised:
        codec.decode_client(b"\xc1{")
    assert (raised.value.code, raised.value.request_id) == (ErrorCode.INVALID, None)
    assert raised.value.message.startswith("malformed ")


def test_error_messages_are_bounded() -> None:
    error = rejected(JSON_CODEC, send_message(**{"k" * 5000: 1}))
    assert len(error.message) <= 500


def test_error_reply_echoes_the_rejected_request() -> None:
    error = rejected(JSON_CODEC, send_message(text=""))
    reply = error_reply(error)
    assert reply == ErrorReply(id=7, code=ErrorCode.INVALID, message=error.message)
    assert JSON_CODEC.decode_server(JSON_CODEC.encode_server(reply)) == reply


@codecs
def test_client_skips_server_frames_of_unknown_type(codec: Codec) -> None:
    with pytest.raises(UnsupportedFrame) as raised:
        codec.decode_server(wire(codec, {"type": "hologram_created", "seq": 1}))
    assert raised.value.frame_type == "hologram_created"
    assert raised.value.code is ErrorCode.UNSUPPORTED
    assert isinstance(raised.value, ProtocolError)


@codecs
def test_client_still_validates_known_fields_of_frames_with_unknown_fields(codec: Codec) -> None:
    frame = {"type": "ack", "id": 1, "since_v1_2": True}
    assert codec.decode_server(wire(codec, frame)) == Ack(id=1)
    with pytest.raises(ProtocolError) as raised:
        codec.decode_server(wire(codec, frame | {"id": "one"}))
    assert raised.value.code is ErrorCode.INVALID
    assert not isinstance(raised.value, UnsupportedFrame)


@codecs
def test_unknown_ack_result_type_is_invalid(codec: Codec) -> None:
    frame = {"type": "ack", "id": 1, "result": {"type": "from_the_future"}}
    with pytest.raises(ProtocolError) as raised:
        codec.decode_server(wire(codec, frame))
    assert raised.value.code is ErrorCode.INVALID


@codecs
@pytest.mark.parametrize("text", ["nul \x00 inside", "\x00"])
def test_nul_in_a_string_is_refused_with_the_frame_id(codec: Codec, text: str) -> None:
    with pytest.raises(ProtocolError) as refused:
        codec.decode_client(wire(codec, send_message(text=text)))
    assert refused.value.code == ErrorCode.INVALID
    assert "U+0000" in str(refused.value)
    assert refused.value.request_id == 7


@codecs
def test_zero_bytes_and_escaped_text_that_are_not_nul_are_kept(codec: Codec) -> None:
    frame = codec.decode_client(wire(codec, send_message(id=256, text="\\u0000 is six chars")))
    assert isinstance(frame, SendMessage)
    assert frame.text == "\\u0000 is six chars"
