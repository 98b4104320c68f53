"""Storage of outgoing webhooks, their delivery queue and their delivery log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from storage.records.webhooks import DeliveryAttempt, QueuedDelivery, Webhook, WebhookScope


class WebhookStore(Protocol):
    """Webhooks (one writer each: its actor, after the route created it), the bounded queue
    of deliveries per webhook, and the bounded delivery log."""

    async def create(
        self,
        *,
        owner_id: str,
        scope: WebhookScope,
        scope_id: str,
        url: str,
        events: tuple[str, ...],
        seal: Callable[[str], str],
        limit: int,
    ) -> Webhook:
        """A new active webhook; ``Conflict("webhooks")`` when ``owner_id`` already owns
        ``limit`` of them.  ``seal(id)`` gives the sealed secret stored for the new id."""
        ...

    async def get(self, webhook_id: str) -> Webhook:
        """The webhook (``NotFound``)."""
        ...

    async def save(self, webhook: Webhook) -> Webhook:
        """Replace the stored webhook by ``webhook`` (``NotFound`` when deleted)."""
        ...

    async def delete(self, webhook_id: str) -> None:
        """Remove the webhook with its queue and its log (no error when absent)."""
        ...

    async def list_for_owner(
        self, owner_id: str, *, after: str | None, limit: int
    ) -> list[Webhook]:
        """``owner_id``'s webhooks by id, those after ``after``."""
        ...

    async def list_active(self, limit: int) -> list[Webhook]:
        """Active webhooks (at most ``limit``): which channels the node taps."""
        ...

    async def list_due(self, now: float, limit: int) -> list[str]:
        """Ids of active webhooks whose ``retry_at`` is at or before ``now``, soonest first."""
        ...

    async def enqueue(
        self,
        *,
        webhook_id: str,
        delivery_id: str,
        event: str,
        body: str,
        limit: int,
    ) -> bool:
        """Persist a delivery at the queue's tail.  True when queued or already queued
        (same ``delivery_id``); False when the queue holds ``limit`` deliveries."""
        ...

    async def head(self, webhook_id: str) -> QueuedDelivery | None:
        """The oldest queued delivery."""
        ...

    async def queued(self, webhook_id: str) -> int:
        """How many deliveries are queued."""
        ...

    async def attempted(self, queue_id: str, attempts: int) -> None:
        """Record that the queued delivery ``queue_id`` has been tried ``attempts`` times."""
        ...

    async def dequeue(self, queue_id: str) -> None:
        """Remove a delivered (or abandoned) delivery (no error when absent)."""
        ...

    async def log_attempt(self, attempt: DeliveryAttempt, *, keep: int) -> DeliveryAttempt:
        """Append to the log under a fresh, growing id (``attempt.id`` is replaced), keeping
        the webhook's newest ``keep`` entries; the stored entry."""
        ...

    async def attempts(
        self, webhook_id: str, *, before: str | None, limit: int
    ) -> list[DeliveryAttempt]:
        """The log, newest first, entries older than ``before``."""
        ...
