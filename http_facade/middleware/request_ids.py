"""Request ids and the access log: one id per HTTP request or WebSocket, on every log line.

Contract:

* :func:`install_request_ids` wraps the app's ASGI callable.  For each HTTP request and
  WebSocket handshake the client's ``X-Request-Id`` is kept when it matches
  ``[A-Za-z0-9._-]{1,64}``; otherwise (absent, too long, other characters) a fresh
  ``uuid4`` hex is used.  The id is set in :data:`services.logging_setup.REQUEST_ID` for the
  duration of the request, so every record logged meanwhile carries it (tasks the handler
  starts copy it too), and it is returned in the ``X-Request-Id`` header of the response
  (for a WebSocket, of the accept or the refusal).
* When a request ends, one ``INFO`` record goes to the ``topicsflow.access`` logger with
  message ``"http request"`` or ``"websocket"`` and the fields ``method``, ``path``,
  ``query``, ``status`` (101 for an accepted WebSocket; None when the app failed before
  answering, in which case its exception propagates unchanged), ``duration_ms`` and
  ``client`` (the address of :func:`http_facade.middleware.security.client_address`).
* What the access record never holds: header values (``Cookie``, ``Authorization``…),
  bodies, the ``Referer``, or the value of a query parameter whose name looks sensitive
  (``token``, ``code``, ``password``…, see :func:`services.logging_setup.is_sensitive_name`):
  the parameter stays, its value becomes ``[redacted]``.  The path is logged as sent, so
  endpoints must not carry secrets in their paths.  Path and query are cut at 512
  characters.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, cast
from urllib.parse import unquote_plus

from quart import Quart

from http_facade.context import EXTENSION_KEY, FacadeContext
from http_facade.middleware.security import client_address
from services.logging_setup import REDACTED, REQUEST_ID, is_sensitive_name

HEADER = "X-Request-Id"
MAX_REQUEST_ID_LENGTH = 64
MAX_LOGGED_LENGTH = 512
_REQUEST_ID_CHARACTERS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"
)
_HEADER_KEY = HEADER.lower().encode("ascii")
_ANSWERS = frozenset({"http.response.start", "websocket.accept", "websocket.http.response.start"})

# ASGI scopes and events are hypercorn's TypedDicts; only a few keys are read here.
Scope = Mapping[str, Any]
Receive = Callable[[], Awaitable[Any]]
Send = Callable[[Any], Awaitable[None]]
AsgiApplication = Callable[[Any, Receive, Send], Awaitable[None]]

access_logger = logging.getLogger("topicsflow.access")


def accept_request_id(candidate: str | None) -> str:
    """``candidate`` when it is an acceptable request id, else a new random one."""
    if (
        candidate
        and len(candidate) <= MAX_REQUEST_ID_LENGTH
        and set(candidate) <= _REQUEST_ID_CHARACTERS
    ):
        return candidate
    return uuid.uuid4().hex


def loggable_query(raw: bytes) -> str:
    """The query string with the values of sensitive-named parameters redacted."""
    parameters = []
    for parameter in raw.decode("latin-1").split("&"):
        name, separator, _value = parameter.partition("=")
        sensitive = separator and is_sensitive_name(unquote_plus(name))
        parameters.append(f"{name}={REDACTED}" if sensitive else parameter)
    return "&".join(parameters)[:MAX_LOGGED_LENGTH]


def _header(headers: Iterable[tuple[bytes, bytes]], key: bytes) -> str | None:
    for name, value in headers:
        if name.lower() == key:
            return value.decode("latin-1")
    return None


class RequestIdMiddleware:
    """The ASGI wrapper behind :func:`install_request_ids`."""

    def __init__(self, application: AsgiApplication, context: FacadeContext) -> None:
        self._application = application
        self._trusted_proxies = context.settings.trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self._application(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = list(scope.get("headers", ()))
        request_id = accept_request_id(_header(headers, _HEADER_KEY))
        echoed = (_HEADER_KEY, request_id.encode("ascii"))
        status: int | None = None

        async def send_with_id(message: Mapping[str, Any]) -> None:
            nonlocal status
            if message["type"] in _ANSWERS:
                status = int(message.get("status", 101))  # an accept has no status: 101
                headers_out = message.get("headers", ())
                kept = [pair for pair in headers_out if pair[0].lower() != _HEADER_KEY]
                message = {**message, "headers": [*kept, echoed]}
            await send(message)

        started = time.perf_counter()
        token = REQUEST_ID.set(request_id)
        try:
            await self._application(scope, receive, send_with_id)
        finally:
            peer = scope.get("client")
            access_logger.info(
                "http request" if scope["type"] == "http" else "websocket",
                extra={
                    "method": scope.get("method", "GET"),
                    "path": str(scope.get("path", ""))[:MAX_LOGGED_LENGTH],
                    "query": loggable_query(scope.get("query_string", b"")),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                    "client": client_address(
                        peer[0] if peer else None,
                        _header(headers, b"x-forwarded-for"),
                        self._trusted_proxies,
                    ),
                },
            )
            REQUEST_ID.reset(token)


def install_request_ids(app: Quart) -> None:
    """Wrap ``app`` (built by :func:`http_facade.app.create_app`) as described above."""
    context = cast(FacadeContext, app.extensions[EXTENSION_KEY])
    app.asgi_app = RequestIdMiddleware(app.asgi_app, context)  # type: ignore[method-assign]
