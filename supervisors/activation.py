"""One activation of a virtual actor: its mailbox, its task, its incarnations.

The activation is created with its mailbox when the first message arrives and lives
until it retires. One task (:meth:`Activation.run`) drives a sequence of incarnations,
each a fresh actor from the kind's factory:

* **turns** — messages are taken from the mailbox one at a time, in FIFO order, and
  each handler runs to completion before the next message is taken;
* **crash** — a handler (or ``on_start``) raising an ``Exception`` fails the ask being
  handled with ``ActorCrashed``, runs ``on_failure``, and the activation restarts the
  actor (new instance, ``on_start`` again) on the *same mailbox*, per the kind's
  restart type, intensity and backoff;
* **outage** — a handler meeting ``StorageUnavailable`` fails that turn's asks with
  ``DependencyUnavailable`` and the actor goes on (:mod:`supervisors.hooks`); an
  ``on_start`` meeting it retires the activation (queued asks fail ``ActorStopped``,
  i.e. ``unavailable``) without counting a restart;
* **passivation** — idle past the kind's timeout, or asked to stop: ``on_stop`` flushes,
  and the activation retires if its mailbox is empty; if messages arrived meanwhile a
  new incarnation handles them (no message is lost);
* **lease lost** (cluster mode) — before each turn the activation checks that this node
  still holds a valid lease with the fencing token it started with.  If not, the message
  is handed back (an ask fails with ``NotOwner`` and its router retries on the new owner;
  a tell is routed again), the incarnation ends *without* flushing (another node owns
  the state now), and the activation either starts a fresh incarnation under a new lease
  of this node or retires, failing queued asks with ``NotOwner``;
* **teardown** — when the kind's task is cancelled (its supervisor restarts it), an
  actor cancelled between turns is flushed; one cancelled mid-turn is not, and that
  ask fails with ``ActorStopped``. An activation with queued mail is parked and resumed
  when its kind runs again; without mail it retires.

Retiring removes the activation from its kind's table, then closes the mailbox: queued
asks fail with ``ActorStopped``, queued tells are dropped (and logged), and senders
still waiting for room are redelivered to a fresh activation by the registry.
"""

from __future__ import annotations

import contextlib
import enum
import logging
from typing import TYPE_CHECKING, Final

import trio

from actors.runtime.actor import MAX_BATCH, Actor
from actors.runtime.errors import ActorStopped, DeliveryError, NotOwner
from actors.runtime.mailbox import WAKE, close_mailbox, has_mail, open_mailbox
from actors.runtime.messages import Envelope, set_ask_chain
from actors.runtime.ref import ActorRef, Address
from actors.runtime.statistics import ActorStatistics, FailureRecord, wall_time
from protocol.fields import milliseconds
from storage.errors import StorageUnavailable
from supervisors import hooks, tracing
from supervisors.batch_linger import BatchLinger
from supervisors.policy import RestartType, RestartWindow

if TYPE_CHECKING:
    from supervisors.host import KindHost

logger = logging.getLogger(__name__)

_TURNS_PER_CHECKPOINT: Final = 32
"""A busy actor yields to the scheduler at least this often, even if handlers don't."""


class ActivationState(enum.Enum):
    """Where an activation is in its life (see the module docstring)."""

    PENDING = "pending"
    ACTIVATING = "activating"
    ACTIVE = "active"
    PASSIVATING = "passivating"
    RESTARTING = "restarting"
    STOPPED = "stopped"


class LeaseLost(Exception):
    """Returned (not raised) by an incarnation that found its lease gone."""


class StartUnavailable(Exception):
    """Returned (not raised) by an incarnation whose ``on_start`` met an unavailable
    storage service: an outage, so the activation retires without counting a restart."""


class StopReason(enum.Enum):
    """Who asked the activation to stop once its mailbox is empty."""

    ACTOR = "actor"
    OPERATOR = "operator"
    """Passivate (never restart, whatever the kind's restart type): the ops dashboard."""
    SHUTDOWN = "shutdown"


