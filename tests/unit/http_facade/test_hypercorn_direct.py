"""The Hypercorn fast-path adapter's contract: verified versions, and loud fallbacks.

The first tests fail when the installed Hypercorn, wsproto or h11 is not one the adapter
(http_facade/websocket/hypercorn_direct.py) was verified with, or when a class or method
it relies on is gone; their messages say what to re-verify.  The others check that
anything unexpected falls back to plain ASGI with one WARNING.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import pytest

from http_facade.websocket import hypercorn_direct
from http_facade.websocket.asgi_transport import AsgiTransport, Message
from http_facade.websocket.hypercorn_direct import (
    ALSO_VERIFIED_WITH,
    RE_VERIFY,
    VERIFIED_VERSIONS,
    DirectAsgiTransport,
    Fallback,
    FallbackLog,
    attach,
    environment_problem,
    installed_versions,
    locate,
    unverified,
)

EVERY_VERIFIED: Mapping[str, frozenset[str]] = {**VERIFIED_VERSIONS, **ALSO_VERIFIED_WITH}


def test_installed_hypercorn_wsproto_and_h11_are_the_verified_versions() -> None:
    problems = unverified(installed_versions(list(EVERY_VERIFIED)), EVERY_VERIFIED)
    if problems:
        pytest.fail(
            "The WebSocket fast path (frames written straight to Hypercorn's socket) reads "
            "Hypercorn's and wsproto's internals and was verified with other versions:\n  "
            + "\n  ".join(problems)
            + f"\nWith an unverified Hypercorn or wsproto the node falls back to plain ASGI "
            f"(slower). To keep the fast path: {RE_VERIFY}.",
            pytrace=False,
        )


def test_the_fast_path_is_enabled_in_this_environment() -> None:
    problem = environment_problem()
    if problem is not None:
        pytest.fail(f"The WebSocket fast path is off in this process: {problem}; {RE_VERIFY}.",
                    pytrace=False)


def test_the_methods_the_adapter_walks_through_exist() -> None:
    from hypercorn.protocol.h11 import H11Protocol
    from hypercorn.protocol.ws_stream import WSStream
    from hypercorn.trio.tcp_server import TCPServer
    from wsproto.connection import Connection, ConnectionState

    expected = {
        "WSStream.app_send (the ASGI send)": getattr(WSStream, "app_send", None),
        "H11Protocol.stream_send (WSStream.send)": getattr(H11Protocol, "stream_send", None),
        "TCPServer.protocol_send (H11Protocol.send)": getattr(TCPServer, "protocol_send", None),
        "Connection.state": getattr(Connection, "state", None),
        "ConnectionState.OPEN": getattr(ConnectionState, "OPEN", None),
    }
    missing = [name for name, found in expected.items() if found is None]
    assert not missing, f"gone from the installed Hypercorn/wsproto: {missing}; {RE_VERIFY}"


def test_unverified_names_each_distribution_off_the_verified_set() -> None:
    verified = {"hypercorn": frozenset({"0.18.0"}), "wsproto": frozenset({"1.3.2"})}
    assert unverified({"hypercorn": "0.18.0", "wsproto": "1.3.2"}, verified) == []
    assert unverified({"hypercorn": "0.19.0", "wsproto": None}, verified) == [
        "hypercorn 0.19.0 is installed, verified with 0.18.0",
        "wsproto (not installed) is installed, verified with 1.3.2",
    ]


class NotHypercorn:
    """An ASGI server object other than Hypercorn's WSStream."""

    sent: list[Message]

    def __init__(self) -> None:
        self.sent = []

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    async def receive(self) -> Message:
        return {"type": "websocket.disconnect"}


@pytest.fixture
def verified_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Classify as on a verified Hypercorn, whatever is installed (tested above)."""
    monkeypatch.setattr(hypercorn_direct, "environment_problem", lambda: None)


@pytest.mark.usefixtures("verified_environment")
def test_another_servers_send_falls_back_with_the_reason() -> None:
    server = NotHypercorn()
    found = locate(server.send)
    assert found == Fallback(
        "the ASGI send is not bound to Hypercorn's WSStream (found NotHypercorn)", by_design=False
    )


def test_an_unverified_environment_falls_back_before_reading_anything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hypercorn_direct, "environment_problem",
                        lambda: "hypercorn 9.9 is installed, verified with 0.18.0")

    def send_never_read(message: Message) -> None:
        raise AssertionError("nothing is read from send")

    found = locate(send_never_read)  # type: ignore[arg-type]
    assert found == Fallback("hypercorn 9.9 is installed, verified with 0.18.0", by_design=False)


@pytest.fixture
def log(monkeypatch: pytest.MonkeyPatch) -> FallbackLog:
    """A fresh fallback log for :func:`attach` (the process's own stays untouched)."""
    fresh = FallbackLog()
    monkeypatch.setattr(hypercorn_direct, "fallback_log", fresh)
    return fresh


@pytest.mark.usefixtures("verified_environment")
def test_attach_falls_back_to_plain_asgi_and_warns_once(
    log: FallbackLog, caplog: pytest.LogCaptureFixture
) -> None:
    server = NotHypercorn()
    with caplog.at_level(logging.DEBUG, logger=hypercorn_direct.logger.name):
        transports = [attach(server.receive, server.send) for _ in range(3)]
    assert all(type(transport) is AsgiTransport for transport in transports)
    assert not any(isinstance(transport, DirectAsgiTransport) for transport in transports)
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "not bound to Hypercorn's WSStream" in warnings[0].getMessage()
    assert RE_VERIFY in warnings[0].getMessage()
    assert log.warned == {
        "the ASGI send is not bound to Hypercorn's WSStream (found NotHypercorn)"
    }


def test_fallbacks_by_design_are_not_warnings(
    log: FallbackLog, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger=hypercorn_direct.logger.name):
        for reason in ("HTTP/2", "TLS", "a WebSocket extension was negotiated"):
            log.report(Fallback(reason, by_design=True))
    assert [record.levelno for record in caplog.records] == [logging.DEBUG] * 3
    assert log.warned == frozenset()


@pytest.mark.usefixtures("log")
async def test_a_plain_transport_still_serves_the_connection() -> None:
    server = NotHypercorn()
    transport = attach(server.receive, server.send)
    await transport.send("hello")
    assert await transport.receive() is None
    assert server.sent == [{"type": "websocket.send", "text": "hello"}]
