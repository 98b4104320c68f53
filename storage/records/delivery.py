"""Offline delivery: Web Push subscriptions, delivery preferences and queued digest items
(docs/NOTIFICATIONS.md)."""

from __future__ import annotations

from typing import Literal

import msgspec

DeliveryMode = Literal["push", "email", "both", "none"]
"""How mentions and DMs reach a user who has no open connection."""

DEFAULT_MODE: DeliveryMode = "push"


class PushSubscription(msgspec.Struct, frozen=True, kw_only=True):
    """A browser's Web Push subscription (RFC 8030 endpoint, RFC 8291 keys, base64url)."""

    id: str
    user_id: str
    endpoint: str
    p256dh: str
    auth: str
    created_at: float


class DeliveryPreferences(msgspec.Struct, frozen=True, kw_only=True):
    """A user's offline-delivery choice and digest bookkeeping.

    ``digest_due_at``: when the queued digest may be mailed (None: nothing queued);
    ``last_digest_at``: when the last one was; ``overflow``: items not queued because the
    queue was full, told as "and N more" in the next digest.
    """

    user_id: str
    mode: DeliveryMode = DEFAULT_MODE
    last_digest_at: float | None = None
    digest_due_at: float | None = None
    overflow: int = 0
    updated_at: float = 0.0


class DigestItem(msgspec.Struct, frozen=True, kw_only=True):
    """One missed notification waiting for the user's next digest mail."""

    id: str
    user_id: str
    kind: str
    title: str
    body: str = ""
    link: str | None = None
    created_at: float
