"""Offline delivery settings (Web Push and the email digest): ``TOPICSFLOW_VAPID_*``,
``TOPICSFLOW_PUSH_*``, ``TOPICSFLOW_DIGEST_SECONDS``.

Read by :func:`topicsflow.settings.load_settings` into :attr:`Settings.delivery`; see
docs/NOTIFICATIONS.md.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True, slots=True)
class DeliverySettings:
    """How mentions and DMs reach users who have no open connection."""

    vapid_private_key: str | None = dataclasses.field(default=None, repr=False)
    """``TOPICSFLOW_VAPID_PRIVATE_KEY``: the VAPID P-256 private key, PEM or base64url (raw
    or DER).  Absent: generated into ``<data dir>/vapid_private.pem`` in development and
    testing; Web Push is off in production."""
    vapid_subject: str | None = None
    """``TOPICSFLOW_VAPID_SUBJECT``: the ``sub`` claim (``mailto:`` or ``https:``); absent:
    ``mailto:`` and the address of ``TOPICSFLOW_EMAIL_FROM``."""
    push_allow_private: bool = False
    """``TOPICSFLOW_PUSH_ALLOW_PRIVATE``: allow push endpoints on loopback or private
    addresses (tests and closed networks only)."""
    push_timeout_seconds: float = 10.0
    """``TOPICSFLOW_PUSH_TIMEOUT_SECONDS``: one request to a push service."""
    push_attempts: int = 3
    """``TOPICSFLOW_PUSH_ATTEMPTS``: tries per push (404/410 are not retried)."""
    push_retry_base_seconds: float = 5.0
    """The first retry's delay; it doubles per attempt."""
    max_push_subscriptions: int = 10
    """Push subscriptions one user may register."""
    digest_seconds: float = 3600.0
    """``TOPICSFLOW_DIGEST_SECONDS``: at most one digest mail per user per this period."""
    digest_poll_seconds: float = 30.0
    """How often the node looks for digests that are due."""
    digest_items: int = 50
    """Items queued per user for the next digest; more are counted, not listed."""
    queue_limit: int = 1000
    """Notifications waiting for offline delivery on one node; more are dropped (logged)."""
