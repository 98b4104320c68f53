"""Outgoing webhook settings (``TOPICSFLOW_WEBHOOKS_*``): limits, retries, target policy.

Read by :func:`topicsflow.settings.load_settings` into :attr:`Settings.webhooks`; the node
hands them to the webhook actors and the routes.  See docs/WEBHOOKS.md.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True, slots=True)
class WebhookSettings:
    """How webhooks deliver and what they may target."""

    allow_private: bool = False
    """``TOPICSFLOW_WEBHOOKS_ALLOW_PRIVATE``: allow loopback, private, link-local and other
    non-public targets (tests and closed networks only)."""
    timeout_seconds: float = 10.0
    """``TOPICSFLOW_WEBHOOKS_TIMEOUT_SECONDS``: the whole of one delivery attempt."""
    retry_base_seconds: float = 5.0
    """``TOPICSFLOW_WEBHOOKS_RETRY_BASE_SECONDS``: the first retry's delay; it doubles
    per attempt (with jitter) up to ``retry_max_seconds``."""
    retry_max_seconds: float = 3600.0
    """``TOPICSFLOW_WEBHOOKS_RETRY_MAX_SECONDS``: the longest delay between two attempts."""
    disable_after: int = 20
    """``TOPICSFLOW_WEBHOOKS_DISABLE_AFTER``: consecutive failed attempts that disable a
    webhook (its queue is kept until it is re-enabled or deleted)."""
    max_per_owner: int = 25
    """Webhooks one user may own."""
    queue_limit: int = 1000
    """Deliveries queued per webhook; events beyond it are dropped and counted."""
    log_limit: int = 500
    """Delivery-log entries kept per webhook (the oldest go first)."""
    poll_seconds: float = 1.0
    """How often the node looks for webhooks whose retry is due (and reloads which
    channels have webhooks, for those changed on other nodes)."""
