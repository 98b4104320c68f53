"""Writing WebSocket frames straight to Hypercorn's socket: the fan-out fast path.

Through ASGI every message costs a trip through Hypercorn's WebSocket stream, wsproto's
framing, the HTTP/1.1 protocol object and the TCP server's lock before one ``send`` per
message; profiles of the fan-out benchmark put a third of the node's time there
(docs/BENCHMARKS.md).  Server frames are unmasked, so without an extension they are the
same bytes on every socket: :class:`DirectAsgiTransport` takes frames built once per
broadcast and writes them itself, under the same lock Hypercorn uses for its own writes
(pongs, close frames), so the byte stream never interleaves.

This module is the **only** place that touches Hypercorn's or wsproto's internals (the
rest of the code base uses Hypercorn only through its public ``hypercorn.config.Config``
and ``hypercorn.trio.serve``, in the node's wiring under topicsflow/node).

The contract
============

**Verified with** the versions in :data:`VERIFIED_VERSIONS` (Hypercorn and wsproto, read
from the installed distributions with :mod:`importlib.metadata`).  h11, which Hypercorn's
HTTP/1.1 protocol is built on, is recorded in :data:`ALSO_VERIFIED_WITH`: the adapter
reads nothing of it, so it does not gate the fast path, but the version test asks for a
re-check when it changes.  ``tests/unit/http_facade/test_hypercorn_direct.py`` fails when
an installed version is not in these sets; ``tests/e2e/test_hypercorn_fast_path.py``
fails when a real Hypercorn connection does not take the fast path.

**What it reads**, once per accepted WebSocket in :func:`locate`:

1. ``send.__self__``: the ASGI ``send`` is the bound method ``WSStream.app_send``;
2. ``WSStream.send.__self__``: ``H11Protocol`` (its ``stream_send``); ``H2Protocol`` here
   means HTTP/2;
3. ``H11Protocol.send.__self__``: ``hypercorn.trio.tcp_server.TCPServer`` (its
   ``protocol_send``);
4. ``TCPServer.stream``: a :class:`trio.SocketStream` (a :class:`trio.SSLStream` means TLS);
5. ``TCPServer.send_lock``: the :class:`trio.Lock` under which ``protocol_send`` writes
   every byte Hypercorn sends (handshake, pings, pongs, close frames) with
   ``stream.send_all``, shielded from cancellation;
6. ``WSStream.connection``: the :class:`wsproto.connection.Connection`, and its private
   ``_proto.extensions``: the negotiated extensions (one enabled means per-socket frames).

Once per process, :func:`contain_connection_failures` wraps ``TCPServer.run`` so that an
exception escaping one connection no longer ends the server.  Per connection,
:func:`guard_events` also makes the wsproto connection a :class:`GuardedConnection`
(``__class__`` is swapped: its ``events`` sets the private ``_state`` on a parse failure),
so broken framing is answered with a close frame and data after the server's close frame
cannot reach Hypercorn's message buffer (its docstring says why: the latter stopped the
whole server), and swaps its private, empty ``_events`` deque for a smaller list.  Once the
upgrade is accepted, :func:`release_handshake` drops what Hypercorn keeps only for the
handshake: it empties ``scope["headers"]``, replaces ``WSStream.handshake`` (read
afterwards only for ``accepted``) and ``H11WSConnection.h11_connection`` (unused after
the upgrade) by small stand-ins — less memory per idle connection.

Per frame, :class:`DirectAsgiTransport` reads ``WSStream.closed``, the ``_state`` behind
wsproto's public ``Connection.state`` (one property call less per delivery) and the
``fileno()`` of the standard socket behind the trio socket (its private ``_sock``, when
present; else the trio socket's own ``fileno()``), and writes with :func:`os.write` on
that descriptor (trio sockets are non-blocking) only while ``send_lock`` is free (a
synchronous write cannot interleave with a holder), or with ``SocketStream.send_all``
while holding ``send_lock``.  Also assumed, and only checkable by reading Hypercorn's
source: Hypercorn writes a connection's bytes nowhere but through ``protocol_send`` (no
outbound buffer of its own), and sets ``WSStream.closed`` once the stream is closed.

**When anything differs** — an installed version outside the verified sets, a class that
cannot be imported, an object of another type or an attribute missing along the chain
above — :func:`attach` returns a plain :class:`AsgiTransport` (correct, slower: every
frame through ASGI) and logs the reason **once** at WARNING.  Connections that cannot
take the fast path by design — HTTP/2, TLS, permessage-deflate negotiated by the client
(frames would differ per socket) — use plain ASGI too and are logged at DEBUG only.
Nothing is checked per frame beyond what the write needs: the checks cost one walk per
accepted connection and one cached version look-up per process.

**Re-verifying** after a Hypercorn, wsproto or h11 upgrade: read the installed
``hypercorn/protocol/ws_stream.py`` (``WSStream.__init__``, ``app_send``, ``_accept``,
``closed``), ``hypercorn/protocol/h11.py`` (``H11Protocol.__init__``, ``stream_send``,
the upgrade to ``WSStream``), ``hypercorn/trio/tcp_server.py`` (``TCPServer.__init__``,
``protocol_send``, ``_close``) and ``wsproto/connection.py`` (``Connection.__init__``,
``_proto``, ``state`` and the ``_state`` it returns) for the facts listed above; run
``tests/unit/http_facade/test_hypercorn_direct.py``, ``tests/e2e/test_hypercorn_fast_path.py``,
``tests/e2e/test_gateway_write_path.py`` and ``tests/unit/actors/test_session_direct.py``;
then add the versions to :data:`VERIFIED_VERSIONS` / :data:`ALSO_VERIFIED_WITH` (and the
range in pyproject.toml).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.metadata
import logging
import math
import os
from collections import deque
from collections.abc import Awaitable, Callable, Generator, Mapping, Sequence
from types import MappingProxyType
from typing import Final, cast

import trio

from actors.realtime.ports import WRITTEN_ALL, WRITTEN_NOTHING, WRITTEN_PART, Written
from http_facade.websocket.app_queue import AppQueue
from http_facade.websocket.asgi_transport import AsgiTransport, Receive, Scope, Send

logger = logging.getLogger(__name__)

WRITE_STALL_SECONDS = 5.0
"""How long one write may wait for a peer that does not read before the socket is cut."""

VERIFIED_VERSIONS: Final[Mapping[str, frozenset[str]]] = MappingProxyType({
    "hypercorn": frozenset({"0.18.0"}),
    "wsproto": frozenset({"1.3.2"}),
})
"""Distributions whose internals the adapter reads, and the versions it was verified
with; any other installed version switches the fast path off (see the module contract)."""

ALSO_VERIFIED_WITH: Final[Mapping[str, frozenset[str]]] = MappingProxyType({
    "h11": frozenset({"0.16.0"}),
})
"""Distributions verified alongside but not read (they do not gate the fast path)."""

RE_VERIFY: Final = (
    "re-verify http_facade/websocket/hypercorn_direct.py against the installed Hypercorn "
    "and wsproto (the module docstring lists what it reads and how to re-verify), then "
    "update VERIFIED_VERSIONS / ALSO_VERIFIED_WITH there"
)
"""What a maintainer is asked to do when the adapter's assumptions no longer hold."""