class Activation:
    """The runtime side of one actor; also the ``ActorContext`` its incarnations get."""

    __slots__ = ("_held", "_host", "_in_turn", "_inbox", "_linger", "_own_chain", "_parked",
                 "_stop_reason", "_window", "activated_at", "address", "fence", "idle_since",
                 "last_failure", "mailbox", "processed", "restarts", "state")

    def __init__(self, host: KindHost, address: Address) -> None:
        self._host = host
        self.address = address
        self.mailbox, self._inbox = open_mailbox(host.kind.mailbox_capacity)
        self.state = ActivationState.PENDING
        self.processed = 0
        self.restarts = 0
        self.activated_at = trio.current_time()
        self.idle_since: float | None = None
        self.last_failure: FailureRecord | None = None
        self._own_chain = (address,)
        self._parked = False
        self._in_turn = False
        self._stop_reason: StopReason | None = None
        self._window: RestartWindow | None = None
        self._held: Envelope | None = None
        """The envelope that ended a batch (not batchable): the next one handled."""
        self.fence: int | None = None
        """The fencing token of the lease this incarnation runs under (None: single node)."""
        budget = host.kind.batch_linger
        self._linger = BatchLinger(budget, self.activated_at) if budget > 0 else None

    # ActorContext

    @property
    def self_ref(self) -> ActorRef:
        """A ref to this actor."""
        return ActorRef(self._host.registry, self.address)

    def ref(self, kind: str, id: str) -> ActorRef:
        """A ref to another actor of the same registry."""
        return self._host.registry.ref(kind, id)

    def stop(self) -> None:
        """Passivate once the mailbox is empty (``permanent`` kinds restart instead)."""
        self.request_stop(StopReason.ACTOR)

    def statistics(self) -> ActorStatistics:
        """This activation's figures."""
        mailbox = self.mailbox.statistics()
        idle_since = self.idle_since
        return ActorStatistics(
            kind=self.address.kind,
            id=self.address.id,
            state=self.state.value,
            mailbox_depth=mailbox.current_buffer_used,
            mailbox_capacity=self._host.kind.mailbox_capacity,
            senders_waiting=mailbox.tasks_waiting_send,
            processed=self.processed,
            restarts=self.restarts,
            activated_at=milliseconds(wall_time(self.activated_at)),
            idle_since=None if idle_since is None else milliseconds(wall_time(idle_since)),
            last_failure=self.last_failure,
        )

    # Control, used by the kind host

    def request_stop(self, reason: StopReason) -> None:
        """Stop once the mailbox is empty; a shutdown request wins over the actor's."""
        if self._stop_reason is not StopReason.SHUTDOWN:
            self._stop_reason = reason
        self._wake()

    def passivate_if_idle(self, idle_before: float) -> None:
        """Wake the actor to passivate if it has been waiting since ``idle_before``."""
        idle_since = self.idle_since
        if idle_since is not None and idle_since <= idle_before:
            self._wake()

    def nudge(self) -> None:
        """Wake an idle actor so it looks at its lease again."""
        self._wake()

    def mailbox_load(self) -> tuple[int, int]:
        """``(buffered envelopes, senders waiting for room)`` for status pages.

        An actor parked on its empty mailbox reads as ``(0, 0)`` without a look at the
        channel: that is most activations, and the channel's ``statistics()`` builds an
        object per call, which over tens of thousands of activations held the event loop
        for tens of milliseconds.  While parked, a message sent is handed to the actor,
        not buffered; only a second one sent before the actor resumes (the same
        scheduling round) goes unseen.
        """
        if self._parked:
            return 0, 0
        statistics = self.mailbox.statistics()
        return statistics.current_buffer_used, statistics.tasks_waiting_send

    def has_mail(self) -> bool:
        """Whether messages are buffered or senders are waiting for room."""
        return self._held is not None or has_mail(self.mailbox)

    def retire(self, reason: str, *, moved: bool = False) -> None:
        """Leave the kind's table, close the mailbox, fail what is still queued
        (with ``NotOwner`` when the actor ``moved`` to another node)."""
        self.state = ActivationState.STOPPED
        self._host.remove(self)
        placement = self._host.registry.placement
        if placement is not None:
            placement.forget(self.address, self.fence)
        error = NotOwner if moved else ActorStopped
        dropped = close_mailbox(self.mailbox, self._inbox, lambda: error(self.address, reason))
        held, self._held = self._held, None
        if held is not None and held is not WAKE:
            if held.reply is not None:
                held.reply.fail(error(self.address, reason))
            else:
                dropped += 1
        if dropped:
            logger.warning("%s retired (%s): dropped %d queued tells", self.address, reason,
                           dropped)

    def _wake(self) -> None:
        if self._parked:
            self._parked = False
            # If the mailbox refuses, the actor is already awake and will see the
            # request when its mailbox runs dry.
            with contextlib.suppress(
                trio.WouldBlock, trio.ClosedResourceError, trio.BrokenResourceError
            ):
                self.mailbox.send_nowait(WAKE)

    # The task

    async def run(self) -> None:
        """The activation's only task: incarnations until it retires.

        Retiring after passivation happens without a checkpoint between the empty-mailbox
        check and leaving the table, so no message can slip in between.
        """
        kind = self._host.kind
        self.activated_at = trio.current_time()
        self.idle_since = None
        self._parked = self._in_turn = False  # a parked activation resumes from scratch
        try:
            while True:
                error = await self._incarnation()
                if isinstance(error, LeaseLost):
                    placement = self._host.registry.placement
                    if placement is not None and placement.holds(self.address):
                        continue
                    self.retire("its lease moved to another node", moved=True)
                    return
                if isinstance(error, StartUnavailable):
                    reason = f"could not start: {error}"
                    break
                if error is not None:
                    if kind.restart is RestartType.TEMPORARY:
                        reason = f"temporary actor crashed ({type(error).__name__})"
                        break
                    if not await self._restart(error):
                        reason = f"gave up after {self.restarts} restarts ({type(error).__name__})"
                        break
                    continue
                stopped_by = self._stop_reason
                if stopped_by is StopReason.ACTOR and kind.restart is RestartType.PERMANENT:
                    self._stop_reason = None
                    if not await self._restart(None):
                        reason = f"gave up after {self.restarts} restarts"
                        break
                    continue
                self._host.passivations += 1
                if stopped_by is StopReason.SHUTDOWN or not self.has_mail():
                    reason = "passivated"
                    break
                self._stop_reason = None
                self._host.activations += 1
        except BaseException:
            if not self._host.closing and self.has_mail():
                self.state = ActivationState.PENDING
                self._host.park(self)
            else:
                self.retire("shut down")
            raise
        self.retire(reason)

    async def _restart(self, error: Exception | None) -> bool:
        """Count a restart; wait the backoff; ``False`` if the intensity is exceeded."""
        kind = self._host.kind
        if self._window is None:
            self._window = RestartWindow(kind.intensity)
        if self._window.record(trio.current_time()):
            self._host.activation_gave_up(self, error)
            return False
        self.restarts += 1
        self._host.restarts += 1
        self.state = ActivationState.RESTARTING
        if kind.backoff is not None:
            await trio.sleep(kind.backoff.delay(self._window.recent))
        return True

    async def _incarnation(self) -> Exception | None:
        """One actor instance from start to stop; the crash error, or ``None``."""
        self.state = ActivationState.ACTIVATING
        set_ask_chain(self._own_chain)
        placement = self._host.registry.placement
        if placement is not None:
            self.fence = placement.token(self.address)
            if self.fence is None:
                return LeaseLost()
        actor: Actor | None = None
        try:
            actor = self._host.kind.factory(self)
            await actor.on_start()
        except StorageUnavailable as error:
            logger.warning("%s could not start, a storage service is unavailable: %s",
                           self.address, error)
            return StartUnavailable(str(error))
        except Exception as error:  # the supervision point: recorded, then restarted
            await self._fail(actor, error, None)
            return error
        self.state = ActivationState.ACTIVE
        finished = False
        try:
            crash = await self._serve(actor)
            finished = True
        finally:
            if not finished and not self._in_turn:
                await self._flush(actor)  # cancelled between turns: the state is consistent
        if crash is None:
            await self._flush(actor)
        return crash

    async def _serve(self, actor: Actor) -> Exception | None:
        """Take turns until a crash (return it) or a stop/idle request (``None``)."""
        inbox = self._inbox
        placement = self._host.registry.placement
        batching = type(actor).batches is not Actor.batches
        turns = 0
        while True:
            idle_since: float | None = None
            envelope: Envelope | None = self._held
            if envelope is not None:
                self._held = None
            else:
                try:
                    envelope = inbox.receive_nowait()
                except trio.WouldBlock:
                    envelope = None  # parked below, outside the except: none kept alive
            if envelope is None:
                if self._stop_reason is not None:
                    return None
                self.idle_since = idle_since = trio.current_time()
                self._parked = True
                envelope = await inbox.receive()
                self._parked = False
                self.idle_since = None
                turns = 0
            if placement is not None and placement.token(self.address) != self.fence:
                self._hand_back(envelope)
                return LeaseLost()
            if envelope is WAKE:
                if idle_since is not None and self._stop_reason is None and not self.has_mail():
                    return None
                continue
            turns += 1
            if turns >= _TURNS_PER_CHECKPOINT:
                turns = 0
                await trio.lowlevel.checkpoint()
            if batching and actor.batches(envelope.message):
                error = await self._batch_turn(actor, await self._batch_from(actor, envelope))
            else:
                error = await self._turn(actor, envelope)
            if error is not None:
                return error

    async def _batch_from(self, actor: Actor, first: Envelope) -> list[Envelope]:
        """``first`` and the batchable envelopes queued right behind it; the envelope that
        ends the run (not batchable, or the runtime's wake-up) is held for the next turn.
        On a busy node a hot actor of a kind with a linger budget also waits up to that
        budget for more (:mod:`supervisors.batch_linger`).  The wait is shielded: it is
        short, and envelopes already taken from the mailbox must reach the turn."""
        batch = [first]
        self._take_queued(actor, batch)
        linger = self._linger
        if linger is None:
            return batch
        now = trio.current_time()
        if (len(batch) < MAX_BATCH and self._held is None
                and (wait := linger.seconds(now, first.queued_at))):
            with trio.CancelScope(shield=True), trio.move_on_after(wait):
                while len(batch) < MAX_BATCH and self._held is None:
                    envelope = await self._inbox.receive()
                    if envelope is WAKE or not actor.batches(envelope.message):
                        self._held = envelope
                        break
                    batch.append(envelope)
                    self._take_queued(actor, batch)
        linger.rate.note(len(batch), now)
        return batch

    def _take_queued(self, actor: Actor, batch: list[Envelope]) -> None:
        """Add the batchable envelopes queued now to ``batch`` (up to ``MAX_BATCH``); hold
        the one that ends the run."""
        while len(batch) < MAX_BATCH:
            try:
                envelope = self._inbox.receive_nowait()
            except trio.WouldBlock:
                return
            if envelope is WAKE or not actor.batches(envelope.message):
                self._held = envelope
                return
            batch.append(envelope)

    async def _batch_turn(self, actor: Actor, batch: list[Envelope]) -> Exception | None:
        self._in_turn = True
        trace = batch[0].trace
        if trace is None:
            crash = await hooks.handle_batch(actor, batch, self._own_chain)
        else:
            with tracing.turn_span(trace, str(self.address), batch[0].message) as span:
                crash = await hooks.handle_batch(actor, batch, self._own_chain)
                tracing.record_failure(span, crash)
        self._in_turn = False
        if crash is not None:
            await self._fail(actor, crash, batch[0].message)
        else:
            self.processed += len(batch)
        return crash

    def _hand_back(self, envelope: Envelope) -> None:
        """Give a message this node may no longer handle back to its router."""
        if envelope is WAKE:
            return
        if envelope.reply is not None:
            envelope.reply.fail(NotOwner(self.address, "its lease moved to another node"))
            return
        try:
            self._host.registry.send_nowait(self.address, envelope.message)
        except DeliveryError as error:
            logger.warning("a tell to %s was dropped: %s", self.address, error)

    async def _turn(self, actor: Actor, envelope: Envelope) -> Exception | None:
        self._in_turn = True
        if envelope.trace is None:
            crash = await hooks.handle(actor, envelope, self._own_chain)
        else:
            with tracing.turn_span(envelope.trace, str(self.address), envelope.message) as span:
                crash = await hooks.handle(actor, envelope, self._own_chain)
                tracing.record_failure(span, crash)
        self._in_turn = False
        if crash is not None:
            await self._fail(actor, crash, envelope.message)
        else:
            self.processed += 1
        return crash

    async def _fail(self, actor: Actor | None, error: Exception, message: object) -> None:
        self._record(error)
        await hooks.notify_failure(actor, error, message, self.address)

    async def _flush(self, actor: Actor) -> None:
        self.state = ActivationState.PASSIVATING
        failure = await hooks.flush(actor, self._own_chain, self._host.kind.stop_timeout)
        if failure is not None:
            self._record(failure)

    def _record(self, error: Exception) -> None:
        self.last_failure = record = hooks.failure_record(self.address, error)
        self._host.record_failure(record)
