"""Request and response bodies of offline delivery's routes: times in integer
milliseconds, each object's own id as ``id``, lists paged with ``cursor`` / ``next_cursor``."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from protocol.fields import TimestampMs, milliseconds
from services.webhook_targets import MAX_URL_LENGTH
from storage.records.delivery import DeliveryMode, DeliveryPreferences, PushSubscription

Base64Url = Annotated[
    str, Meta(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_-]+={0,2}$")
]


class SubscriptionKeys(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The subscription's keys as the browser's ``PushSubscription.toJSON()`` gives them:
    ``p256dh`` the P-256 public key (65 bytes), ``auth`` the 16-byte secret, base64url."""

    p256dh: Base64Url
    auth: Base64Url


class SubscriptionCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A browser's push subscription, as ``PushSubscription.toJSON()`` gives it
    (``expirationTime`` is accepted and ignored)."""

    endpoint: Annotated[
        str,
        Meta(
            min_length=12, max_length=MAX_URL_LENGTH,
            description="The push service's https URL for this browser.",
        ),
    ]
    keys: SubscriptionKeys
    expirationTime: Annotated[int, Meta(ge=0, le=2**53 - 1)] | None = None


class SubscriptionView(msgspec.Struct, frozen=True, kw_only=True):
    """A registered subscription (its secret ``auth`` is not returned)."""

    id: str
    endpoint: str
    p256dh: str
    created_at: TimestampMs

    @classmethod
    def of(cls, subscription: PushSubscription) -> SubscriptionView:
        return cls(
            id=subscription.id, endpoint=subscription.endpoint, p256dh=subscription.p256dh,
            created_at=milliseconds(subscription.created_at),
        )


class SubscriptionPage(msgspec.Struct, frozen=True, kw_only=True):
    """My push subscriptions, oldest first."""

    subscriptions: list[SubscriptionView]
    next_cursor: str | None


class VapidKey(msgspec.Struct, frozen=True, kw_only=True):
    """The ``applicationServerKey`` for ``pushManager.subscribe`` (base64url, 65 bytes)."""

    public_key: str


class OfflineDeliveryView(msgspec.Struct, frozen=True, kw_only=True):
    """How mentions and DMs reach me while I have no open connection: ``push`` (to my push
    subscriptions), ``email`` (a digest at most every ``digest_seconds``), ``both`` or
    ``none``.  ``push_available``: whether this server sends Web Push."""

    mode: DeliveryMode
    digest_seconds: float
    push_available: bool
    last_digest_at: TimestampMs | None

    @classmethod
    def of(
        cls, preferences: DeliveryPreferences, *, digest_seconds: float, push_available: bool
    ) -> OfflineDeliveryView:
        last = preferences.last_digest_at
        return cls(
            mode=preferences.mode, digest_seconds=digest_seconds,
            push_available=push_available,
            last_digest_at=None if last is None else milliseconds(last),
        )


class OfflineDeliveryUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The offline delivery mode to use."""

    mode: DeliveryMode


class UnsubscribeQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The token of a digest's unsubscribe link."""

    token: Annotated[str, Meta(min_length=3, max_length=200)]


class Unsubscribed(msgspec.Struct, frozen=True, kw_only=True):
    """The email digest is off for the link's user; ``mode`` is what remains."""

    mode: DeliveryMode