try:
    from hypercorn.config import Config
    from hypercorn.events import Closed, RawData
    from hypercorn.protocol.h2 import H2Protocol
    from hypercorn.protocol.h11 import H11Protocol, H11WSConnection
    from hypercorn.protocol.ws_stream import ASGIWebsocketState, WSStream
    from hypercorn.trio import tcp_server as tcp_server_module
    from hypercorn.trio.task_group import TaskGroup
    from hypercorn.trio.task_group import _handle as _handle_app
    from hypercorn.trio.tcp_server import MAX_RECV, TCPServer
    from hypercorn.typing import (
        AppWrapper,
        ASGIReceiveEvent,
        ASGISendEvent,
    )
    from hypercorn.typing import Scope as HypercornScope
    from wsproto.connection import Connection, ConnectionState
    from wsproto.events import CloseConnection, Event, Message

    _OPEN: Final = ConnectionState.OPEN  # compared per frame; a member look-up is slower
except ImportError as error:  # an unverified Hypercorn or wsproto: plain ASGI only
    _IMPORT_PROBLEM: str | None = (
        f"Hypercorn's or wsproto's internals cannot be imported ({error})"
    )
else:
    _IMPORT_PROBLEM = None


def installed_versions(names: Sequence[str]) -> dict[str, str | None]:
    """The installed version of each distribution in ``names`` (None when not installed)."""
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def unverified(
    installed: Mapping[str, str | None], verified: Mapping[str, frozenset[str]]
) -> list[str]:
    """One line per distribution of ``verified`` whose ``installed`` version is not in its
    verified set (empty when every one matches)."""
    return [
        f"{name} {installed.get(name) or '(not installed)'} is installed, verified with "
        f"{', '.join(sorted(versions))}"
        for name, versions in verified.items()
        if installed.get(name) not in versions
    ]


