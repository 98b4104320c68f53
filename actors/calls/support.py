"""The call's helpers: one live call per room or conversation, and the call's clock.

* :class:`CallContextActor` (kind ``call_context``, id: room or conversation id) starts
  calls there (:class:`OpenCall`): ``conflict`` while the previous call is live.  The
  live call id is kept in memory and double-checked with the call (:class:`IsLive`), so
  a lost :class:`CallClosed` never blocks a room for good.  If the context passivates
  while a call is live (an hour without a new call), a second call may start.
* :class:`CallAlarmActor` (kind ``call_alarm``, id: the call id) sleeps one pulse per
  :class:`Pulse` and tells the call a :class:`Tick`; the call pulses again while live.
  It sleeps on trio's clock, so tests drive it with ``autojump_clock``.
"""

from __future__ import annotations

import logging

import trio

from actors.calls.commands import (
    CALL,
    PULSE_SECONDS,
    CallClosed,
    IsLive,
    OpenCall,
    Pulse,
    Ring,
    Tick,
)
from actors.runtime.actor import Actor, ActorContext
from actors.runtime.errors import DeliveryError
from protocol.channels import ChannelKind, channel_name
from protocol.control_frames import CallCreated
from protocol.errors import ErrorCode
from services.errors import DomainError
from storage.protocols import Store

logger = logging.getLogger(__name__)


class CallContextActor(Actor):
    """See the module docstring."""

    __slots__ = ("_live_call_id", "_store")

    def __init__(self, context: ActorContext, store: Store) -> None:
        super().__init__(context)
        self._store = store
        self._live_call_id: str | None = None

    async def on_receive(self, message: object) -> object:
        match message:
            case OpenCall():
                return await self._open(message)
            case CallClosed(call_id=call_id):
                if call_id == self._live_call_id:
                    self._live_call_id = None
                return None
            case _:
                self.unhandled(message)

    async def _open(self, message: OpenCall) -> CallCreated:
        if self._live_call_id is not None:
            live: bool = await self.context.ref(CALL, self._live_call_id).ask(IsLive())
            if live:
                raise DomainError(ErrorCode.CONFLICT, "a call is already in progress here")
            self._live_call_id = None
        call = await self._store.calls.start(
            context_id=self.address.id, initiator_id=message.caller_id, kind=message.media
        )
        await self.context.ref(CALL, call.id).ask(
            Ring(
                context_id=self.address.id,
                caller_id=message.caller_id,
                invitee_ids=message.invitee_ids,
                media=message.media,
                room_id=message.room_id,
            )
        )
        self._live_call_id = call.id
        return CallCreated(call_id=call.id, channel=channel_name(ChannelKind.CALL, call.id))


class CallAlarmActor(Actor):
    """See the module docstring."""

    __slots__ = ()

    async def on_receive(self, message: object) -> object:
        match message:
            case Pulse():
                await trio.sleep(PULSE_SECONDS)
                try:
                    self.context.ref(CALL, self.address.id).tell_nowait(Tick())
                except DeliveryError as error:
                    logger.info("call %s missed a tick: %s", self.address.id, error)
                return None
            case _:
                self.unhandled(message)
