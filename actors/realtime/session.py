"""The connection session: one per WebSocket, the actor that speaks the v1 protocol.

A session handles its client's frames one at a time, in order (it is turn-based like every
actor, its mailbox being the socket's receive side), and owns the connection's
subscriptions and its bounded outbound queue.  It runs two tasks: the reader (which is the
actor's turn loop) and, from the first queued frame on, the writer (which drains the
outbound queue into the socket, all that is queued in one write); when either ends, both
end and the socket is closed with the session's close code.  On a
:class:`~actors.realtime.ports.DirectTransport` a live event whose connection has nothing queued
is written to the socket by the publisher at once, framed once per broadcast: no task
wakes up per subscriber unless its socket is full.

Guarantees (docs/PROTOCOL.md states them for clients):

* Before authentication only ``authenticate`` and ``ping`` are served; anything else, a
  failed ``authenticate``, or silence past the authentication timeout closes with 4001.
* A frame that fails to decode is answered with ``error`` (``invalid``) and the session
  goes on; too many of them close with 1008.  An oversized frame closes with 1009.
* Frames over the per-connection rate are answered ``rate_limited``; a client that keeps
  flooding is closed with 4008.  Silence past the heartbeat timeout closes with 4009.
* Live events are delivered without waiting: when the outbound queue is full the client is
  a slow consumer and is closed with 4000 at once; other connections never wait for it.
  Ephemeral events (no ``seq``: typing, presence) only use the first half of the queue;
  beyond that they are dropped for this connection (counted in ``ephemeral_dropped``),
  so a storm of them — a thousand members connecting at once — never costs a client
  its sequenced events or its connection.
* With ``resync_on_gap`` (cluster mode, where relayed events can be lost with a dying
  node) a live event whose ``seq`` skips past the next expected one closes the connection
  with 1011: the client reconnects and resumes from its last seq, so it never sees a gap.
* A domain refusal becomes an ``error`` frame; an unexpected exception in a handler is
  logged and answered ``internal`` — it never ends the session or touches another one.
* With a connection listener (presence), an authenticated connection is announced when
  it starts and when it ends, and ``set_presence`` frames go to the listener.  With
  ``presence_renew_seconds`` (cluster mode) the connection re-reports its status that
  often, so presence survives its user actor moving between nodes.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Mapping

import trio

from actors.realtime.hub import Hub
from actors.realtime.outbound import OutboundQueue
from actors.realtime.ports import (
    WRITTEN_NOTHING,
    WRITTEN_PART,
    Authenticator,
    ChannelAccess,
    ConnectionListener,
    DirectTransport,
    FrameCounter,
    FrameRouter,
    Transport,
)
from actors.realtime.session_dispatch import SessionDispatch
from actors.runtime.errors import ActorError, DeliveryError
from protocol import limits
from protocol.broadcast import BroadcastFrame, BroadcastRun
from protocol.channels import ChannelKind
from protocol.close_codes import CloseCode
from protocol.codecs import Codec, WireData
from protocol.control_frames import ErrorReply, Evicted, Goodbye, error_reply
from protocol.enums import GoodbyeReason
from protocol.errors import ErrorCode, ProtocolError
from protocol.fields import RequestId
from protocol.server_frames import ServerFrame
from protocol.websocket_framing import frame_server_message
from services.errors import DomainError
from services.principal import Principal
from services.token_bucket import TokenBucket

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True, slots=True)
class SessionLimits:
    """Every bound of a session; the defaults are the protocol's."""

    outbound_capacity: int = limits.OUTBOUND_QUEUE_FRAMES
    max_frame_bytes: int = limits.DEFAULT_MAX_CLIENT_FRAME_BYTES
    heartbeat_timeout: float = limits.HEARTBEAT_TIMEOUT_MS / 1000
    authentication_timeout: float = limits.AUTHENTICATION_TIMEOUT_MS / 1000
    frames_per_second: float = 20.0
    frame_burst: int = 60
    flood_tolerance: int = 60
    max_invalid_frames: int = 20
    max_subscriptions: int = 256
    drain_timeout: float = 2.0
    announce_timeout: float = 10.0

    @property
    def heartbeat_interval_ms(self) -> int:
        """How often clients are told to send a frame: the protocol's share (25 of 60 s)
        of the heartbeat timeout, so that one lost ping never closes a connection."""
        share = limits.HEARTBEAT_INTERVAL_MS / limits.HEARTBEAT_TIMEOUT_MS
        return round(self.heartbeat_timeout * 1000 * share)


