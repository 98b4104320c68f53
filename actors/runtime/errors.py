"""Errors raised by the actor runtime and its supervisors.

Every error carries plain data (addresses, type names, messages), never the failed
actor or its traceback, so that a later cluster mode can carry it across nodes.

The hierarchy::

    ActorError                     base of everything the runtime raises
    ├── DeliveryError              the message was not accepted, or will never be handled
    │   ├── UnknownActorKind       no actor kind of that name is registered (a LookupError)
    │   ├── MailboxFull            tell_nowait: the mailbox is at capacity (backpressure)
    │   └── ActorStopped           the registry is closed; or the activation was discarded
    │       │                      (temporary kind crashed, restarts gave up, hard shutdown)
    │       │                      while the message was queued or being handled
    │       └── NotOwner           cluster mode: this node does not (or no longer) own the
    │                              address; the router looks the owner up again and retries
    ├── AskError                   an ask that ends without a reply value
    │   ├── AskTimeout             no reply within the deadline (a TimeoutError); the
    │   │                          message may still be handled later, its reply is dropped
    │   ├── ActorCrashed           the handler raised: this ask fails, the actor restarts
    │   │                          from its persisted state, queued messages survive
    │   ├── DependencyUnavailable  the turn met an unavailable store or Redis: this ask
    │   │                          fails, the actor keeps running (an outage is not a bug)
    │   └── AskCycle               raised *before sending*: the target is already waiting,
    │                              directly or through other asks, on the asking actor
    ├── MessageRejected            raised by a handler to refuse a message: it reaches the
    │   │                          asker unchanged and the actor is *not* restarted
    │   └── UnhandledMessage       the actor has no case for this message type
    └── RestartIntensityExceeded   a supervisor saw more restarts than its intensity allows
                                   within the period; it stops its children and raises this
                                   to its parent (escalation)

Which one to catch: callers of ``ask`` usually handle ``AskError`` (no answer) and
``DeliveryError`` (not delivered) separately; domain code defines its refusals as
subclasses of ``MessageRejected``.
"""

from __future__ import annotations

from actors.runtime.ref import Address


class ActorError(Exception):
    """Base class of every error raised by the actor runtime."""


class DeliveryError(ActorError):
    """The message was not accepted by a mailbox, or will never be handled."""


class UnknownActorKind(DeliveryError, LookupError):
    """No actor kind of this name is registered with the router."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"no actor kind named {kind!r} is registered")
        self.kind = kind


class MailboxFull(DeliveryError):
    """``tell_nowait`` found the mailbox at capacity; nothing was enqueued."""

    def __init__(self, address: Address, capacity: int) -> None:
        super().__init__(f"mailbox of {address} is full ({capacity} messages)")
        self.address = address
        self.capacity = capacity


class ActorStopped(DeliveryError):
    """The actor cannot take or finish this message: the registry is closed or the
    activation was discarded while the message was queued or being handled."""

    def __init__(self, address: Address, reason: str) -> None:
        super().__init__(f"{address} is stopped: {reason}")
        self.address = address
        self.reason = reason


class NotOwner(ActorStopped):
    """Cluster mode: the node asked does not own the address (any more).

    The message was not handled; a router that sees this looks the owner up again.
    """


class AskError(ActorError):
    """An ask ended without a reply value."""


class AskTimeout(AskError, TimeoutError):
    """No reply arrived within the ask's deadline (enqueueing and handling included)."""

    def __init__(self, address: Address, timeout: float) -> None:
        super().__init__(f"no reply from {address} within {timeout:g} s")
        self.address = address
        self.timeout = timeout


class ActorCrashed(AskError):
    """The handler raised while handling this ask; the actor was restarted.

    ``error_type`` and ``error_message`` describe the original exception, which stays
    with the actor's supervisor (logged, recorded in ``statistics()``).
    """

    def __init__(
        self, address: Address, message_type: str, error_type: str, error_message: str
    ) -> None:
        super().__init__(
            f"{address} crashed handling {message_type}: {error_type}: {error_message}"
        )
        self.address = address
        self.message_type = message_type
        self.error_type = error_type
        self.error_message = error_message


class DependencyUnavailable(AskError):
    """The turn handling this ask needed a storage service that did not answer (its
    ``StorageUnavailable``); the actor was *not* restarted.

    ``outcome_unknown``: the failed call may have been a write that was applied all the
    same, so a retry must be recognisable (the same nonce or idempotency key).
    """

    def __init__(
        self, address: Address, message_type: str, detail: str, *, outcome_unknown: bool,
        retry_after: float,
    ) -> None:
        super().__init__(f"{address} could not handle {message_type}: {detail}")
        self.address = address
        self.message_type = message_type
        self.detail = detail
        self.outcome_unknown = outcome_unknown
        self.retry_after = retry_after


class AskCycle(AskError):
    """The ask would wait on an actor that is itself waiting on the asker.

    Raised before anything is sent. ``chain`` lists the waiting actors, oldest first,
    ending with the target that closes the cycle.
    """

    def __init__(self, chain: tuple[Address, ...]) -> None:
        path = " -> ".join(str(address) for address in chain)
        super().__init__(f"ask cycle would deadlock: {path}")
        self.chain = chain


class MessageRejected(ActorError):
    """Raised by a handler to refuse a message without crashing the actor.

    The exception reaches the asker unchanged (a rejected ``tell`` is logged). Domain
    errors subclass it; keep their attributes plain data.
    """


class UnhandledMessage(MessageRejected, TypeError):
    """The actor has no case for this message type."""

    def __init__(self, address: Address, message: object) -> None:
        super().__init__(f"{address} does not handle {type(message).__name__}")
        self.address = address
        self.message_type = type(message).__name__


class RestartIntensityExceeded(ActorError):
    """A supervisor exceeded its restart intensity and escalates to its parent.

    The supervisor has stopped its children before raising. The last child failure, if
    any, is chained as ``__cause__``.
    """

    def __init__(self, supervisor: str, child: str, max_restarts: int, period: float) -> None:
        super().__init__(
            f"supervisor {supervisor!r} gave up: child {child!r} needed more than "
            f"{max_restarts} restarts within {period:g} s"
        )
        self.supervisor = supervisor
        self.child = child
        self.max_restarts = max_restarts
        self.period = period
