"""Decoders fed arbitrary input raise ProtocolError and nothing else."""

import contextlib
from collections.abc import Callable
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from protocol_strategies import ALL_FRAME_TYPES, any_client_frame, any_server_frame

from protocol import CLIENT_FRAME_TAGS, CODECS, SERVER_FRAME_TAGS, Codec, ProtocolError

FUZZ_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
CODEC_LIST = list(CODECS.values())

KNOWN_KEYS = sorted(
    {"type", "id", "x_unknown"}
    | {
        field.encode_name
        for frame_type in ALL_FRAME_TYPES
        for field in msgspec.structs.fields(frame_type)
    }
)
KNOWN_TAGS = sorted({*CLIENT_FRAME_TAGS, *SERVER_FRAME_TAGS, "no_such_frame"})

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(KNOWN_TAGS)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KNOWN_KEYS) | st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=20,
)
frame_like_objects = st.fixed_dictionaries(
    {"type": st.sampled_from(KNOWN_TAGS)},
    optional={"id": json_values},
).flatmap(
    lambda head: st.dictionaries(st.sampled_from(KNOWN_KEYS), json_values, max_size=6).map(
        lambda tail: tail | head
    )
)


def _decoders() -> list[Callable[[Any], object]]:
    return [decode for codec in CODEC_LIST for decode in (codec.decode_client, codec.decode_server)]


def _assert_only_protocol_errors(data: str | bytes) -> None:
    """Every decoder either decodes ``data`` or raises ProtocolError; anything else fails."""
    for decode in _decoders():
        with contextlib.suppress(ProtocolError):
            decode(data)


@FUZZ_SETTINGS
@given(data=st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    _assert_only_protocol_errors(data)


@FUZZ_SETTINGS
@given(text=st.text(st.characters(codec=None), max_size=100))
def test_random_text_including_lone_surrogates(text: str) -> None:
    _assert_only_protocol_errors(text)


def _encodings(value: Any) -> list[str | bytes]:
    """``value`` as JSON text, JSON bytes and (when its integers fit) MessagePack."""
    json_text = msgspec.json.encode(value).decode()
    encoded: list[str | bytes] = [json_text, json_text.encode()]
    with contextlib.suppress(OverflowError):
        encoded.append(msgspec.msgpack.encode(value))
    return encoded


@FUZZ_SETTINGS
@given(value=json_values)
def test_random_json_and_msgpack_values(value: Any) -> None:
    for data in _encodings(value):
        _assert_only_protocol_errors(data)


@FUZZ_SETTINGS
@given(value=frame_like_objects)
def test_objects_shaped_like_frames(value: dict[str, Any]) -> None:
    for data in _encodings(value):
        _assert_only_protocol_errors(data)


@pytest.mark.parametrize("codec", CODEC_LIST, ids=lambda codec: codec.subprotocol)
@FUZZ_SETTINGS
@given(
    frame=any_client_frame() | any_server_frame(),
    position=st.integers(min_value=0),
    mutation=st.binary(min_size=1, max_size=4),
    delete=st.integers(min_value=0, max_value=4),
)
def test_mutated_valid_frames(
    codec: Codec, frame: Any, position: int, mutation: bytes, delete: int
) -> None:
    wire = msgspec.msgpack.encode(frame) if codec.binary else msgspec.json.encode(frame)
    cut = position % (len(wire) + 1)
    mutated = wire[:cut] + mutation + wire[cut + delete :]
    _assert_only_protocol_errors(mutated)


@pytest.mark.parametrize("codec", CODEC_LIST, ids=lambda codec: codec.subprotocol)
@pytest.mark.parametrize(
    "data",
    [
        b"[" * 100_000,
        b"{" + b'"x":[' * 10_000 + b"1" + b"]" * 10_000 + b',"type":"ping","id":1}',
        b"\x91" * 100_000,
        b"\x82\xa4type\xa4ping\xa1x" + b"\x81\xa1x" * 10_000 + b"\xc0",
        b"\xdd\xff\xff\xff\xff",
        b"\xa3\xed\xa0\x80",
        b"\xc7\x05\x01abcde",
        b"",
    ],
    ids=[
        "deep-json-array",
        "deep-json-field",
        "deep-msgpack",
        "deep-msgpack-map",
        "huge-declared-length",
        "msgpack-surrogate-utf8",
        "msgpack-ext",
        "empty",
    ],
)
def test_hostile_inputs(codec: Codec, data: bytes) -> None:
    for decode in (codec.decode_client, codec.decode_server):
        with pytest.raises(ProtocolError):
            decode(data, max_bytes=1_000_000)
