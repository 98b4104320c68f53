"""What travels through a mailbox: envelopes, reply slots and the ask chain.

An :class:`Envelope` wraps the user's message (any object: msgspec Struct, dataclass)
with an optional :class:`ReplySlot` (present for asks) and the *ask chain*: the
addresses of the actors that are blocked, directly or transitively, waiting for this
message to be handled. The chain is how ask cycles are detected before they deadlock.

While an actor handles a message, the chain extended with the actor's own address is
the value of a context variable; an ask made from that handler checks its target
against it (:func:`check_ask_cycle`) and carries it in the new envelope. Tasks started
by a handler inherit the chain of the turn that started them.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Final

import outcome
import trio

from actors.runtime.errors import AskCycle
from actors.runtime.ref import Address

_ASK_CHAIN: Final[ContextVar[tuple[Address, ...]]] = ContextVar("actors_ask_chain", default=())


def current_ask_chain() -> tuple[Address, ...]:
    """The actors waiting on the current task, oldest first (empty outside actors)."""
    return _ASK_CHAIN.get()


def set_ask_chain(chain: tuple[Address, ...]) -> None:
    """Make ``chain`` the current task's ask chain (called by the runtime per turn)."""
    if _ASK_CHAIN.get() is not chain:
        _ASK_CHAIN.set(chain)


def check_ask_cycle(target: Address) -> tuple[Address, ...]:
    """Return the current ask chain, or raise ``AskCycle`` if ``target`` is in it."""
    chain = _ASK_CHAIN.get()
    if target in chain:
        raise AskCycle((*chain, target))
    return chain


class ReplySlot:
    """The single-use rendezvous between an asker and the actor handling its message.

    The actor calls :meth:`succeed` or :meth:`fail` exactly once per turn; the asker
    awaits :meth:`wait`. If the asker is cancelled (or its deadline passes) while
    waiting, the slot is marked ``abandoned`` and the reply is silently dropped: the
    actor is never affected by the asker going away.
    """

    __slots__ = ("_result", "_task", "abandoned")

    def __init__(self) -> None:
        self._task: trio.lowlevel.Task | None = None
        self._result: outcome.Outcome[Any] | None = None
        self.abandoned = False

    def succeed(self, value: object) -> None:
        """Deliver the reply value."""
        self._deliver(outcome.Value(value))

    def fail(self, error: BaseException) -> None:
        """Deliver an error, raised in the asker."""
        self._deliver(outcome.Error(error))

    @property
    def done(self) -> bool:
        """Whether a reply or an error was delivered."""
        return self._result is not None

    def _deliver(self, result: outcome.Outcome[Any]) -> None:
        if self._result is not None or self.abandoned:
            return
        self._result = result
        task = self._task
        if task is not None:
            self._task = None
            trio.lowlevel.reschedule(task, result)

    async def wait(self) -> Any:
        """Wait for the reply; return its value or raise its error."""
        if self._result is not None:
            await trio.lowlevel.checkpoint()
            return self._result.unwrap()
        self._task = trio.lowlevel.current_task()

        def abort(_: trio.lowlevel.RaiseCancelT) -> trio.lowlevel.Abort:
            self._task = None
            self.abandoned = True
            return trio.lowlevel.Abort.SUCCEEDED

        return await trio.lowlevel.wait_task_rescheduled(abort)


class Envelope:
    """A message in a mailbox, with its reply slot (asks only) and ask chain.

    ``trace`` is the sender's trace context when tracing is on and a span was current
    (``supervisors.tracing.capture``), the actor's turn continuing it; otherwise ``None``.
    ``queued_at`` is when it was sent to the mailbox (trio's clock; None when not known):
    a batching turn's latency budget counts from its first message's.
    """

    __slots__ = ("chain", "message", "queued_at", "reply", "trace")

    def __init__(
        self,
        message: object,
        reply: ReplySlot | None = None,
        chain: tuple[Address, ...] = (),
        trace: object | None = None,
        queued_at: float | None = None,
    ) -> None:
        self.message = message
        self.reply = reply
        self.chain = chain
        self.trace = trace
        self.queued_at = queued_at
