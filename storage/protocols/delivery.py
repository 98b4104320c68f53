"""Storage of offline delivery: push subscriptions, preferences, the digest queue."""

from __future__ import annotations

from typing import Protocol

from storage.records.delivery import (
    DeliveryMode,
    DeliveryPreferences,
    DigestItem,
    PushSubscription,
)


class DeliveryStore(Protocol):
    """Push subscriptions (at most ``limit`` per user, one owner per endpoint), each
    user's preferences (defaults when never set) and a bounded digest queue per user."""

    async def add_subscription(
        self, *, user_id: str, endpoint: str, p256dh: str, auth: str, limit: int
    ) -> PushSubscription:
        """Store the subscription.  The same endpoint of the same user is replaced (new
        keys, same id); one of another user is taken over (a shared browser).
        ``Conflict("push_subscriptions")`` when the user already has ``limit``."""
        ...

    async def subscriptions(
        self, user_id: str, *, after: str | None = None, limit: int = 100
    ) -> list[PushSubscription]:
        """The user's subscriptions by id, those after ``after``."""
        ...

    async def remove_subscription(self, user_id: str, subscription_id: str) -> bool:
        """Remove one of the user's subscriptions; False when it was not theirs or absent."""
        ...

    async def remove_endpoint(self, endpoint: str) -> None:
        """Remove the subscription of ``endpoint`` (the push service says it is gone)."""
        ...

    async def preferences(self, user_id: str) -> DeliveryPreferences:
        """The user's preferences; the defaults when never set."""
        ...

    async def set_mode(self, user_id: str, mode: DeliveryMode) -> DeliveryPreferences:
        """Set the delivery mode; a mode without email drops the queued digest."""
        ...

    async def queue_digest(
        self, *, user_id: str, kind: str, title: str, body: str, link: str | None,
        interval: float, limit: int,
    ) -> bool:
        """Queue one item for the user's digest (False when ``limit`` are queued: counted
        as overflow).  The digest becomes due at the later of now and the last digest
        plus ``interval``, so at most one mail goes out per interval."""
        ...

    async def due_digests(self, now: float, limit: int) -> list[str]:
        """Users whose digest is due at ``now``, soonest first."""
        ...

    async def claim_digest(self, user_id: str, now: float, lease: float) -> bool:
        """Take the user's due digest for mailing: True (and due again at ``now + lease``,
        should the mailer fail) only for the one caller that finds it due at ``now``."""
        ...

    async def digest_items(self, user_id: str, limit: int) -> list[DigestItem]:
        """The user's queued items, oldest first."""
        ...

    async def digest_sent(
        self, user_id: str, item_ids: list[str], *, at: float, interval: float
    ) -> None:
        """Drop the mailed items, reset the overflow and record ``at`` as the last digest;
        the digest is due again at ``at + interval`` if items remain, else not at all."""
        ...

    async def erase_user(self, user_id: str) -> None:
        """Forget the user's subscriptions, preferences and queued digest (account erasure)."""
        ...
