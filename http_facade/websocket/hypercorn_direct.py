"""Writing WebSocket frames straight to Hypercorn's socket: the fan-out fast path.

Through ASGI every message costs a trip through Hypercorn's WebSocket stream, wsproto's
framing, the HTTP/1.1 protocol object and the TCP server's lock before one ``send`` per
message; profiles of the fan-out benchmark put a third of the node's time there
(docs/BENCHMARKS.md).  Server frames are unmasked, so without an extension they are the
same bytes on every socket: :class:`DirectAsgiTransport` takes frames built once per
broadcast and writes them itself, under the same lock Hypercorn uses for its own writes
(pongs, close frames), so the byte stream never interleaves.

:func:`attach` finds Hypercorn's objects behind the ASGI ``send`` callable.  That is
Hypercorn's internal structure (pinned range in pyproject.toml; the e2e suite checks that
the fast path is taken).  When anything differs — another ASGI server, HTTP/2, TLS,
permessage-deflate negotiated (frames would differ per socket) — it returns None and the
connection uses plain ASGI messages, correct but slower.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

import trio
from hypercorn.protocol.h11 import H11Protocol
from hypercorn.protocol.ws_stream import WSStream
from hypercorn.trio.tcp_server import TCPServer
from wsproto.connection import ConnectionState

from actors.realtime.ports import Written
from http_facade.websocket.asgi_transport import AsgiTransport, Receive, Send

logger = logging.getLogger(__name__)

WRITE_STALL_SECONDS = 5.0
"""How long one write may wait for a peer that does not read before the socket is cut."""


class DirectAsgiTransport(AsgiTransport):
    """An :class:`AsgiTransport` that also writes raw frames (a
    :class:`~actors.realtime.ports.DirectTransport`); receiving and closing stay ASGI."""

    __slots__ = ("_connection", "_lock", "_socket", "_socket_stream", "_stream", "_tail")

    def __init__(
        self, receive: Receive, send: Send, stream: WSStream, socket_stream: trio.SocketStream,
        lock: trio.Lock,
    ) -> None:
        super().__init__(receive, send)
        self._stream = stream
        self._connection = stream.connection
        self._socket_stream = socket_stream
        self._socket = socket_stream.socket
        self._lock = lock
        self._tail: bytes | memoryview = b""

    def write_nowait(self, frame: bytes) -> Written:
        if self._tail or self._lock.locked():
            return Written.NOTHING
        descriptor = self._writable_descriptor()
        try:
            written = os.write(descriptor, frame)
        except BlockingIOError:
            written = 0
        except OSError as error:
            self._closed = True
            raise trio.BrokenResourceError("the WebSocket is closed") from error
        if written == len(frame):
            return Written.ALL
        self._tail = memoryview(frame)[written:]
        return Written.PART

    async def write(self, frames: Sequence[bytes]) -> None:
        async with self._lock:
            self._writable_descriptor()
            data = b"".join((self._tail, *frames)) if self._tail else b"".join(frames)
            self._tail = b""
            if not data:
                return
            # Shielded like Hypercorn's own writes (a frame cut short would corrupt the
            # stream), but bounded: a peer that reads nothing for that long is cut off.
            with trio.CancelScope(shield=True) as scope:
                scope.deadline = trio.current_time() + WRITE_STALL_SECONDS
                try:
                    await self._socket_stream.send_all(data)
                except (trio.BrokenResourceError, trio.ClosedResourceError) as error:
                    self._closed = True
                    raise trio.BrokenResourceError("the WebSocket is closed") from error
            if scope.cancelled_caught:
                self._abort()
                raise trio.BrokenResourceError("the peer stopped reading")

    async def close(self, code: int, reason: str) -> None:
        if self._tail and not self._closed:
            # An unfinished frame cannot be followed by a close frame.
            self._abort()
        await super().close(code, reason)

    def _writable_descriptor(self) -> int:
        """The socket's descriptor while data frames may be written; else BrokenResourceError.

        Looked up on every write: once Hypercorn closed the socket its number may already
        belong to another connection.
        """
        descriptor = self._socket.fileno()
        if (descriptor < 0 or self._closed or self._stream.closed
                or self._connection.state is not ConnectionState.OPEN):
            self._closed = True
            raise trio.BrokenResourceError("the WebSocket is closed")
        return descriptor

    def _abort(self) -> None:
        """End the TCP connection at once (Hypercorn's reader then sees it closed)."""
        self._closed = True
        self._tail = b""
        try:
            self._socket_stream.socket.shutdown(trio.socket.SHUT_RDWR)
        except OSError:
            logger.debug("the socket was already gone", exc_info=True)


def attach(receive: Receive, send: Send) -> AsgiTransport:
    """The fastest transport for this accepted connection: direct when Hypercorn's plain
    HTTP/1.1 WebSocket without extensions is behind ``send``, plain ASGI otherwise."""
    stream = getattr(send, "__self__", None)
    if not isinstance(stream, WSStream):
        return AsgiTransport(receive, send)
    protocol = getattr(stream.send, "__self__", None)
    server = getattr(getattr(protocol, "send", None), "__self__", None)
    if not isinstance(protocol, H11Protocol) or not isinstance(server, TCPServer):
        return AsgiTransport(receive, send)
    socket_stream = server.stream
    extensions = getattr(getattr(stream.connection, "_proto", None), "extensions", None)
    if (not isinstance(socket_stream, trio.SocketStream) or extensions is None
            or any(extension.enabled() for extension in extensions)):
        return AsgiTransport(receive, send)
    return DirectAsgiTransport(receive, send, stream, socket_stream, server.send_lock)
