"""The call actor (kind ``call``, id: the stored call id): one WebRTC call's signalling.

Contract:

* A call starts with :class:`Ring` (from its ``call_context``): the caller participates,
  each invitee gets ``call_ringing`` on ``user:<id>`` and a stored ``call`` notification.
* Invitees accept (join) or decline until the ring deadline (:data:`RING_SECONDS`); the
  caller hanging up while ringing cancels the call.  After the deadline, invitees who did
  not answer get a ``missed_call`` notification.
* ``call_signal`` is relayed only between participants, to the target's subscriptions of
  ``call:<id>`` only; anyone else is refused (``forbidden``).
* A participant with no subscription to ``call:<id>`` on this node for
  :data:`LOST_AFTER_SECONDS` (their connections closed) is removed.  In cluster mode
  (``cluster=True``) a participant without one here still counts while their user has a
  live connection on any node (the user actor's :class:`~actors.users.commands.GetPresence`;
  when that cannot be learnt, they count too).  The call ends when fewer than two
  participants remain and nobody is being rung.
* Every change publishes the whole ``call_state``; the end is written to the call log
  (``completed``, ``missed``, ``declined`` or ``failed``) before it is published.
* Deadlines are checked on each :class:`Tick` from the ``call_alarm`` actor, on trio's
  clock.  A call found unfinished in the log but unknown to the actor (a crash or a
  restart) is ended as ``failed``.
"""

from __future__ import annotations

import logging
import time

import trio

from actors.calls.commands import (
    CALL_ALARM,
    CALL_CONTEXT,
    LOST_AFTER_SECONDS,
    RING_SECONDS,
    AcceptCall,
    CallClosed,
    CheckCallAccess,
    DeclineCall,
    HangUp,
    IsLive,
    Pulse,
    RelaySignal,
    Ring,
    Tick,
)
from actors.calls.events import call_notice, deliver_signal, publish_ringing, publish_state
from actors.realtime.hub import Hub
from actors.runtime.actor import Actor, ActorContext
from actors.runtime.errors import ActorError, DeliveryError
from actors.users.commands import USER, GetPresence
from actors.users.notification_feed import Notifier, feed_notifier
from protocol.channels import ChannelKind, channel_name
from protocol.enums import CallEndReason, CallMedia, CallState
from protocol.errors import ErrorCode
from services.errors import DomainError
from storage.errors import Conflict, NotFound
from storage.protocols import Store
from storage.records import CallOutcome

logger = logging.getLogger(__name__)

PRESENCE_ASK_SECONDS = 2.0
"""How long a tick waits for a participant's presence (cluster mode) before counting
them as still there."""


