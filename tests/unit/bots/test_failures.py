"""One-line failures: the error an exception group stands for, network reasons."""

from __future__ import annotations

import socket

import pytest
import trio

from bots.failures import BotsFailure, network_reason, sole_error


def test_the_sole_error_of_nested_groups_is_found_when_every_leaf_is_wanted() -> None:
    failure = BotsFailure("x")
    group = ExceptionGroup("outer", [ExceptionGroup("inner", [failure])])
    assert sole_error(group, BotsFailure) is failure
    assert sole_error(failure, BotsFailure) is failure


def test_unexpected_leaves_keep_the_group() -> None:
    mixed = ExceptionGroup("g", [BotsFailure("x"), ValueError("bug")])
    assert sole_error(mixed, BotsFailure) is None
    interrupted = BaseExceptionGroup("g", [BotsFailure("x"), KeyboardInterrupt()])
    assert sole_error(interrupted, BotsFailure) is None


async def test_network_reasons_reach_into_trio_s_connection_attempts() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(OSError) as raised:
        await trio.open_tcp_stream("127.0.0.1", port)
    assert network_reason(raised.value) == "connection refused"


def test_a_reason_falls_back_to_the_error_s_text() -> None:
    assert network_reason(OSError("all attempts failed")) == "all attempts failed"
    assert network_reason(TimeoutError()) == "TimeoutError"
