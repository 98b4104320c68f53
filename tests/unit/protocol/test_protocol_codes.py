"""Error codes, close codes, channel names and subprotocol negotiation."""

from http import HTTPStatus

import pytest

from protocol import (
    GOODBYE_CLOSE_CODES,
    JSON_CODEC,
    MSGPACK_CODEC,
    SUBPROTOCOL_JSON,
    SUBPROTOCOL_MSGPACK,
    ChannelKind,
    ChannelRef,
    CloseCode,
    ErrorCode,
    GoodbyeReason,
    channel_name,
    is_message_channel,
    negotiate,
    parse_channel,
)


def test_error_codes_are_the_stable_set() -> None:
    assert [code.value for code in ErrorCode] == [
        "unauthorized",
        "forbidden",
        "not_found",
        "invalid",
        "conflict",
        "rate_limited",
        "too_large",
        "unavailable",
        "internal",
        "timeout",
        "unsupported",
    ]


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (ErrorCode.UNAUTHORIZED, 401),
        (ErrorCode.FORBIDDEN, 403),
        (ErrorCode.NOT_FOUND, 404),
        (ErrorCode.INVALID, 400),
        (ErrorCode.CONFLICT, 409),
        (ErrorCode.RATE_LIMITED, 429),
        (ErrorCode.TOO_LARGE, 413),
        (ErrorCode.UNAVAILABLE, 503),
        (ErrorCode.INTERNAL, 500),
        (ErrorCode.TIMEOUT, 504),
        (ErrorCode.UNSUPPORTED, 415),
    ],
)
def test_error_code_http_status(code: ErrorCode, status: int) -> None:
    assert code.http_status == HTTPStatus(status)


def test_only_transient_errors_are_retryable() -> None:
    assert {code for code in ErrorCode if code.retryable} == {
        ErrorCode.RATE_LIMITED,
        ErrorCode.UNAVAILABLE,
        ErrorCode.TIMEOUT,
        ErrorCode.INTERNAL,
    }


def test_close_codes() -> None:
    assert {code.name: code.value for code in CloseCode} == {
        "NORMAL": 1000,
        "GOING_AWAY": 1001,
        "PROTOCOL_ERROR": 1002,
        "POLICY_VIOLATION": 1008,
        "TOO_LARGE": 1009,
        "INTERNAL_ERROR": 1011,
        "SLOW_CONSUMER": 4000,
        "UNAUTHORIZED": 4001,
        "FORBIDDEN": 4003,
        "RATE_LIMITED": 4008,
        "HEARTBEAT_TIMEOUT": 4009,
    }


def test_close_codes_say_whether_to_reconnect() -> None:
    assert CloseCode.SLOW_CONSUMER.reconnect
    assert CloseCode.GOING_AWAY.reconnect
    assert CloseCode.HEARTBEAT_TIMEOUT.reconnect
    assert not CloseCode.UNAUTHORIZED.reconnect
    assert not CloseCode.FORBIDDEN.reconnect
    assert not CloseCode.POLICY_VIOLATION.reconnect
    assert CloseCode.SLOW_CONSUMER.application_defined
    assert not CloseCode.GOING_AWAY.application_defined


def test_every_goodbye_reason_has_a_close_code() -> None:
    assert set(GOODBYE_CLOSE_CODES) == set(GoodbyeReason)
    assert GOODBYE_CLOSE_CODES[GoodbyeReason.SLOW_CONSUMER] is CloseCode.SLOW_CONSUMER
    assert GOODBYE_CLOSE_CODES[GoodbyeReason.SHUTDOWN] is CloseCode.GOING_AWAY


@pytest.mark.parametrize(
    ("offered", "expected"),
    [
        ([SUBPROTOCOL_MSGPACK, SUBPROTOCOL_JSON], MSGPACK_CODEC),
        ([SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK], JSON_CODEC),
        (["chat", f" {SUBPROTOCOL_JSON} "], JSON_CODEC),
        (["topicsflow.v2.json", "chat"], None),
        ([], None),
    ],
)
def test_negotiate_honours_the_client_order(offered: list[str], expected: object) -> None:
    assert negotiate(offered) is expected


def test_channel_names_round_trip() -> None:
    name = channel_name(ChannelKind.CHAT_ROOM, "r_42-x")
    assert name == "chat_room:r_42-x"
    assert parse_channel(name) == ChannelRef(ChannelKind.CHAT_ROOM, "r_42-x")
    assert str(parse_channel(name)) == name


@pytest.mark.parametrize(
    "name", ["chat_room:", "room:1", "chat_room:a:b", "dm:x\n", "user:" + "u" * 65]
)
def test_invalid_channel_names(name: str) -> None:
    with pytest.raises(ValueError, match="not a channel name"):
        parse_channel(name)
    assert not is_message_channel(name)


def test_channel_name_refuses_ids_the_decoders_would_reject() -> None:
    with pytest.raises(ValueError, match="not a valid channel id"):
        channel_name(ChannelKind.TOPIC, "has space")


def test_message_channels() -> None:
    assert is_message_channel("chat_room:r1")
    assert is_message_channel("dm:c1")
    assert not is_message_channel("topic:t1")