@functools.cache
def environment_problem() -> str | None:
    """Why the fast path is off for every connection of this process, or None when the
    installed Hypercorn and wsproto are verified ones and their classes import.

    Computed once per process (the first accepted WebSocket pays the metadata look-up).
    """
    if _IMPORT_PROBLEM is not None:
        return _IMPORT_PROBLEM
    problems = unverified(installed_versions(list(VERIFIED_VERSIONS)), VERIFIED_VERSIONS)
    return "; ".join(problems) if problems else None


@dataclasses.dataclass(frozen=True, slots=True)
class Fallback:
    """Why one connection is served over plain ASGI messages."""

    reason: str
    """Stable text (no per-connection detail), so that it is logged once."""
    by_design: bool
    """True for HTTP/2, TLS and negotiated extensions (the fast path cannot apply: DEBUG);
    False when the internals differ from the verified ones (WARNING, once)."""


@dataclasses.dataclass(frozen=True, slots=True)
class HypercornSocket:
    """What the fast path writes through: Hypercorn's stream, socket and send lock."""

    stream: WSStream
    socket_stream: trio.SocketStream
    lock: trio.Lock


def locate(send: Send) -> HypercornSocket | Fallback:
    """Hypercorn's objects behind the ASGI ``send`` of an accepted WebSocket, or why the
    connection cannot take the fast path (the walk is the module contract's list)."""
    problem = environment_problem()
    if problem is not None:
        return Fallback(problem, by_design=False)
    stream = getattr(send, "__self__", None)
    if not isinstance(stream, WSStream):
        return _differs("the ASGI send is not bound to Hypercorn's WSStream", stream)
    protocol = getattr(getattr(stream, "send", None), "__self__", None)
    if isinstance(protocol, H2Protocol):
        return Fallback("HTTP/2", by_design=True)
    if not isinstance(protocol, H11Protocol):
        return _differs("WSStream.send is not bound to H11Protocol", protocol)
    server = getattr(getattr(protocol, "send", None), "__self__", None)
    if not isinstance(server, TCPServer):
        return _differs("H11Protocol.send is not bound to the trio TCPServer", server)
    socket_stream = getattr(server, "stream", None)
    if isinstance(socket_stream, trio.SSLStream):
        return Fallback("TLS", by_design=True)
    if not isinstance(socket_stream, trio.SocketStream):
        return _differs("TCPServer.stream is not a trio.SocketStream", socket_stream)
    lock = getattr(server, "send_lock", None)
    if not isinstance(lock, trio.Lock):
        return _differs("TCPServer.send_lock is not a trio.Lock", lock)
    connection = getattr(stream, "connection", None)
    if not isinstance(connection, Connection):
        return _differs("WSStream.connection is not a wsproto Connection", connection)
    if not isinstance(getattr(stream, "closed", None), bool):
        return _differs("WSStream.closed is not a bool", getattr(stream, "closed", None))
    extensions = getattr(getattr(connection, "_proto", None), "extensions", None)
    if not isinstance(extensions, list):
        return _differs("wsproto's Connection._proto.extensions is not a list", extensions)
    if any(extension.enabled() for extension in extensions):
        return Fallback("a WebSocket extension was negotiated", by_design=True)
    return HypercornSocket(stream, socket_stream, lock)


def _differs(what: str, found: object) -> Fallback:
    return Fallback(f"{what} (found {type(found).__name__})", by_design=False)


