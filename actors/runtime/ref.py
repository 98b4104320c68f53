"""Addresses, the delivery seam (``Router``) and the caller-facing ``ActorRef``.

A ref names an actor; it never holds it. Every operation is delegated to a
:class:`Router`, whose local implementation is the node's registry
(:class:`supervisors.registry.Registry`). A cluster mode can substitute a router that
looks the address up in a directory and forwards to another node; callers and actors
keep using the same refs.
"""

from __future__ import annotations

from typing import Any, Protocol

import msgspec


class Address(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """The identity of a virtual actor: its kind and its id within the kind.

    Only strings inside, so it is kept out of the cyclic garbage collector.
    """

    kind: str
    id: str

    def __str__(self) -> str:
        return f"{self.kind}/{self.id}"


class Router(Protocol):
    """Delivers messages to addresses; the seam between refs and where actors live.

    Contracts (the registry's, and any router's):

    * ``send`` waits for mailbox room (backpressure), then returns once the message is
      enqueued; messages from one task to one address are handled in send order.
    * ``send_nowait`` enqueues or raises ``MailboxFull``; it never waits.
    * ``request`` enqueues and waits for the reply within ``timeout`` seconds (``None``:
      the kind's default). Errors are those of :mod:`actors.runtime.errors`.
    * Unknown kinds raise ``UnknownActorKind``; a closed router raises ``ActorStopped``.
    """

    async def send(self, address: Address, message: object) -> None:
        """Enqueue ``message``, waiting for room in the mailbox."""

    def send_nowait(self, address: Address, message: object) -> None:
        """Enqueue ``message`` now or raise ``MailboxFull``."""

    async def request(
        self, address: Address, message: object, timeout: float | None  # noqa: ASYNC109
    ) -> Any:
        """Enqueue ``message`` and return the actor's reply."""


class ActorRef:
    """A cheap, hashable handle on a virtual actor: ``(router, kind, id)``.

    Holding a ref does not keep the actor activated: the actor passivates when idle
    and is activated again by the next message sent through any ref to its address.
    Two refs are equal when they name the same address through the same router.
    """

    __slots__ = ("_router", "address")

    def __init__(self, router: Router, address: Address) -> None:
        self._router = router
        self.address = address

    @property
    def kind(self) -> str:
        """The actor kind, e.g. ``"user"``."""
        return self.address.kind

    @property
    def id(self) -> str:
        """The actor's id within its kind."""
        return self.address.id

    async def tell(self, message: object) -> None:
        """Send ``message`` without waiting for it to be handled.

        Waits while the mailbox is full. Raises ``ActorStopped`` if the router is closed.
        """
        await self._router.send(self.address, message)

    def tell_nowait(self, message: object) -> None:
        """Send ``message`` now, or raise ``MailboxFull`` if the mailbox is at capacity."""
        self._router.send_nowait(self.address, message)

    async def ask(
        self, message: object, *, timeout: float | None = None  # noqa: ASYNC109
    ) -> Any:
        """Send ``message`` and return the value the actor's handler returns.

        ``timeout`` bounds enqueueing and handling together (``None``: the kind's
        ``ask_timeout``). Raises ``AskTimeout``, ``ActorCrashed``, ``AskCycle``,
        ``ActorStopped``, or the handler's ``MessageRejected`` unchanged. If the caller
        is cancelled after the message was enqueued, the actor still handles it and the
        reply is dropped.

        The deadline is a parameter rather than the caller's cancel scope so that it
        travels with the request (a remote router forwards it) and ends as ``AskTimeout``.
        """
        return await self._router.request(self.address, message, timeout)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ActorRef):
            return NotImplemented
        return self.address == other.address and self._router is other._router

    def __hash__(self) -> int:
        return hash(self.address)

    def __repr__(self) -> str:
        return f"ActorRef({self.address})"