class SessionServices:
    """The node's collaborators a session uses; shared by every session of the node."""

    __slots__ = ("authenticator", "channels", "connections", "frame_counter", "hub", "limits",
                 "presence_renew_seconds", "resync_on_gap", "router")

    def __init__(
        self,
        *,
        hub: Hub,
        authenticator: Authenticator,
        channels: Mapping[ChannelKind, ChannelAccess],
        router: FrameRouter,
        limits: SessionLimits | None = None,
        connections: ConnectionListener | None = None,
        resync_on_gap: bool = False,
        presence_renew_seconds: float | None = None,
        frame_counter: FrameCounter | None = None,
    ) -> None:
        self.hub = hub
        self.frame_counter = frame_counter
        self.authenticator = authenticator
        self.channels = channels
        self.router = router
        self.limits = limits or SessionLimits()
        self.connections = connections
        self.resync_on_gap = resync_on_gap
        self.presence_renew_seconds = presence_renew_seconds


class ConnectionSession(SessionDispatch):
    """One client connection; see the module docstring."""

    def __init__(
        self,
        transport: Transport,
        codec: Codec,
        services: SessionServices,
        principal: Principal | None = None,
    ) -> None:
        super().__init__(codec, services, principal)
        self._transport = transport
        self._bucket = TokenBucket(
            rate=services.limits.frames_per_second, burst=services.limits.frame_burst
        )
        self._direct = transport if isinstance(transport, DirectTransport) else None
        # Queued messages; on a direct transport, whole WebSocket frames (b"": flush).
        self._outbound = OutboundQueue[WireData](services.limits.outbound_capacity)
        self._writer_busy = False
        self._cancel_scope: trio.CancelScope | None = None
        self._nursery: trio.Nursery | None = None
        self._typing_started = False
        self._ephemeral_room = max(1, services.limits.outbound_capacity // 2)
        self.ephemeral_dropped = 0
        self.close_code = CloseCode.NORMAL
        self.close_reason = ""
        self.connected_at = time.time()

    # ------------------------------------------------------------------ lifecycle

    async def run(self) -> CloseCode:
        """Serve the connection until it ends; return the close code used."""
        try:
            async with trio.open_nursery() as nursery:
                self._cancel_scope = nursery.cancel_scope
                self._nursery = nursery
                if self._outbound:
                    self._start_writer()
                nursery.start_soon(self._announce_opened)
                nursery.start_soon(self._renew_presence)
                # The reader (the actor's turn loop), inline: one coroutine frame less per
                # held connection.  One cancel scope serves every read: its deadline is the
                # heartbeat (or authentication) deadline while a read waits and infinite
                # while a frame is served, so a timeout only ever interrupts a read (a
                # scope per read cost the collector five new objects per frame).
                limits_ = self._services.limits
                reading = self._receive_scope
                invalid_frames = 0
                with reading:
                    while not self._stopping:
                        timeout = limits_.heartbeat_timeout
                        if self.principal is None:
                            timeout = min(
                                timeout, self._authentication_deadline - trio.current_time()
                            )
                        reading.deadline = trio.current_time() + max(timeout, 0)
                        try:
                            data = await self._transport.receive()
                        finally:
                            reading.deadline = math.inf
                        if self._stopping:
                            break
                        if data is None:
                            self._stop(CloseCode.NORMAL, "client disconnected", flush=False)
                            break
                        try:
                            frame = self._codec.decode_client(
                                data, max_bytes=limits_.max_frame_bytes
                            )
                        except ProtocolError as error:
                            if not self._within_rate(error.request_id):
                                continue
                            await self.send_frame(error_reply(error))
                            invalid_frames += 1
                            if error.code is ErrorCode.TOO_LARGE:
                                self._stop(CloseCode.TOO_LARGE, "frame too large", flush=True)
                            elif invalid_frames > limits_.max_invalid_frames:
                                self._stop(CloseCode.POLICY_VIOLATION,
                                           "too many invalid frames", flush=True)
                            continue
                        if self._services.frame_counter is not None:
                            self._services.frame_counter.frame_in(frame)
                        if self._within_rate(frame.id):
                            await self.dispatch(frame)
                if reading.cancelled_caught and not self._stopping:
                    if self.principal is None:
                        self._stop(CloseCode.UNAUTHORIZED, "authentication timeout", flush=True)
                    else:
                        self._stop(CloseCode.HEARTBEAT_TIMEOUT, "heartbeat timeout", flush=True)
                self._outbound.close()
                if self._writer_done is not None:
                    with trio.move_on_after(self._services.limits.drain_timeout):
                        await self._writer_done.wait()
                nursery.cancel_scope.cancel()
        finally:
            self._nursery = None
            self._leave_all_channels()
            with trio.CancelScope(shield=True), trio.move_on_after(1.0):
                await self._transport.close(int(self.close_code), self.close_reason)
            with trio.CancelScope(shield=True), trio.move_on_after(
                self._services.limits.announce_timeout
            ):
                if self.typing is not None:
                    await self.typing.stop_all()
            await self._announce_closed()
        return self.close_code

    async def _announce_opened(self) -> None:
        """Tell the connection listener once the connection is authenticated."""
        listener = self._services.connections
        if listener is None:
            return
        await self.wait_authenticated()
        assert self.principal is not None
        try:
            await listener.connection_opened(self.principal, self.connection_id)
        except DeliveryError:
            logger.info("the start of connection %s was not announced", self.connection_id)

    def _start_writer(self) -> None:
        # Most frames go straight to the socket (direct transports), and an idle connection
        # queues nothing: the writer task starts with the first queued frame.
        if self._writer_done is not None or self._nursery is None:
            return
        self._writer_done = trio.Event()
        try:
            self._nursery.start_soon(self._write)
        except RuntimeError:  # the session has just ended: nothing will be written
            self._writer_done.set()

    def _start_typing_expiry(self) -> None:
        # Most connections never type: the expiry task starts with the first indicator.
        if not self._typing_started and self._nursery is not None and self.typing is not None:
            self._typing_started = True
            self._nursery.start_soon(self.typing.run)

    async def _renew_presence(self) -> None:
        """Cluster mode: re-report this connection's presence every renewal period."""
        listener = self._services.connections
        interval = self._services.presence_renew_seconds
        if listener is None or interval is None:
            return
        await self.wait_authenticated()
        assert self.principal is not None
        while True:
            await trio.sleep(interval)
            try:
                await listener.presence_set(self.principal, self.connection_id,
                                            self.presence_status)
            except (DomainError, ActorError) as error:
                logger.info("presence of connection %s not renewed: %s",
                            self.connection_id, error)

    async def _announce_closed(self) -> None:
        """Tell the connection listener that an authenticated connection ended (bounded)."""
        listener = self._services.connections
        if listener is None or self.principal is None:
            return
        with trio.CancelScope(shield=True) as scope:
            scope.deadline = trio.current_time() + self._services.limits.announce_timeout
            try:
                await listener.connection_closed(self.principal, self.connection_id)
            except DeliveryError:
                logger.info("the end of connection %s was not announced", self.connection_id)
        if scope.cancelled_caught:
            logger.warning("announcing the end of connection %s timed out", self.connection_id)

    def terminate(self, code: CloseCode, reason: str, goodbye: str | None = None) -> None:
        """End the session from outside (revocation, eviction of a user, node drain)."""
        if goodbye is not None:
            self._enqueue_nowait(Goodbye(reason=goodbye, message=reason))
        self._stop(code, reason, flush=goodbye is not None)

    def dropped_as_slow(self) -> None:
        self._stop(CloseCode.SLOW_CONSUMER, "slow consumer", flush=False)

    @property
    def user_id(self) -> str | None:
        return None if self.principal is None else self.principal.user_id

    def evicted(self, channel: str, reason: str) -> None:
        if self._subscriptions.pop(channel, None) is not None:
            self._enqueue_nowait(Evicted(channel=channel, reason=reason))

    def deliver_nowait(self, channel: str, run: BroadcastRun) -> bool:
        subscription = self._subscriptions.get(channel)
        if subscription is None:
            return True
        span = run.seq_span
        if span is not None and self._direct is not None and not subscription.buffering:
            # The common case, decided in a few comparisons: a live subscription and a run
            # of consecutive sequenced events all newer than the last one passed on (and,
            # with resync_on_gap, following it without a gap).
            first, last = span
            seen = subscription.last_seq
            if first > seen and (first == seen + 1 or seen == 0
                                 or not self._services.resync_on_gap):
                subscription.last_seq = last
                if self._write_through(run.framed_for(self._codec)):
                    return True
                codec = self._codec
                return all(self._queue_nowait(event.framed_for(codec)) for event in run.events)
        passed: list[BroadcastFrame] = []
        for event in run.events:
            if subscription.buffering:
                if not subscription.hold(event):
                    return False
                continue
            if self._services.resync_on_gap and subscription.skips(event):
                self.terminate(CloseCode.INTERNAL_ERROR,
                               "missed events: resume from your last seq",
                               goodbye=GoodbyeReason.INTERNAL_ERROR)
                return True
            if not subscription.admit(event):
                continue
            if event.seq is None and len(self._outbound) >= self._ephemeral_room:
                self.ephemeral_dropped += 1
                continue
            passed.append(event)
        if not passed:
            return True
        codec = self._codec
        if self._direct is None:
            return all(self._queue_nowait(event.encoded_for(codec)) for event in passed)
        # One system call for the whole run when nothing is queued (the run's own joined
        # frames when every event passed); otherwise each frame is queued, so the bound
        # counts frames.
        frame = (run.framed_for(codec) if len(passed) == len(run.events)
                 else b"".join(event.framed_for(codec) for event in passed))
        if self._write_through(frame):
            return True
        return all(self._queue_nowait(event.framed_for(codec)) for event in passed)

    def _write_through(self, frame: bytes) -> bool:
        """Write ``frame`` straight to a direct transport's socket when nothing of ours is
        queued or being written (the common case for a connection that keeps up: no writer
        wake-up); True when it is taken care of, False when it must be queued."""
        direct = self._direct
        if direct is None or self._outbound or self._writer_busy or self._stopping:
            return False
        try:
            written = direct.write_nowait(frame)
        except trio.BrokenResourceError:
            self._stop(self.close_code, self.close_reason, flush=False)
            return True
        if written is WRITTEN_PART:
            self._queue_nowait(b"")  # wakes the writer to flush the tail
        return written is not WRITTEN_NOTHING

    def _stop(self, code: CloseCode, reason: str, *, flush: bool) -> None:
        if self._stopping:
            return
        self._stopping = True
        self.close_code = code
        self.close_reason = reason
        if flush:
            self._outbound.close()
            if self._receive_scope.deadline != math.inf:  # a read waits: end it, not a reply
                self._receive_scope.cancel()
        elif self._cancel_scope is not None:
            self._cancel_scope.cancel()

    # ------------------------------------------------------------------ the two tasks

    async def _write(self) -> None:
        direct = self._direct
        try:
            while batch := await self._outbound.take_all():
                self._writer_busy = True
                if direct is not None:
                    await direct.write(batch)  # type: ignore[arg-type]  # frames are bytes
                else:
                    for data in batch:
                        await self._transport.send(data)
                self._writer_busy = False
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            pass
        finally:
            self._writer_busy = False
            assert self._writer_done is not None  # started by _start_writer
            self._writer_done.set()
        # The socket is gone or the queue closed: either way the session is over.
        self._stop(self.close_code, self.close_reason, flush=False)

    def _within_rate(self, request_id: RequestId | None) -> bool:
        """Spend a token; answer a client that sends too fast (the refusal carries the
        frame's ``request_id`` so that every request gets its one reply), and close one that
        floods.  Frames are decoded first (bounded by the frame size) to learn that id."""
        if self._bucket.take(trio.current_time()):
            return True
        if self._bucket.deficit > self._services.limits.flood_tolerance:
            self._enqueue_nowait(
                ErrorReply(
                    id=request_id, code=ErrorCode.RATE_LIMITED,
                    message="flooding: connection closed",
                )
            )
            self._stop(CloseCode.RATE_LIMITED, "flood", flush=True)
        else:
            retry_ms = int(self._bucket.seconds_until_token(trio.current_time()) * 1000) + 1
            self._enqueue_nowait(
                ErrorReply(
                    id=request_id, code=ErrorCode.RATE_LIMITED, message="too many frames",
                    retry_after_ms=retry_ms,
                )
            )
        return False

    # ------------------------------------------------------------------ sending

    async def send_frame(self, frame: ServerFrame) -> None:
        """Queue a reply or replayed event, waiting for room (backpressure on the reader)."""
        if self._services.frame_counter is not None:
            self._services.frame_counter.frame_out(frame)
        await self.send_wire(self._codec.encode_server(frame))

    async def send_wire(self, data: WireData) -> None:
        """Queue an encoded frame, waiting for room; dropped when the session is closing.

        On a direct transport with nothing queued the frame is written at once, and the
        call only checks for cancellation (it does not yield to other tasks).
        """
        queued = self._queued(data)
        if isinstance(queued, bytes) and self._write_through(queued):
            await trio.lowlevel.checkpoint_if_cancelled()
            return
        self._start_writer()
        await self._outbound.put(queued)

    def _enqueue_nowait(self, frame: ServerFrame) -> None:
        """Queue a control frame if there is room (dropped otherwise, or when closing)."""
        if self._services.frame_counter is not None:
            self._services.frame_counter.frame_out(frame)
        self._queue_nowait(self._queued(self._codec.encode_server(frame)))

    def _queue_nowait(self, item: WireData) -> bool:
        """Hand ``item`` to the writer (started on first use); False when the queue is full."""
        self._start_writer()
        return self._outbound.put_nowait(item)

    def _queued(self, data: WireData) -> WireData:
        """What the queue holds for ``data``: itself, or its frame on a direct transport."""
        return data if self._direct is None else frame_server_message(data)

    def _leave_all_channels(self) -> None:
        self._services.hub.unsubscribe_all(self, self._subscriptions)
        self._subscriptions.clear()