class CallActor(Actor):
    """See the module docstring."""

    __slots__ = (
        "_caller_id",
        "_channel",
        "_cluster",
        "_context_id",
        "_hub",
        "_invitees",
        "_media",
        "_notify",
        "_participants",
        "_ring_deadline",
        "_room_id",
        "_state",
        "_store",
        "_unfinished",
        "_was_active",
    )

    def __init__(
        self, context: ActorContext, store: Store, hub: Hub, notify: Notifier | None = None,
        *, cluster: bool = False,
    ) -> None:
        super().__init__(context)
        self._store = store
        self._hub = hub
        self._cluster = cluster
        self._notify = notify or feed_notifier(context)
        self._channel = channel_name(ChannelKind.CALL, context.address.id)
        self._state: CallState | None = None
        self._unfinished = False
        self._caller_id = ""
        self._context_id = ""
        self._room_id: str | None = None
        self._media = CallMedia.AUDIO
        self._invitees: set[str] = set()
        self._participants: dict[str, float] = {}
        self._ring_deadline = 0.0
        self._was_active = False

    async def on_start(self) -> None:
        try:
            stored = await self._store.calls.get(self.address.id)
        except NotFound:
            return
        self._unfinished = stored.outcome is None
        self._context_id = stored.context_id

    async def on_receive(self, message: object) -> object:
        if isinstance(message, Ring):
            await self._ring(message)
            return None
        if self._state is None and self._unfinished:
            await self._end_lost()
        match message:
            case IsLive():
                return self._state in (CallState.RINGING, CallState.ACTIVE)
            case Tick():
                await self._tick()
                return None
        state = self._require_live()
        match message:
            case CheckCallAccess(user_id=user_id):
                if user_id not in self._participants and user_id not in self._invitees:
                    raise DomainError(ErrorCode.FORBIDDEN, "you are not in this call")
            case AcceptCall(user_id=user_id):
                await self._accept(user_id)
            case DeclineCall(user_id=user_id):
                await self._decline(user_id)
            case HangUp(user_id=user_id):
                await self._leave(user_id, state)
            case RelaySignal():
                self._relay(message)
            case _:
                self.unhandled(message)
        return None

    @property
    def live(self) -> bool:
        """True while the call rings or is active."""
        return self._state in (CallState.RINGING, CallState.ACTIVE)

    def _require_live(self) -> CallState:
        if self._state not in (CallState.RINGING, CallState.ACTIVE):
            raise DomainError(ErrorCode.NOT_FOUND, "no such call, or it has ended")
        return self._state

    async def _ring(self, message: Ring) -> None:
        if self._state is not None:
            raise DomainError(ErrorCode.CONFLICT, "the call has already started")
        now = trio.current_time()
        self._state = CallState.RINGING
        self._unfinished = False
        self._caller_id = message.caller_id
        self._context_id = message.context_id
        self._room_id = message.room_id
        self._media = message.media
        self._invitees = set(message.invitee_ids) - {message.caller_id}
        self._participants = {message.caller_id: now}
        self._ring_deadline = now + RING_SECONDS
        expires_at = int((time.time() + RING_SECONDS) * 1000)
        publish_ringing(
            self._hub,
            sorted(self._invitees),
            call_id=self.address.id,
            caller_id=message.caller_id,
            room_id=message.room_id,
            media=message.media,
            expires_at_ms=expires_at,
        )
        for invitee in sorted(self._invitees):
            await self._notify(invitee, call_notice(self.address.id, self._caller_id, missed=False))
        self._publish_state()
        self._pulse()

    async def _accept(self, user_id: str) -> None:
        if user_id in self._participants:
            return
        if user_id not in self._invitees:
            raise DomainError(ErrorCode.FORBIDDEN, "you were not invited to this call")
        await self._store.calls.join(self.address.id, user_id)
        self._invitees.discard(user_id)
        self._participants[user_id] = trio.current_time()
        self._state = CallState.ACTIVE
        self._was_active = True
        self._publish_state()

    async def _decline(self, user_id: str) -> None:
        if user_id not in self._invitees:
            raise DomainError(ErrorCode.FORBIDDEN, "you were not invited to this call")
        self._invitees.discard(user_id)
        if not self._invitees and len(self._participants) < 2:
            await self._end("declined", CallEndReason.DECLINED)
        else:
            self._publish_state()

    async def _leave(self, user_id: str, state: CallState) -> None:
        if user_id not in self._participants:
            raise DomainError(ErrorCode.FORBIDDEN, "you are not in this call")
        del self._participants[user_id]
        if state is CallState.RINGING and user_id == self._caller_id:
            await self._end("missed", CallEndReason.HANGUP)
            return
        await self._settle(CallEndReason.HANGUP)

    async def _settle(self, reason: CallEndReason, *, publish: bool = True) -> None:
        """End the call when nobody is left to talk to; otherwise publish the state."""
        if len(self._participants) < 2 and (not self._invitees or not self._participants):
            outcome: CallOutcome = "completed" if self._was_active else "missed"
            await self._end(outcome, reason)
        elif publish:
            self._publish_state()

    def _relay(self, message: RelaySignal) -> None:
        if message.user_id not in self._participants:
            raise DomainError(ErrorCode.FORBIDDEN, "only participants may signal in this call")
        if message.target_user_id not in self._participants:
            raise DomainError(ErrorCode.FORBIDDEN, "the target is not a participant")
        self._participants[message.user_id] = trio.current_time()
        deliver_signal(
            self._hub,
            self.address.id,
            from_user_id=message.user_id,
            target_user_id=message.target_user_id,
            kind=message.kind,
            payload=message.payload,
        )

    async def _tick(self) -> None:
        if self._state not in (CallState.RINGING, CallState.ACTIVE):
            return
        now = trio.current_time()
        present = {subscriber.user_id for subscriber in self._hub.subscribers(self._channel)}
        changed = False
        for user_id in list(self._participants):
            if user_id in present or await self._connected_elsewhere(user_id):
                self._participants[user_id] = now
            elif now - self._participants[user_id] >= LOST_AFTER_SECONDS:
                del self._participants[user_id]
                changed = True
        if self._invitees and now >= self._ring_deadline:
            await self._notify_missed(self._invitees)
            self._invitees = set()
            changed = True
        if self._state is CallState.RINGING and self._caller_id not in self._participants:
            await self._end("missed", CallEndReason.FAILED)
        elif self._state is CallState.RINGING:
            await self._settle(CallEndReason.NO_ANSWER, publish=changed)
        else:
            await self._settle(CallEndReason.FAILED, publish=changed)
        if self.live:
            self._pulse()

    async def _connected_elsewhere(self, user_id: str) -> bool:
        """Cluster mode: whether ``user_id`` has a live connection on any node (True when
        that cannot be learnt now: nobody is dropped from a call for an outage)."""
        if not self._cluster:
            return False
        try:
            view = await self.context.ref(USER, user_id).ask(
                GetPresence(), timeout=PRESENCE_ASK_SECONDS
            )
        except ActorError as error:
            logger.info("call %s could not learn whether %s is connected: %s",
                        self.address.id, user_id, error)
            return True
        return bool(view.connections)

    async def _notify_missed(self, user_ids: set[str]) -> None:
        for user_id in sorted(user_ids):
            await self._notify(user_id, call_notice(self.address.id, self._caller_id, missed=True))

    async def _end(self, outcome: CallOutcome, reason: str) -> None:
        try:
            await self._store.calls.end(self.address.id, outcome=outcome)
        except Conflict:
            logger.info("call %s had already ended in the log", self.address.id)
        if self._invitees:
            await self._notify_missed(self._invitees)
        self._state = CallState.ENDED
        self._participants = {}
        self._invitees = set()
        self._publish_state(ended_reason=reason)
        self._tell_context()
        self.context.stop()

    async def _end_lost(self) -> None:
        self._unfinished = False
        try:
            await self._store.calls.end(self.address.id, outcome="failed")
        except Conflict:
            return
        self._state = CallState.ENDED
        self._publish_state(ended_reason=CallEndReason.FAILED)
        self._tell_context()

    def _publish_state(self, *, ended_reason: str | None = None) -> None:
        assert self._state is not None
        publish_state(
            self._hub,
            self.address.id,
            self._state,
            self._participants,
            ended_reason=ended_reason,
        )

    def _pulse(self) -> None:
        try:
            self.context.ref(CALL_ALARM, self.address.id).tell_nowait(Pulse())
        except DeliveryError as error:
            logger.warning("call %s cannot schedule its next check: %s", self.address.id, error)

    def _tell_context(self) -> None:
        if not self._context_id:
            return
        try:
            self.context.ref(CALL_CONTEXT, self._context_id).tell_nowait(
                CallClosed(call_id=self.address.id)
            )
        except DeliveryError as error:
            logger.warning("call %s could not release its context: %s", self.address.id, error)