class FallbackLog:
    """Logs each reason for an unexpected fallback once at WARNING; by-design fallbacks
    at DEBUG.  :attr:`warned` keeps the reasons logged so far (status pages, tests)."""

    def __init__(self, log: logging.Logger = logger) -> None:
        self._log = log
        self._warned: set[str] = set()

    @property
    def warned(self) -> frozenset[str]:
        """The unexpected reasons logged at WARNING by this log."""
        return frozenset(self._warned)

    def report(self, fallback: Fallback) -> None:
        """Log ``fallback``: WARNING the first time an unexpected reason is seen."""
        if fallback.by_design:
            self._log.debug("WebSocket over plain ASGI: %s", fallback.reason)
        elif fallback.reason not in self._warned:
            self._warned.add(fallback.reason)
            self._log.warning(
                "WebSocket fast path off, frames go through plain ASGI (correct but "
                "slower): %s; %s", fallback.reason, RE_VERIFY,
            )


fallback_log = FallbackLog()
"""The process's log of fallbacks (:func:`attach` reports through it)."""


def attach(receive: Receive, send: Send) -> AsgiTransport:
    """The fastest transport for this accepted connection: a :class:`DirectAsgiTransport`
    when :func:`locate` finds Hypercorn's plain HTTP/1.1 WebSocket without extensions
    behind ``send``, else a plain :class:`AsgiTransport` (the reason goes to
    :data:`fallback_log`)."""
    stream = getattr(send, "__self__", None)
    if environment_problem() is None and isinstance(stream, WSStream):
        guard_events(stream.connection)
    found = locate(send)
    if isinstance(found, Fallback):
        fallback_log.report(found)
        return AsgiTransport(receive, send)
    return DirectAsgiTransport(receive, send, found.stream, found.socket_stream, found.lock)


def contain_connection_failures() -> None:
    """Keep one connection's failure inside that connection, and serve each connection
    with less memory.

    Hypercorn runs each TCP connection as a handler in the server's own nursery, so an
    exception escaping a connection (a bug in Hypercorn, wsproto or h11 met by one odd
    client) ends the server and every connection with it.  :class:`TCPServer`'s ``run`` is
    wrapped, once per process, to log such an exception with its traceback and end only
    that connection (its socket is closed by Hypercorn's own ``finally``).  Cancellation
    and ``KeyboardInterrupt`` pass unchanged.  Does nothing when the installed Hypercorn is
    not a verified one.

    Two more changes keep fewer objects alive per held connection (memory per idle
    connection): a WebSocket app's received messages pass through an
    :class:`~http_facade.websocket.app_queue.AppQueue` instead of a trio memory channel
    (:class:`_LeanTaskGroup`, the task group ``run`` creates), and the connection is read
    by :func:`_read_connection`, which reads a plain socket without a ``fail_after`` scope
    (none is needed without ``read_timeout``) or ``SocketStream.receive_some``'s coroutine
    frames.
    """
    if environment_problem() is not None:
        return
    original = TCPServer.run
    if getattr(original, "contained", False):
        return

    async def run(self: TCPServer) -> None:
        try:
            await original(self)
        except Exception:
            logger.exception("a connection failed inside Hypercorn; it was closed, and the "
                             "other connections go on")

    run.contained = True  # type: ignore[attr-defined]
    TCPServer.run = run  # type: ignore[method-assign]
    TCPServer._read_data = _read_connection  # type: ignore[method-assign]
    tcp_server_module.TaskGroup = _LeanTaskGroup  # type: ignore[attr-defined]


if _IMPORT_PROBLEM is None:

    class _LeanTaskGroup(TaskGroup):
        """Hypercorn's per-connection task group, whose WebSocket apps receive through an
        :class:`AppQueue` (same contract as the memory channel it replaces)."""

        async def spawn_app(
            self, app: AppWrapper, config: Config, scope: HypercornScope,
            send: Callable[[ASGISendEvent | None], Awaitable[None]],
        ) -> Callable[[ASGIReceiveEvent], Awaitable[None]]:
            if scope["type"] != "websocket" or self._nursery is None:
                return await super().spawn_app(app, config, scope, send)
            queue = AppQueue[ASGIReceiveEvent](config.max_app_queue_size)
            self._nursery.start_soon(
                _handle_app, app, config, scope, queue.receive, send, trio.to_thread.run_sync,
                trio.from_thread.run,
            )
            return queue.put


