"""Supervision trees, restart policies, and the registry that activates actors.

Build a node's actors with :func:`open_registry` (or :class:`Registry` under a root
:class:`Supervisor`), register each kind as an :class:`ActorKind`, and read the
status tree from ``snapshot()``.
"""

from supervisors.activation import ActivationState
from supervisors.child import ChildFunction, ChildSpec
from supervisors.kind import ActorFactory, ActorKind
from supervisors.policy import Backoff, RestartIntensity, RestartType, Strategy
from supervisors.registry import Registry, open_registry
from supervisors.status import (
    ChildSnapshot,
    KindSnapshot,
    MailboxSnapshot,
    RegistryStatistics,
    SupervisorSnapshot,
    SupervisorStatistics,
)
from supervisors.supervisor import Supervisor, open_supervisor

__all__ = [
    "ActivationState",
    "ActorFactory",
    "ActorKind",
    "Backoff",
    "ChildFunction",
    "ChildSnapshot",
    "ChildSpec",
    "KindSnapshot",
    "MailboxSnapshot",
    "Registry",
    "RegistryStatistics",
    "RestartIntensity",
    "RestartType",
    "Strategy",
    "Supervisor",
    "SupervisorSnapshot",
    "SupervisorStatistics",
    "open_registry",
    "open_supervisor",
]
