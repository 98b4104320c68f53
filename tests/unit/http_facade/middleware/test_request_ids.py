"""Request ids: accepted or generated, echoed, on every log line; the access log's content."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from quart import Blueprint, Response, jsonify
from quart_trio import QuartTrio

from http_facade.app import create_app
from http_facade.context import FacadeContext
from http_facade.middleware.request_ids import (
    RequestIdMiddleware,
    accept_request_id,
    loggable_query,
)
from services.logging_setup import REQUEST_ID, build_handler
from topicsflow.settings import Profile, Settings


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """JSON log lines of every logger, collected while the test runs."""
    stream = io.StringIO()
    handler = build_handler(Settings(profile=Profile.PRODUCTION), stream)
    root = logging.getLogger()
    saved_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(saved_level)


def lines(stream: io.StringIO, logger: str) -> list[dict[str, Any]]:
    parsed = [json.loads(line) for line in stream.getvalue().splitlines()]
    return [record for record in parsed if record["logger"] == logger]


def make_app() -> QuartTrio:
    app = create_app(FacadeContext(settings=Settings()))
    probe = Blueprint("probe", __name__, url_prefix="/api/probe")

    @probe.get("/log")
    async def log_something() -> Response:
        logging.getLogger("tests.probe").info("handling", extra={"seen": REQUEST_ID.get()})
        return jsonify({"request_id": REQUEST_ID.get()})

    app.register_blueprint(probe)
    return app


@pytest.mark.parametrize("valid", ["abc", "A.b_c-9", "x" * 64, "0123456789abcdef"])
def test_acceptable_ids_are_kept(valid: str) -> None:
    assert accept_request_id(valid) == valid


@pytest.mark.parametrize("invalid", [None, "", "x" * 65, "has space", "semi;colon", "é", "a\nb"])
def test_other_ids_are_replaced_by_a_fresh_one(invalid: str | None) -> None:
    fresh = accept_request_id(invalid)
    assert len(fresh) == 32 and int(fresh, 16) >= 0
    assert accept_request_id(invalid) != fresh


@pytest.mark.parametrize(
    ("raw", "logged"),
    [
        (b"", ""),
        (b"page=2&sort=new", "page=2&sort=new"),
        (b"token=abc&page=2", "token=[redacted]&page=2"),
        (b"to%6Ben=abc", "to%6Ben=[redacted]"),
        (b"code=123456&next=%2Fhome", "code=[redacted]&next=%2Fhome"),
        (b"access_token=a&password=b&flag", "access_token=[redacted]&password=[redacted]&flag"),
    ],
)
def test_sensitive_query_values_are_redacted(raw: bytes, logged: str) -> None:
    assert loggable_query(raw) == logged


async def test_a_valid_client_id_is_echoed_and_seen_by_the_handler(
    log_output: io.StringIO,
) -> None:
    client = make_app().test_client()
    response = await client.get("/api/probe/log", headers={"X-Request-Id": "client-id.1"})
    assert response.headers["X-Request-Id"] == "client-id.1"
    assert (await response.get_json())["request_id"] == "client-id.1"
    [handled] = lines(log_output, "tests.probe")
    assert handled["request_id"] == "client-id.1" and handled["seen"] == "client-id.1"
    assert REQUEST_ID.get() is None


async def test_an_invalid_or_missing_id_is_replaced_per_request() -> None:
    client = make_app().test_client()
    first = await client.get("/healthz", headers={"X-Request-Id": "no spaces allowed"})
    second = await client.get("/healthz")
    ids = [first.headers["X-Request-Id"], second.headers["X-Request-Id"]]
    assert all(len(request_id) == 32 for request_id in ids) and ids[0] != ids[1]
    assert first.headers.getlist("X-Request-Id") == [ids[0]]


async def test_the_access_line_holds_no_secrets(log_output: io.StringIO) -> None:
    client = make_app().test_client()
    client.set_cookie("localhost", "topicsflow_session", "cookie-secret")
    await client.get(
        "/api/probe/log",
        query_string={"token": "query-secret", "page": "2"},
        headers={
            "Authorization": "Bearer bearer-secret",
            "Referer": "https://example.org/?token=referer-secret",
            "X-Request-Id": "req-1",
        },
        scope_base={"client": ("127.0.0.1", 50000)},
    )
    text = log_output.getvalue()
    for secret in ("cookie-secret", "query-secret", "bearer-secret", "referer-secret"):
        assert secret not in text
    [access] = lines(log_output, "topicsflow.access")
    assert access["message"] == "http request"
    assert access["request_id"] == "req-1"
    assert (access["method"], access["path"], access["status"]) == ("GET", "/api/probe/log", 200)
    assert access["query"] == "token=[redacted]&page=2"
    assert access["client"] == "127.0.0.1"
    assert access["duration_ms"] >= 0


async def test_a_websocket_accept_carries_the_id(log_output: io.StringIO) -> None:
    sent: list[dict[str, Any]] = []

    async def application(scope: Any, receive: Any, send: Any) -> None:
        logging.getLogger("tests.probe").info("connected")
        await send({"type": "websocket.accept", "headers": [(b"x-request-id", b"stale")]})

    async def receive() -> dict[str, Any]:
        raise AssertionError("not read")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    middleware = RequestIdMiddleware(application, FacadeContext(settings=Settings()))
    scope: dict[str, Any] = {
        "type": "websocket", "path": "/ws", "query_string": b"token=ws-secret",
        "headers": [(b"x-request-id", b"ws-1")], "client": ("10.0.0.5", 5000),
    }
    await middleware(scope, receive, send)
    assert sent == [{"type": "websocket.accept", "headers": [(b"x-request-id", b"ws-1")]}]
    [handled] = lines(log_output, "tests.probe")
    assert handled["request_id"] == "ws-1"
    [access] = lines(log_output, "topicsflow.access")
    assert (access["message"], access["status"], access["query"]) == (
        "websocket", 101, "token=[redacted]"
    )


async def test_a_failing_application_still_logs_and_resets(log_output: io.StringIO) -> None:
    async def application(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("broken before answering")

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    async def send(message: dict[str, Any]) -> None:
        raise AssertionError("nothing is sent")

    middleware = RequestIdMiddleware(application, FacadeContext(settings=Settings()))
    scope: dict[str, Any] = {
        "type": "http", "method": "POST", "path": "/api/x", "query_string": b"",
        "headers": [], "client": None,
    }
    with pytest.raises(RuntimeError, match="broken before answering"):
        await middleware(scope, receive, send)
    [access] = lines(log_output, "topicsflow.access")
    assert access["status"] is None and access["client"] == "unknown"
    assert REQUEST_ID.get() is None


async def test_lifespan_passes_through_without_an_id() -> None:
    seen: list[str | None] = []

    async def application(scope: Any, receive: Any, send: Any) -> None:
        seen.append(REQUEST_ID.get())

    async def receive() -> dict[str, Any]:
        return {"type": "lifespan.startup"}

    async def send(message: dict[str, Any]) -> None:
        return None

    middleware = RequestIdMiddleware(application, FacadeContext(settings=Settings()))
    await middleware({"type": "lifespan"}, receive, send)
    assert seen == [None]