async def _read_connection(self: TCPServer) -> None:
    """Hand everything the peer sends to the connection's protocol, then tell it the
    connection closed: at end of stream, on a broken or closed socket, or past
    ``read_timeout``.

    A plain socket without ``read_timeout`` (the node's case) is read with a non-blocking
    ``os.read`` of its descriptor, waiting for it to be readable when it is empty; TLS
    streams and a ``read_timeout`` go through the stream.  Each read is a checkpoint the
    way trio's own socket reads are: cancellation is checked first, and a read that found
    data without waiting yields to the scheduler once; one that waited has already
    yielded (one task step per frame that arrives while the peer is otherwise idle).
    """
    stream = self.stream
    timeout = self.config.read_timeout
    plain = None if timeout or isinstance(stream, trio.SSLStream) else stream.socket
    data: bytes | bytearray
    while True:
        try:
            if plain is None:
                with trio.fail_after(timeout or math.inf):
                    data = await stream.receive_some(MAX_RECV)
            else:
                await trio.lowlevel.checkpoint_if_cancelled()
                waited = False
                while True:
                    descriptor = plain.fileno()
                    if descriptor < 0:
                        raise trio.ClosedResourceError
                    try:
                        data = os.read(descriptor, MAX_RECV)
                        break
                    except BlockingIOError:
                        pass
                    # Waited for outside the handler: awaiting in it would keep the
                    # exception and its traceback alive for as long as the peer is idle.
                    await trio.lowlevel.wait_readable(descriptor)
                    waited = True
                if not waited:
                    await trio.lowlevel.cancel_shielded_checkpoint()
        except (trio.ClosedResourceError, trio.BrokenResourceError, trio.TooSlowError,
                OSError):
            break
        await self.protocol.handle(RawData(bytes(data)))
        if not data:
            break
    await self.protocol.handle(Closed())


def guard_events(connection: Connection) -> None:
    """Fix two gaps between wsproto and Hypercorn's ``WSStream._handle_events``, for every
    WebSocket Hypercorn serves (fast path or not), by making the wsproto connection a
    :class:`GuardedConnection` (its ``events`` is overridden; the class is swapped, so no
    closure is kept per connection):

    * **Broken framing gets a close frame.**  wsproto reports a frame it cannot parse (an
      unmasked frame, reserved bits, an unknown opcode, a fragmented or over-long control
      frame, invalid UTF-8, a bad close code) as a ``CloseConnection`` event carrying the
      RFC 6455 code (1002, 1007…) while its state stays ``OPEN``; Hypercorn answers a
      ``CloseConnection`` only in ``REMOTE_CLOSING``, so such a peer got a bare FIN
      (1006).  The state is moved to ``REMOTE_CLOSING`` on that event — as if the peer
      had closed with that code — and Hypercorn writes the close frame with it.
    * **Data after the server's close frame is dropped.**  A message over Hypercorn's
      size limit makes it send 1009 and stop, but its message buffer keeps the refused
      text; a binary message the peer sends next was written into that text buffer and
      the ``TypeError`` ended the whole server (one client could stop every connection).
      Once the server has sent its close frame (``LOCAL_CLOSING``), data messages are
      not handed to Hypercorn at all: nobody would read them.

    Also replaces the connection's empty event ``deque`` (~0.7 KB each, used only when
    ``receive_data(None)`` reports a lost transport, which Hypercorn never calls) by an
    empty :class:`_EventList`.  A connection of another class is left as it is.
    """
    if type(connection) is Connection:
        connection.__class__ = GuardedConnection
        if isinstance(connection._events, deque) and not connection._events:
            connection._events = _EventList()  # type: ignore[assignment]


if _IMPORT_PROBLEM is None:

    class GuardedConnection(Connection):
        """A wsproto :class:`~wsproto.connection.Connection` whose ``events`` closes broken
        framing and drops data after the server's close frame (see :func:`guard_events`)."""

        def events(self) -> Generator[Event, None, None]:
            for event in super().events():
                state = self._state
                if isinstance(event, CloseConnection) and state is _OPEN:
                    self._state = ConnectionState.REMOTE_CLOSING
                elif isinstance(event, Message) and state is not _OPEN:
                    continue
                yield event


class _EventList(list):  # type: ignore[type-arg]
    """The part of ``deque`` wsproto's ``Connection._events`` uses (``append``, truth,
    ``popleft``), in 56 bytes instead of a deque's ~0.7 KB; it holds at most one event."""

    __slots__ = ()

    def popleft(self) -> object:
        return self.pop(0)


