"""``ActorKind``: how the registry creates, bounds, passivates and restarts one kind.

Storage is injected through the factory: the runtime never does I/O itself. A kind
whose actors need a store registers a factory that closes over it::

    ActorKind("user", lambda context: UserActor(context, users_store))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from actors.runtime.actor import Actor, ActorContext
from supervisors.policy import DEFAULT_INTENSITY, Backoff, RestartIntensity, RestartType

ActorFactory = Callable[[ActorContext], Actor]


@dataclass(frozen=True, slots=True)
class ActorKind:
    """The registration of one actor kind.

    * ``factory`` builds a fresh actor for each incarnation (activation or restart);
      its ``on_start`` loads the state.
    * ``mailbox_capacity`` bounds the mailbox; a full mailbox makes ``tell`` wait and
      ``tell_nowait`` raise ``MailboxFull``.
    * ``idle_timeout``: seconds without messages before passivation (``None``: never).
      Idleness is checked every ``idle_timeout / 4`` seconds, so an idle actor
      passivates between 1 and 1.25 ``idle_timeout`` after its last message.
    * ``ask_timeout``: the default deadline of ``ask``.
    * ``stop_timeout``: bound on ``on_stop`` (which runs shielded from cancellation).
    * ``restart``: ``permanent`` restarts after crashes and after ``context.stop()``;
      ``transient`` after crashes only; ``temporary`` never (a crash discards the
      activation and fails its queued asks with ``ActorStopped``).
    * ``intensity``/``backoff``: per activation. An activation that needs more
      restarts than ``intensity`` allows gives up (its queued asks fail with
      ``ActorStopped``) and escalates to the kind.
    * ``escalation_intensity``: how many activations may give up within the period
      before the kind itself fails and escalates to the registry's supervisor.
    * ``batch_linger``: for actors that batch (``Actor.batches``), the longest a turn may
      wait for more batchable messages when the node is busy and the actor hot, in
      seconds (:mod:`supervisors.batch_linger`); 0 never waits.
    """

    name: str
    factory: ActorFactory
    mailbox_capacity: int = 16
    idle_timeout: float | None = 300.0
    ask_timeout: float = 5.0
    stop_timeout: float = 5.0
    restart: RestartType = RestartType.PERMANENT
    intensity: RestartIntensity = DEFAULT_INTENSITY
    backoff: Backoff | None = None
    escalation_intensity: RestartIntensity = DEFAULT_INTENSITY
    batch_linger: float = 0.0

    def __post_init__(self) -> None:
        if not self.name or "/" in self.name:
            raise ValueError(f"actor kind name must be non-empty without '/': {self.name!r}")
        if self.mailbox_capacity < 1:
            raise ValueError("mailbox_capacity must be >= 1")
        if self.idle_timeout is not None and self.idle_timeout <= 0:
            raise ValueError("idle_timeout must be > 0 or None")
        if self.ask_timeout <= 0 or self.stop_timeout <= 0:
            raise ValueError("ask_timeout and stop_timeout must be > 0")
        if not 0 <= self.batch_linger <= 1:
            raise ValueError("batch_linger must be between 0 and 1 second")
