"""HTTP/1.1 keep-alive that survives answers given before the request body was read.

The facade often answers before it reads a body: 401 when the caller is unknown, 413 for a
declared length over the limit, 415, 429, 404.  Two things then went wrong on a kept-alive
connection, so the next request on it was never answered:

* Hypercorn finishes a response — and decides whether to keep the connection, close it or
  arm its idle timer — inside the application's ``send`` call.  Quart-trio reads the body
  in a sibling task that cancels the request's nursery when the ``http.disconnect`` that
  Hypercorn injects at that very moment arrives, so the cancellation lands in the middle
  of Hypercorn's bookkeeping: the connection was left neither recycled nor closed.
* Even when it closes, a client still sending its body gets a reset instead of the answer.

:class:`EarlyAnswerMiddleware`, the outermost ASGI layer, shields every HTTP ``send`` from
cancellation (Hypercorn already shields its socket writes, so nothing new can block) and,
when the response is complete while the request body is not:

* holds back only the final, empty end-of-response message — the client already has the
  status, headers and body, which carry a ``Content-Length`` — until the rest of the body
  has arrived (Quart reads and discards it) or :data:`LINGER_SECONDS` have passed;
* keeps the connection when at most :data:`DRAIN_BYTES` of a declared length remain, and
  otherwise adds ``Connection: close`` to the response and closes after the linger, so a
  rejected upload never keeps a connection busy for long.

WebSocket scopes pass through untouched.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, cast

import trio
from quart import Quart

DRAIN_BYTES = 64 * 1024
"""Unread request bytes a connection is kept for after an early answer."""

LINGER_SECONDS = 5.0
"""How long the end of a response waits for the rest of the request body."""

Scope = Mapping[str, Any]
Receive = Callable[[], Awaitable[Any]]
Send = Callable[[Any], Awaitable[None]]
AsgiApplication = Callable[[Any, Receive, Send], Awaitable[None]]


def declared_body(headers: Iterable[tuple[bytes, bytes]]) -> int | None:
    """The request's declared body length: ``Content-Length``, -1 for a chunked body of
    unknown length, or None when the request has no body."""
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"content-length":
            try:
                length = int(value)
            except ValueError:
                return None
            return length if length > 0 else None
        if lowered == b"transfer-encoding" and b"chunked" in value.lower():
            return -1
    return None


class _RequestBody:
    """What the application has received of one request's body."""

    __slots__ = ("complete", "declared", "received")

    def __init__(self, declared: int | None) -> None:
        self.declared = declared
        self.received = 0
        self.complete = trio.Event()
        if declared is None:
            self.complete.set()

    def record(self, message: Mapping[str, Any]) -> None:
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if not message.get("more_body", False):
                self.complete.set()
        elif message["type"] == "http.disconnect":
            self.complete.set()

    def drainable(self) -> bool:
        """Whether the rest is known to be small enough to read and keep the connection."""
        if self.complete.is_set():
            return True
        return self.declared is not None and 0 <= self.declared - self.received <= DRAIN_BYTES


class EarlyAnswerMiddleware:
    """The ASGI wrapper behind :func:`install_early_answers`; see the module docstring."""

    def __init__(self, application: AsgiApplication) -> None:
        self._application = application

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._application(scope, receive, send)
            return
        body = _RequestBody(declared_body(scope.get("headers", ())))

        async def receive_recorded() -> Any:
            message = await receive()
            body.record(message)
            return message

        async def send_whole(message: Mapping[str, Any]) -> None:
            if message["type"] == "http.response.start" and not body.drainable():
                headers = [*message.get("headers", ()), (b"connection", b"close")]
                message = {**message, "headers": headers}
            elif (message["type"] == "http.response.body" and not message.get("more_body")
                    and not body.complete.is_set()):
                if message.get("body"):
                    await _shielded(send, {**message, "more_body": True})
                with trio.CancelScope(shield=True) as linger:
                    linger.deadline = trio.current_time() + LINGER_SECONDS
                    await body.complete.wait()
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await _shielded(send, message)

        await self._application(scope, receive_recorded, send_whole)


async def _shielded(send: Send, message: Mapping[str, Any]) -> None:
    with trio.CancelScope(shield=True):
        await send(message)


def install_early_answers(app: Quart) -> None:
    """Wrap ``app``'s ASGI application as described above; install it last (outermost)."""
    app.asgi_app = cast(Any, EarlyAnswerMiddleware(app.asgi_app))  # type: ignore[method-assign]
