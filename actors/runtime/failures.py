"""What a caller is told when an ask fails in the runtime: one table for every transport.

:func:`describe_failure` maps a runtime failure of an ask (no answer, a crash, a message
not delivered) to the protocol's error code and a fixed message; REST
(:func:`http_facade.errors.actor_failure`, status = the code's HTTP status) and the
WebSocket session (:mod:`actors.realtime.session_dispatch`) both answer with it.

==========================  ===============  =========  =====================================
runtime error               code             retryable  meaning for the client
==========================  ===============  =========  =====================================
``AskTimeout``              ``timeout``      no         no answer in time; the command may
                                                        still take effect (retry, or check)
``ActorCrashed``            ``internal``     no         the handler failed; the command may
                                                        or may not have taken effect
``DependencyUnavailable``   ``unavailable``  yes        the store or Redis did not answer;
                                                        when a write was cut off, the
                                                        outcome is unknown: retry with the
                                                        same nonce / idempotency key
``MailboxFull``             ``unavailable``  yes        the actor is overloaded; nothing was
                                                        enqueued
``UnknownActorKind``        ``unavailable``  yes        this node does not host that kind
``ActorStopped``,           ``unavailable``  yes        not delivered: the node is draining,
``NotOwner``, any other                                 the actor is restarting or moved
``DeliveryError``
``AskCycle``,               ``internal``     no         a server bug, refused before the
``UnhandledMessage``, any                               actor acted: nothing was done
other non-domain
``MessageRejected``
any other ``ActorError``    ``internal``     no         e.g. ``RestartIntensityExceeded``
==========================  ===============  =========  =====================================

"Retryable" answers carry a retry hint in each transport's own unit.  A domain refusal
(:class:`services.errors.DomainError`) is not a failure and is never passed here.  The
client sees only the code and the fixed message, never the actor's address, the message
type or the original exception.
"""

from __future__ import annotations

from typing import NamedTuple

from actors.runtime.errors import (
    ActorCrashed,
    ActorError,
    AskCycle,
    AskTimeout,
    DeliveryError,
    DependencyUnavailable,
    MailboxFull,
    MessageRejected,
    UnknownActorKind,
)
from protocol.errors import ErrorCode


class Failure(NamedTuple):
    """The answer to a failed ask: ``code``, a fixed ``message`` and whether to retry."""

    code: ErrorCode
    message: str
    retryable: bool = False


def describe_failure(error: ActorError) -> Failure:
    """The row of the module's table for ``error``."""
    match error:
        case AskTimeout():
            return Failure(ErrorCode.TIMEOUT, "no answer in time; retry")
        case ActorCrashed():
            return Failure(
                ErrorCode.INTERNAL, "the command failed; it may or may not have taken effect"
            )
        case DependencyUnavailable(outcome_unknown=True):
            return Failure(
                ErrorCode.UNAVAILABLE,
                "a storage service is unavailable; the outcome is unknown: retry with the "
                "same nonce",
                retryable=True,
            )
        case DependencyUnavailable():
            return Failure(
                ErrorCode.UNAVAILABLE, "a storage service is unavailable; retry", retryable=True
            )
        case MailboxFull():
            return Failure(ErrorCode.UNAVAILABLE, "too busy right now; retry", retryable=True)
        case UnknownActorKind():
            return Failure(ErrorCode.UNAVAILABLE, "this node does not serve that", retryable=True)
        case DeliveryError():
            return Failure(ErrorCode.UNAVAILABLE, "not available right now; retry", retryable=True)
        case AskCycle() | MessageRejected():
            return Failure(ErrorCode.INTERNAL, "the request could not be served")
        case _:
            return Failure(ErrorCode.INTERNAL, "internal server error")
