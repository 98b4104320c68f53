"""What a connection session does with each decoded client frame.

:class:`SessionDispatch` is the turn handler of :class:`actors.realtime.session.ConnectionSession`:
``ping``, ``authenticate``, ``subscribe`` and ``unsubscribe`` are served here, every other
frame goes to the node's :class:`~actors.realtime.ports.FrameRouter`.  Each request gets exactly
one reply.  Subscriptions switch from replay to live without a gap or a duplicate (see
:mod:`actors.realtime.subscriptions`).
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import trio

from actors.realtime.ports import Replay
from actors.realtime.session_typing import TypingTracker
from actors.realtime.subscriptions import Subscription
from actors.runtime.errors import ActorError
from actors.runtime.failures import describe_failure
from protocol import limits
from protocol.channels import parse_channel
from protocol.client_frames import (
    Authenticate,
    ClientFrame,
    Ping,
    SetPresence,
    Subscribe,
    Typing,
    Unsubscribe,
)
from protocol.close_codes import CloseCode
from protocol.codecs import Codec, WireData
from protocol.control_frames import Ack, Authenticated, ErrorReply, Pong, Subscribed
from protocol.errors import ErrorCode
from protocol.server_frames import ServerFrame
from services.errors import DomainError
from services.principal import Principal
from storage.errors import StorageUnavailable

if TYPE_CHECKING:
    from actors.realtime.session import SessionServices

logger = logging.getLogger(__name__)

RETRY_AFTER_MS = 200
"""What a client is told to wait before retrying a frame the actors could not serve."""


def resume_position(since_seq: int | None, replay: Replay) -> int:
    """The last seq a resumed subscriber holds once ``replay`` is sent.

    Not ``replay.last_seq``: a log hands out a number before the event is stored, so the
    replay can report a number whose event arrives live only later; claiming it would drop
    that event.  What the client holds is what it had plus what was replayed.
    """
    if since_seq is None or not replay.complete:
        return replay.last_seq
    seqs = [seq for event in replay.events if isinstance(seq := getattr(event, "seq", None), int)]
    return max([since_seq, *seqs])


class SessionDispatch:
    """Frame handling shared state and logic; the transport side lives in the subclass."""

    def __init__(
        self, codec: Codec, services: SessionServices, principal: Principal | None
    ) -> None:
        self._codec = codec
        self._services = services
        self.principal = principal
        self._authenticated = None if principal is not None else trio.Event()
        """Set when an anonymous connection authenticates; None when it started authenticated
        (most do, with a bearer token: no event kept per connection)."""
        self.on_authenticated: Callable[[], None] | None = None
        """Called once when a connection that started anonymous authenticates."""
        self.typing: TypingTracker | None = None
        """Created with the connection's first typing indicator (most never type)."""
        self._subscriptions: dict[str, Subscription] = {}
        self._stopping = False
        self._writer_done: trio.Event | None = None
        """Set when the writer task ends; None while none was started."""
        self._receive_scope = trio.CancelScope()
        self._authentication_deadline = (
            trio.current_time() + services.limits.authentication_timeout
        )
        self.connection_id = secrets.token_hex(8)
        self.presence_status = "online"
        """What this connection last reported with ``set_presence``."""

    async def wait_authenticated(self) -> None:
        """Return once the connection is authenticated (at once if it already is)."""
        if self._authenticated is not None:
            await self._authenticated.wait()

    async def send_frame(self, frame: ServerFrame) -> None:
        raise NotImplementedError

    async def send_wire(self, data: WireData) -> None:
        raise NotImplementedError

    def _start_typing_expiry(self) -> None:
        raise NotImplementedError

    def _stop(self, code: CloseCode, reason: str, *, flush: bool) -> None:
        raise NotImplementedError

    async def dispatch(self, frame: ClientFrame) -> None:
        """Serve one frame and send its one reply."""
        try:
            await self._serve(frame)
        except DomainError as error:
            retry_ms = None if error.retry_after is None else int(error.retry_after * 1000)
            await self.send_frame(
                ErrorReply(
                    id=frame.id,
                    code=error.code,
                    message=error.message[: limits.MAX_HUMAN_TEXT_LENGTH],
                    retry_after_ms=retry_ms,
                )
            )
        except ActorError as error:
            # The runtime failed the ask (no answer, a crash, not delivered): the one table.
            logger.warning("a %s frame was not served: %s", type(frame).__name__, error)
            failure = describe_failure(error)
            await self.send_frame(
                ErrorReply(id=frame.id, code=failure.code, message=failure.message,
                           retry_after_ms=RETRY_AFTER_MS if failure.retryable else None)
            )
        except StorageUnavailable:
            logger.warning("a %s frame was not served: storage is unavailable",
                           type(frame).__name__)
            await self.send_frame(
                ErrorReply(id=frame.id, code=ErrorCode.UNAVAILABLE,
                           message="storage is unavailable; retry",
                           retry_after_ms=RETRY_AFTER_MS)
            )
        except Exception:
            # A bug in one handler must not end this session or touch another one.
            logger.exception("unexpected error while serving a %s frame", type(frame).__name__)
            await self.send_frame(
                ErrorReply(id=frame.id, code=ErrorCode.INTERNAL, message="internal error")
            )

    async def _serve(self, frame: ClientFrame) -> None:
        match frame:
            case Ping(id=request_id):
                await self.send_frame(Pong(id=request_id, server_time=int(time.time() * 1000)))
            case Authenticate():
                await self._authenticate(frame)
            case _ if self.principal is None:
                await self.send_frame(
                    ErrorReply(
                        id=frame.id, code=ErrorCode.UNAUTHORIZED, message="authenticate first"
                    )
                )
                self._stop(CloseCode.UNAUTHORIZED, "not authenticated", flush=True)
            case Subscribe():
                await self._subscribe(self.principal, frame)
            case Unsubscribe(id=request_id, channel=channel):
                self._unsubscribe(channel)
                await self.send_frame(Ack(id=request_id))
            case SetPresence(id=request_id, status=status) if self._services.connections:
                await self._services.connections.presence_set(
                    self.principal, self.connection_id, status
                )
                self.presence_status = status
                await self.send_frame(Ack(id=request_id))
            case _:
                result = await self._services.router.handle(self.principal, frame)
                if isinstance(frame, Typing):
                    if self.typing is None:
                        self.typing = TypingTracker(self._services.router, lambda: self.principal)
                    self.typing.observe(frame)
                    self._start_typing_expiry()
                await self.send_frame(Ack(id=frame.id, result=result))

    async def _authenticate(self, frame: Authenticate) -> None:
        if self.principal is not None:
            raise DomainError(ErrorCode.CONFLICT, "the connection is already authenticated")
        principal = await self._services.authenticator.authenticate(frame.token)
        if principal is None:
            await self.send_frame(
                ErrorReply(
                    id=frame.id, code=ErrorCode.UNAUTHORIZED, message="invalid or expired token"
                )
            )
            self._stop(CloseCode.UNAUTHORIZED, "authentication failed", flush=True)
            return
        self.principal = principal
        if self._authenticated is not None:
            self._authenticated.set()
        if self.on_authenticated is not None:
            self.on_authenticated()
        result = Authenticated(
            user_id=principal.user_id,
            session_id=principal.session_id,
            revision=limits.PROTOCOL_REVISION,
            heartbeat_interval_ms=self._services.limits.heartbeat_interval_ms,
            max_frame_bytes=self._services.limits.max_frame_bytes,
        )
        await self.send_frame(Ack(id=frame.id, result=result))

    async def _subscribe(self, principal: Principal, frame: Subscribe) -> None:
        reference = parse_channel(frame.channel)
        access = self._services.channels.get(reference.kind)
        if access is None:
            raise DomainError(ErrorCode.UNSUPPORTED, f"{reference.kind} channels are not served")
        await access.check_subscribe(principal, reference.id)
        self._unsubscribe(frame.channel)
        if len(self._subscriptions) >= self._services.limits.max_subscriptions:
            raise DomainError(ErrorCode.INVALID, "too many subscriptions on this connection")
        subscription = Subscription(pending_limit=self._services.limits.outbound_capacity)
        self._subscriptions[frame.channel] = subscription
        self._services.hub.subscribe(frame.channel, self)  # type: ignore[arg-type]
        try:
            replay = await access.replay(
                principal, reference.id, frame.since_seq, limits.REPLAY_LIMIT
            )
        except BaseException:
            self._unsubscribe(frame.channel)
            raise
        await self.send_frame(
            Subscribed(
                id=frame.id,
                channel=frame.channel,
                resumed=frame.since_seq is not None,
                complete=replay.complete,
                last_seq=replay.last_seq,
            )
        )
        for missed in replay.events:
            await self.send_frame(missed)
        for held in subscription.go_live(resume_position(frame.since_seq, replay)):
            await self.send_wire(held.encoded_for(self._codec))

    def _unsubscribe(self, channel: str) -> None:
        if self._subscriptions.pop(channel, None) is not None:
            self._services.hub.unsubscribe(channel, self)  # type: ignore[arg-type]
