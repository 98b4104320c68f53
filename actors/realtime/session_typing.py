"""Typing indicators that end on their own: the connection that started one stops it.

A ``typing`` start lasts ``TYPING_TTL_MS``.  Clients are asked to repeat it while the user
types and to send ``stop`` when done, but a client that goes quiet or disconnects must
not leave "is typing…" on everyone's screen.  :class:`TypingTracker` belongs to one
connection session: it remembers the channels where this connection's user is typing and,
when a start is not renewed in time or the connection ends, sends the ``stop`` on the
user's behalf through the node's frame router (so the room's actor publishes it as usual).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import trio

from actors.realtime.ports import FrameRouter
from actors.runtime.errors import ActorError
from protocol import limits
from protocol.client_frames import Typing
from protocol.enums import TypingState
from services.errors import DomainError
from services.principal import Principal

logger = logging.getLogger(__name__)

TYPING_TTL_S = limits.TYPING_TTL_MS / 1000


class TypingTracker:
    """The typing state of one connection; see the module docstring."""

    __slots__ = ("_changed", "_deadlines", "_principal", "_router", "_ttl")

    def __init__(
        self,
        router: FrameRouter,
        principal: Callable[[], Principal | None],
        ttl: float = TYPING_TTL_S,
    ) -> None:
        self._router = router
        self._principal = principal
        self._ttl = ttl
        self._deadlines: dict[str, float] = {}
        self._changed = trio.Event()

    def observe(self, frame: Typing) -> None:
        """Record a ``typing`` frame the router accepted."""
        if frame.state is TypingState.START:
            self._deadlines[frame.channel] = trio.current_time() + self._ttl
        else:
            self._deadlines.pop(frame.channel, None)
        self._changed.set()

    @property
    def channels(self) -> list[str]:
        """Channels where this connection's user is typing now."""
        return list(self._deadlines)

    async def run(self) -> None:
        """Send ``stop`` for every start that expires, until cancelled."""
        while True:
            self._changed = trio.Event()
            deadline = min(self._deadlines.values(), default=float("inf"))
            with trio.move_on_at(deadline):
                await self._changed.wait()
            now = trio.current_time()
            for channel, expiry in list(self._deadlines.items()):
                if expiry <= now:
                    del self._deadlines[channel]
                    await self._send_stop(channel)

    async def stop_all(self) -> None:
        """Stop every indicator this connection started (the connection is ending)."""
        for channel in list(self._deadlines):
            del self._deadlines[channel]
            await self._send_stop(channel)

    async def _send_stop(self, channel: str) -> None:
        principal = self._principal()
        if principal is None:
            return
        try:
            await self._router.handle(
                principal, Typing(id=0, channel=channel, state=TypingState.STOP)
            )
        except (DomainError, ActorError) as error:
            # Lost access or the room is gone: nobody is left to show the indicator to.
            logger.debug("typing stop on %s not delivered: %r", channel, error)
