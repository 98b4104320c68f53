"""Outgoing webhooks, their queued deliveries and their delivery log (docs/WEBHOOKS.md)."""

from __future__ import annotations

from typing import Literal

import msgspec

WebhookScope = Literal["chat_room", "topic"]
AttemptOutcome = Literal["delivered", "failed", "refused"]


class Webhook(msgspec.Struct, frozen=True, kw_only=True):
    """A URL subscribed to event kinds of one chat room or topic.

    ``secret`` is the signing secret *sealed* with the node's key
    (:class:`services.webhook_signing.SecretBox`), never the secret itself.  ``retry_at``
    is when the webhook's actor wants to try its queue again (None: the queue is empty);
    the node's scheduler wakes actors whose ``retry_at`` has passed, which is how queued
    deliveries survive a restart.
    """

    id: str
    owner_id: str
    scope: WebhookScope
    scope_id: str
    url: str
    events: tuple[str, ...]
    secret: str
    active: bool = True
    disabled_reason: str = ""
    consecutive_failures: int = 0
    dropped: int = 0
    retry_at: float | None = None
    created_at: float
    updated_at: float

    @property
    def channel(self) -> str:
        """The channel whose events it receives, e.g. ``chat_room:<id>``."""
        return f"{self.scope}:{self.scope_id}"


class QueuedDelivery(msgspec.Struct, frozen=True, kw_only=True):
    """One event waiting to be delivered to a webhook.

    ``id`` orders the queue (ids grow); ``delivery_id`` is the id the receiver sees and
    de-duplicates on, unique per webhook: enqueuing it again is a no-op.
    """

    id: str
    webhook_id: str
    delivery_id: str
    event: str
    body: str
    attempts: int = 0
    created_at: float


class DeliveryAttempt(msgspec.Struct, frozen=True, kw_only=True):
    """One attempt in a webhook's delivery log; ``response_excerpt`` is at most
    :data:`EXCERPT_CHARS` characters of what the receiver answered."""

    id: str
    webhook_id: str
    delivery_id: str
    event: str
    attempt: int
    outcome: AttemptOutcome
    status_code: int | None = None
    latency_ms: int = 0
    error: str = ""
    response_excerpt: str = ""
    at: float


EXCERPT_CHARS = 256
"""The longest receiver response kept in the log."""