class _AcceptedHandshake:
    """Stands for Hypercorn's ``Handshake`` once the upgrade is accepted: from then on
    ``WSStream`` reads nothing of it but ``accepted``."""

    __slots__ = ()
    accepted = True


_ACCEPTED_HANDSHAKE: Final = _AcceptedHandshake()


class _UpgradedH11:
    """Stands for the h11 connection Hypercorn's ``H11WSConnection`` keeps after the upgrade:
    Hypercorn writes no HTTP event on an accepted WebSocket, so one would be a bug."""

    __slots__ = ()

    def send(self, event: object) -> bytes:
        raise RuntimeError(f"an HTTP event ({type(event).__name__}) on an upgraded connection")


def release_handshake(scope: Scope, send: Send) -> None:
    """Drop what only the handshake needed once the WebSocket is accepted; Hypercorn would
    otherwise keep it for the connection's lifetime (memory per idle connection, ~2 KB):

    * the request's details in ``scope``: only ``type`` and ``path`` are kept (Hypercorn
      reads the scope after the handshake only for its access log, which the node turns
      off, and the gateway has read what it needs before accepting);
    * Hypercorn's ``Handshake`` (the offered subprotocols, key and extensions), replaced
      by a shared object whose ``accepted`` is True — all ``WSStream`` reads afterwards;
    * the h11 connection behind Hypercorn's ``H11WSConnection`` (h11's state, buffers
      and reader), whose ``send`` only writes HTTP events, none of which follow an
      accepted upgrade.

    Only with a verified Hypercorn, and only for an accepted HTTP/1.1 ``WSStream``;
    anything else is left untouched (the gateway calls this for every connection).
    """
    stream = getattr(send, "__self__", None)
    if environment_problem() is not None or not isinstance(stream, WSStream):
        return
    if stream.state is not ASGIWebsocketState.CONNECTED or scope is not stream.scope:
        return
    details = cast("dict[str, object]", scope)  # a TypedDict has no clear()
    kept = {"type": details["type"], "path": details["path"]}
    details.clear()
    details.update(kept)
    if getattr(stream.handshake, "accepted", False):
        stream.handshake = _ACCEPTED_HANDSHAKE  # type: ignore[assignment]
    protocol = getattr(stream.send, "__self__", None)
    if isinstance(protocol, H11Protocol) and isinstance(protocol.connection, H11WSConnection):
        protocol.connection.h11_connection = _UpgradedH11()  # type: ignore[assignment]


class DirectAsgiTransport(AsgiTransport):
    """An :class:`AsgiTransport` that also writes raw frames (a
    :class:`~actors.realtime.ports.DirectTransport`); receiving and closing stay ASGI.

    Built only by :func:`attach` from what :func:`locate` found and checked.
    """

    __slots__ = ("_connection", "_lock", "_socket", "_socket_stream", "_stream", "_tail")

    def __init__(
        self, receive: Receive, send: Send, stream: WSStream, socket_stream: trio.SocketStream,
        lock: trio.Lock,
    ) -> None:
        super().__init__(receive, send)
        self._stream = stream
        self._connection: Connection = stream.connection
        self._socket_stream = socket_stream
        # The standard socket behind trio's (when there is one): its fileno() is a C call,
        # and one fewer Python call per delivery; either reads -1 once closed.
        self._socket = getattr(socket_stream.socket, "_sock", socket_stream.socket)
        self._lock = lock
        self._tail: bytes | memoryview = b""

    def write_nowait(self, frame: bytes) -> Written:
        if self._tail or self._lock.locked():
            return WRITTEN_NOTHING
        # _writable_descriptor inlined: this runs once per delivery.
        descriptor = self._socket.fileno()
        if (descriptor < 0 or self._closed or self._stream.closed
                or self._connection._state is not _OPEN):
            self._closed = True
            raise trio.BrokenResourceError("the WebSocket is closed")
        try:
            written = os.write(descriptor, frame)
        except BlockingIOError:
            written = 0
        except OSError as error:
            self._closed = True
            raise trio.BrokenResourceError("the WebSocket is closed") from error
        if written == len(frame):
            return WRITTEN_ALL
        self._tail = memoryview(frame)[written:]
        return WRITTEN_PART

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
                or self._connection._state is not _OPEN):
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

