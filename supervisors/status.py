"""The status of supervisors and actor kinds, as frozen msgspec Structs.

``Supervisor.snapshot()`` returns a :class:`SupervisorSnapshot` tree: each supervisor
with its strategy and children, a child that is itself a supervisor nested under it,
and each actor kind (run by the registry) as a node carrying a :class:`KindSnapshot`.
The tree encodes directly with ``msgspec.json.encode`` for the ops status endpoint.
"""

from __future__ import annotations

import msgspec

from actors.runtime.statistics import ActorStatistics, FailureRecord

__all__ = [
    "ActorStatistics",
    "ChildSnapshot",
    "FailureRecord",
    "KindSnapshot",
    "MailboxSnapshot",
    "RegistryStatistics",
    "SupervisorSnapshot",
    "SupervisorStatistics",
]


class MailboxSnapshot(msgspec.Struct, frozen=True):
    """One of the deepest mailboxes of a kind."""

    id: str
    state: str
    depth: int
    senders_waiting: int


class KindSnapshot(msgspec.Struct, frozen=True):
    """One actor kind: activations by state, lifetime counters, hot spots, failures.

    The state counts cover activations present now; ``activations``, ``passivations``,
    ``restarts`` and ``escalations`` (activations whose restarts gave up) count since
    the registry started. ``top_mailboxes`` lists the deepest non-empty mailboxes,
    deepest first; ``last_failures`` the most recent failures, newest last.
    """

    kind: str
    mailbox_capacity: int
    active: int
    activating: int
    passivating: int
    restarting: int
    pending: int
    activations: int
    passivations: int
    restarts: int
    escalations: int
    top_mailboxes: tuple[MailboxSnapshot, ...]
    last_failures: tuple[FailureRecord, ...]


class ChildSnapshot(msgspec.Struct, frozen=True):
    """One child of a supervisor; ``supervisor`` is set when the child supervises too."""

    name: str
    restart: str
    state: str
    restarts: int
    last_failure: FailureRecord | None
    supervisor: SupervisorSnapshot | None = None


class SupervisorSnapshot(msgspec.Struct, frozen=True):
    """A supervisor and, recursively, its children; ``kind`` is set for actor kinds."""

    name: str
    strategy: str
    restarts: int
    last_failure: FailureRecord | None
    children: tuple[ChildSnapshot, ...]
    kind: KindSnapshot | None = None


class SupervisorStatistics(msgspec.Struct, frozen=True):
    """One supervisor's own figures (its children are in :class:`SupervisorSnapshot`)."""

    name: str
    strategy: str
    children: int
    running_children: int
    restarts: int
    last_failure: FailureRecord | None


class RegistryStatistics(msgspec.Struct, frozen=True):
    """The registry: whether it still accepts messages, and every kind's figures."""

    closed: bool
    kinds: tuple[KindSnapshot, ...]
