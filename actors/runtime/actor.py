"""The ``Actor`` base class and the context the runtime gives each actor.

An actor owns its state and handles one message at a time, to completion. Its life,
driven by the runtime (:mod:`supervisors.activation`), is a sequence of *incarnations*
sharing one mailbox::

    factory(context) -> on_start() -> on_receive(message)* -> on_stop()    passivation
                                 \\-> on_failure(error, message)             crash

* ``on_start`` loads the state from storage. It runs before any message is handled;
  messages sent meanwhile wait in the mailbox.
* ``on_receive`` handles one message; its return value is the reply to an ``ask``.
  Dispatch with ``match`` on message types and end with ``case _: self.unhandled(...)``.
  Raise a ``MessageRejected`` subclass to refuse a message without crashing.
* ``on_receive_batch`` (optional) handles, in one turn, a run of consecutive messages
  for which ``batches`` is true: the first one and those queued right behind it, up to
  :data:`MAX_BATCH`.  It returns one outcome per message, in order: a ``Value`` is that
  message's reply, an ``Error`` holds the ``MessageRejected`` refusing it.  Any other
  exception crashes the actor and fails every ask of the batch.  An actor that batches
  costs a store write per batch instead of per message, for example.
* ``on_stop`` flushes state when the actor passivates (idle), is stopped, or its node
  shuts down between turns. It runs shielded from cancellation, bounded by the kind's
  ``stop_timeout``. It does *not* run after a crash: the in-memory state is then suspect.
* ``on_failure`` runs on the failed incarnation after any other exception from a hook or
  handler, for cleanup and logging; the supervisor then decides whether to restart
  (a new instance from the factory, ``on_start`` again, same mailbox).
* A ``StorageUnavailable`` escaping a turn is an outage, not a bug: the turn's asks fail
  with ``DependencyUnavailable`` (``unavailable`` to clients), ``on_dependency_failure``
  runs, and the actor keeps its state and takes its next message.  Handlers therefore
  change their state only after the writes it depends on succeeded; what a cut-off write
  may have left behind (a write applied whose reply was lost) is for
  ``on_dependency_failure`` to mark for re-reading.  An ``on_start`` that meets one ends
  the activation without a restart; the next message activates the actor again.

Subclasses may declare ``__slots__`` to keep idle actors small.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, NoReturn, Protocol

import outcome

from actors.runtime.errors import UnhandledMessage
from actors.runtime.ref import ActorRef, Address
from actors.runtime.statistics import ActorStatistics

MAX_BATCH: Final = 64
"""The most messages one ``on_receive_batch`` turn handles."""


class ActorContext(Protocol):
    """What the runtime offers an actor (implemented by its activation)."""

    @property
    def address(self) -> Address:
        """This actor's address."""
        ...

    @property
    def self_ref(self) -> ActorRef:
        """A ref to this actor (for replies by ``tell`` or registration elsewhere)."""
        ...

    @property
    def fence(self) -> int | None:
        """Cluster mode: the fencing token of this node's lease on the actor, which storage
        writes that must never come from a stale owner carry; None on a single node."""
        ...

    def ref(self, kind: str, id: str) -> ActorRef:
        """A ref to another actor on the same router."""
        ...

    def stop(self) -> None:
        """Passivate once the mailbox is empty (``permanent`` kinds restart instead)."""
        ...

    def statistics(self) -> ActorStatistics:
        """Figures of this activation."""
        ...


class Actor:
    """Base class of every actor. Override the hooks; keep all state on ``self``."""

    __slots__ = ("context",)

    def __init__(self, context: ActorContext) -> None:
        self.context = context

    @property
    def address(self) -> Address:
        """This actor's address."""
        return self.context.address

    async def on_start(self) -> None:
        """Load state; called once per incarnation before any message."""

    async def on_receive(self, message: object) -> object:
        """Handle one message and return the reply (ignored for ``tell``)."""
        self.unhandled(message)

    def batches(self, message: object) -> bool:
        """Whether ``message`` goes to :meth:`on_receive_batch` with the batchable
        messages queued right behind it (never, unless overridden)."""
        return False

    async def on_receive_batch(self, messages: Sequence[object]) -> list[outcome.Outcome[Any]]:
        """Handle a run of batchable messages; one outcome per message (module docstring)."""
        raise NotImplementedError(f"{type(self).__name__} batches but handles no batch")

    async def on_stop(self) -> None:
        """Flush state; called when the incarnation ends normally."""

    async def on_failure(self, error: Exception, message: object | None) -> None:
        """Clean up after ``error`` (``message`` is ``None`` if a hook failed)."""

    def on_dependency_failure(self, error: Exception) -> None:
        """A turn failed on an unavailable storage service (``error``); the actor keeps
        running.  Mark what the failed writes may have changed behind the actor's back."""

    def unhandled(self, message: object) -> NoReturn:
        """Refuse ``message`` as unknown: the asker gets ``UnhandledMessage``."""
        raise UnhandledMessage(self.context.address, message)

    def statistics(self) -> ActorStatistics:
        """Figures of this actor's activation (mailbox, processed, restarts, failures)."""
        return self.context.statistics()
