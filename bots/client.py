"""The TopicsFlow client SDK: the v1 WebSocket protocol from trio, with resume.

Usage::

    async with open_client("ws://127.0.0.1:8000/ws", token=token) as client:
        await client.subscribe("chat_room:r1")
        await client.request(SendMessage, channel="chat_room:r1", text="hello")
        async for event in client.events():
            ...

Contract:

* :meth:`Client.request` sends a frame with the next request id and returns its one reply
  (``ack``, ``subscribed`` or ``pong``); an ``error`` reply raises :class:`RequestFailed`,
  a connection lost before the reply raises :class:`ConnectionLost` and no reply within
  ``request_timeout`` (30 s by default) :class:`RequestTimedOut` (in both cases the
  request may or may not have taken effect — repeat sends with the same ``nonce``).
  Every wait of the SDK is bounded.
* Events arrive through :meth:`Client.events`, in order, each sequenced event at most
  once: the client remembers the last ``seq`` per subscribed channel and drops repeats.
* With ``reconnect=True`` a lost connection is re-opened with jittered exponential
  backoff; the client authenticates again and re-subscribes every channel with
  ``since_seq``, so a resumed subscription delivers exactly what was missed.  A resume
  the server reports as incomplete is surfaced as a :class:`ResumeIncomplete` event.
  Close codes the protocol marks as final (4001 unauthorized, 4003 forbidden, 1008…)
  end the client instead.
* The first connection's failure is raised by :meth:`Client.run` (so by
  :func:`open_client`) as a bare exception of :data:`CONNECTION_ERRORS` — e.g.
  ``trio_websocket.ConnectionRejected`` with the HTTP status of a refused handshake
  (401 for an unknown or expired token) — never wrapped in an exception group.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import msgspec
import trio
import trio_websocket

from bots.client_connection import ClientConnection, ConnectionLost, RequestFailed
from bots.failures import sole_error
from protocol.client_frames import Authenticate, ClientFrame, Ping, Subscribe, Unsubscribe
from protocol.close_codes import CloseCode
from protocol.codecs import CODECS, SUBPROTOCOL_JSON
from protocol.control_frames import Subscribed
from protocol.server_frames import ServerFrame

__all__ = [
    "Client",
    "ConnectionLost",
    "RequestFailed",
    "RequestTimedOut",
    "ResumeIncomplete",
    "open_client",
]

DEFAULT_REQUEST_TIMEOUT = 30.0
"""Seconds :meth:`Client.request` waits for a connection and the reply together."""


class RequestTimedOut(Exception):
    """No reply within the request timeout; the request may or may not have taken effect."""

CONNECTION_ERRORS = (
    OSError, trio_websocket.HandshakeError, ConnectionLost, trio_websocket.ConnectionClosed,
)
"""What ends one connection: before the first connection :meth:`Client.run` raises it
(alone, never inside an exception group), afterwards it reconnects."""


class ResumeIncomplete(msgspec.Struct, frozen=True):
    """Pseudo-event: a resume could not replay everything; refetch up to ``last_seq``."""

    channel: str
    last_seq: int


class Client:
    """A connection to one server that survives reconnects; see the module docstring."""

    def __init__(
        self,
        url: str,
        *,
        token: str,
        subprotocol: str = SUBPROTOCOL_JSON,
        reconnect: bool = True,
        event_buffer: int = 10_000,
        bearer_header: bool = True,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    ) -> None:
        self.url = url
        self._token = token
        self._codec = CODECS[subprotocol]
        self._reconnect = reconnect
        self._bearer_header = bearer_header
        self._request_timeout = request_timeout
        self._events_send, self._events_receive = trio.open_memory_channel[
            ServerFrame | ResumeIncomplete
        ](event_buffer)
        self._last_seq: dict[str, int] = {}
        self._connection: ClientConnection | None = None
        self._connected = trio.Event()
        self._closed = False
        self.close_code: int | None = None
        self.reconnects = 0

    # ------------------------------------------------------------------ public API

    async def request(self, frame_type: type[ClientFrame], **fields: Any) -> ServerFrame:
        """Send ``frame_type(**fields)`` with a fresh id and return its reply.

        Waits at most ``request_timeout`` seconds, the wait for a connection included;
        past it raises :class:`RequestTimedOut` (the request may or may not have taken
        effect: repeat a send with the same ``nonce``).
        """
        with trio.move_on_after(self._request_timeout) as deadline:
            connection = await self._current_connection()
            return await connection.request(frame_type, **fields)
        assert deadline.cancelled_caught
        raise RequestTimedOut(
            f"no reply to {frame_type.__name__} within {self._request_timeout:g} s"
        )

    async def subscribe(self, channel: str, since_seq: int | None = None) -> Subscribed:
        """Subscribe to ``channel`` (resuming after ``since_seq`` when given)."""
        if since_seq is not None:
            self._last_seq[channel] = since_seq
        reply = await self.request(Subscribe, channel=channel, since_seq=since_seq)
        assert isinstance(reply, Subscribed)
        self._last_seq.setdefault(channel, reply.last_seq if since_seq is None else since_seq)
        return reply

    async def unsubscribe(self, channel: str) -> None:
        """Stop receiving ``channel``."""
        self._last_seq.pop(channel, None)
        await self.request(Unsubscribe, channel=channel)

    async def ping(self) -> ServerFrame:
        """Round-trip a ``ping``."""
        return await self.request(Ping)

    def last_seq(self, channel: str) -> int | None:
        """The last sequence number delivered on ``channel``."""
        return self._last_seq.get(channel)

    async def events(self) -> AsyncIterator[ServerFrame | ResumeIncomplete]:
        """Every event, in arrival order, until the client closes."""
        async for event in self._events_receive:
            yield event

    async def next_event(self) -> ServerFrame | ResumeIncomplete:
        """The next event (raises ``trio.EndOfChannel`` once the client closed)."""
        return await self._events_receive.receive()

    async def disconnect_for_test(self) -> None:
        """Drop the current socket as a network failure would (the client reconnects)."""
        if self._connection is not None:
            await self._connection.abort()

    # ------------------------------------------------------------------ internals

    async def _current_connection(self) -> ClientConnection:
        while True:
            if self._closed:
                raise ConnectionLost("the client is closed")
            if self._connection is not None and not self._connection.lost:
                return self._connection
            await self._connected.wait()

    async def _deliver(self, event: ServerFrame) -> None:
        channel = getattr(event, "channel", None)
        seq = getattr(event, "seq", None)
        if isinstance(channel, str) and isinstance(seq, int):
            if channel not in self._last_seq or seq <= self._last_seq[channel]:
                return
            self._last_seq[channel] = seq
        with contextlib.suppress(trio.ClosedResourceError, trio.BrokenResourceError):
            await self._events_send.send(event)

    async def _open_once(self, nursery: trio.Nursery) -> ClientConnection:
        headers = []
        if self._bearer_header:
            headers.append((b"authorization", f"Bearer {self._token}".encode()))
        address = urlsplit(self.url)
        if address.scheme != "ws" or address.hostname is None:
            raise ValueError(f"expected a ws:// URL, got {self.url!r}")
        stream = await trio.open_tcp_stream(address.hostname, address.port or 80)
        socket = await trio_websocket.wrap_client_stream(
            nursery, stream, address.netloc, address.path or "/",
            subprotocols=[self._codec.subprotocol], extra_headers=headers,
            message_queue_size=64,
        )
        connection = ClientConnection(socket, stream, self._codec, self._deliver)
        nursery.start_soon(connection.read_loop)
        if not self._bearer_header:
            await connection.request(Authenticate, token=self._token)
        return connection

    async def _resubscribe(self, connection: ClientConnection) -> None:
        for channel, since in list(self._last_seq.items()):
            reply = await connection.request(Subscribe, channel=channel, since_seq=since)
            if isinstance(reply, Subscribed) and not reply.complete:
                self._last_seq[channel] = reply.last_seq
                self._events_send.send_nowait(ResumeIncomplete(channel, reply.last_seq))

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Keep a connection open until :meth:`close`; report once first connected."""
        delay = 0.2
        started = False
        try:
            while not self._closed:
                try:
                    async with trio.open_nursery() as nursery:
                        connection = await self._open_once(nursery)
                        if started:
                            await self._resubscribe(connection)
                            self.reconnects += 1
                        self._connection = connection
                        self._connected.set()
                        delay = 0.2
                        if not started:
                            started = True
                            task_status.started()
                        await connection.wait_lost()
                        nursery.cancel_scope.cancel()
                except CONNECTION_ERRORS:
                    if not started:
                        raise
                except BaseExceptionGroup as group:
                    failure = sole_error(group, CONNECTION_ERRORS)
                    if failure is None:
                        raise
                    if not started:
                        raise failure from failure.__cause__  # its own cause, not the group
                self._connected = trio.Event()
                code = self._connection.close_code if self._connection else None
                self.close_code = code
                if not self._reconnect or self._closed or _final(code):
                    break
                await trio.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311 - jitter only
                delay = min(delay * 2, 10.0)
        finally:
            self._closed = True
            self._events_send.close()

    async def close(self) -> None:
        """Close the connection and stop reconnecting."""
        self._closed = True
        if self._connection is not None:
            await self._connection.close()


def _final(code: int | None) -> bool:
    if code is None:
        return False
    try:
        return not CloseCode(code).reconnect
    except ValueError:
        return False


@contextlib.asynccontextmanager
async def open_client(url: str, *, token: str, **options: Any) -> AsyncIterator[Client]:
    """Connect (and authenticate) a :class:`Client`; close it on exit.

    A failed first connection raises its error of :data:`CONNECTION_ERRORS` as it is.
    """
    client = Client(url, token=token, **options)
    failure: BaseException | None = None
    async with trio.open_nursery() as nursery:
        try:
            await nursery.start(client.run)
        except CONNECTION_ERRORS as error:
            failure = error
        else:
            try:
                yield client
            finally:
                await client.close()
                nursery.cancel_scope.cancel()
    if failure is not None:
        raise failure
