"""One open WebSocket of the client SDK: request/reply by id, events to a callback.

A :class:`ClientConnection` lives as long as its socket.  Its read loop decodes every
server frame: replies (``ack``, ``error``, ``pong``, ``subscribed``) complete the request
with the same ``id``; everything else is an event handed to ``on_event``, which may wait
(a full event buffer stops reading, so the server sees a slow consumer rather than the
SDK dropping events).  Frames of a type this SDK does not know are skipped, as the
protocol's versioning policy asks.  When the socket ends, every request still waiting
fails with :class:`ConnectionLost`.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import trio
import trio_websocket

from protocol.client_frames import ClientFrame
from protocol.codecs import Codec
from protocol.control_frames import Ack, ErrorReply, Pong, Subscribed
from protocol.errors import ProtocolError, UnsupportedFrame
from protocol.server_frames import ServerFrame


class ConnectionLost(Exception):
    """The connection ended before the reply arrived."""


class RequestFailed(Exception):
    """The server answered a request with ``error``; ``code`` is the stable error code."""

    def __init__(self, reply: ErrorReply) -> None:
        super().__init__(f"{reply.code.value}: {reply.message}")
        self.code = reply.code
        self.message = reply.message
        self.retry_after_ms = reply.retry_after_ms


class _Pending:
    __slots__ = ("done", "reply")

    def __init__(self) -> None:
        self.done = trio.Event()
        self.reply: ServerFrame | None = None


class ClientConnection:
    """See the module docstring."""

    def __init__(
        self,
        socket: trio_websocket.WebSocketConnection,
        stream: trio.abc.Stream,
        codec: Codec,
        on_event: Callable[[ServerFrame], Awaitable[None]],
    ) -> None:
        self._socket = socket
        self._stream = stream
        self._codec = codec
        self._on_event = on_event
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._lost = trio.Event()
        self._closing = False
        self._close_finished = trio.Event()
        self.close_code: int | None = None

    @property
    def lost(self) -> bool:
        """Whether the socket has ended."""
        return self._lost.is_set()

    async def wait_lost(self) -> None:
        """Return once the socket has ended (and our own close handshake finished)."""
        await self._lost.wait()
        if self._closing:
            await self._close_finished.wait()

    async def request(self, frame_type: type[ClientFrame], **fields: Any) -> ServerFrame:
        """Send one request and wait for its reply; see :mod:`bots.client`."""
        if self.lost:
            raise ConnectionLost("the connection is closed")
        request_id = next(self._ids)
        pending = _Pending()
        self._pending[request_id] = pending
        try:
            frame = frame_type(id=request_id, **fields)
            try:
                await self._socket.send_message(self._codec.encode_client(frame))
            except trio_websocket.ConnectionClosed as error:
                raise ConnectionLost("the connection closed while sending") from error
            await pending.done.wait()
        finally:
            del self._pending[request_id]
        if pending.reply is None:
            raise ConnectionLost("the connection closed before the reply")
        if isinstance(pending.reply, ErrorReply):
            raise RequestFailed(pending.reply)
        return pending.reply

    async def read_loop(self) -> None:
        """Read frames until the socket ends; then fail what is still pending."""
        try:
            while True:
                try:
                    data = await self._socket.get_message()
                except trio_websocket.ConnectionClosed as closed:
                    self.close_code = closed.reason.code if closed.reason else None
                    return
                try:
                    frame = self._codec.decode_server(data)
                except UnsupportedFrame:
                    continue
                except ProtocolError:
                    continue
                await self._route(frame)
        finally:
            self._lost.set()
            for pending in self._pending.values():
                pending.done.set()

    async def _route(self, frame: ServerFrame) -> None:
        if isinstance(frame, Ack | Pong | Subscribed | ErrorReply):
            request_id = frame.id
            pending = self._pending.get(request_id) if request_id is not None else None
            if pending is not None:
                pending.reply = frame
                pending.done.set()
                return
            if not isinstance(frame, ErrorReply):
                return
        await self._on_event(frame)

    async def close(self) -> None:
        """Close the socket normally."""
        self._closing = True
        try:
            await self._socket.aclose()
        finally:
            self._close_finished.set()

    async def abort(self) -> None:
        """Drop the TCP connection without a close handshake (simulates a network cut)."""
        await trio.aclose_forcefully(self._stream)
