"""The actor runtime core: actors, refs, messages, errors and statistics.

Domain actors subclass :class:`Actor`; callers hold :class:`ActorRef`. Where actors
live and how they are activated, supervised and passivated is :mod:`supervisors`.
"""

from actors.runtime.actor import Actor, ActorContext
from actors.runtime.errors import (
    ActorCrashed,
    ActorError,
    ActorStopped,
    AskCycle,
    AskError,
    AskTimeout,
    DeliveryError,
    MailboxFull,
    MessageRejected,
    RestartIntensityExceeded,
    UnhandledMessage,
    UnknownActorKind,
)
from actors.runtime.messages import current_ask_chain
from actors.runtime.ref import ActorRef, Address, Router
from actors.runtime.statistics import ActorStatistics, FailureRecord

__all__ = [
    "Actor",
    "ActorContext",
    "ActorCrashed",
    "ActorError",
    "ActorRef",
    "ActorStatistics",
    "ActorStopped",
    "Address",
    "AskCycle",
    "AskError",
    "AskTimeout",
    "DeliveryError",
    "FailureRecord",
    "MailboxFull",
    "MessageRejected",
    "RestartIntensityExceeded",
    "Router",
    "UnhandledMessage",
    "UnknownActorKind",
    "current_ask_chain",
]
