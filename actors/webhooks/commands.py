"""The messages a ``webhook`` actor accepts (see :mod:`actors.webhooks.webhook`).

Management commands name the acting user; the actor checks that they own the webhook
(or are an admin) and refuses otherwise with ``not_found``, as if it did not exist.
"""

from __future__ import annotations

import msgspec

WEBHOOK = "webhook"
"""The actor kind name; the actor id is the webhook id."""


class Enqueue(msgspec.Struct, frozen=True, kw_only=True):
    """Persist one delivery at the tail of the webhook's queue (a no-op for a
    ``delivery_id`` already queued, dropped and counted when the queue is full)."""

    delivery_id: str
    event: str
    body: str


class Deliver(msgspec.Struct, frozen=True, kw_only=True):
    """Try the head of the queue now if it is due (sent by the actor to itself and by the
    node's scheduler)."""


class Announce(msgspec.Struct, frozen=True, kw_only=True):
    """Reload the webhook from the store and tell this node's tap about it (after the
    route created it)."""


class UpdateWebhook(msgspec.Struct, frozen=True, kw_only=True):
    """Change the URL, the event kinds or whether the webhook is active (None: keep).
    Setting ``active`` re-enables like :class:`EnableWebhook`."""

    user_id: str
    is_admin: bool = False
    url: str | None = None
    events: tuple[str, ...] | None = None
    active: bool | None = None


class EnableWebhook(msgspec.Struct, frozen=True, kw_only=True):
    """Re-enable a (possibly automatically) disabled webhook: its failure count restarts
    at zero and its queue is tried at once."""

    user_id: str
    is_admin: bool = False


class DeleteWebhook(msgspec.Struct, frozen=True, kw_only=True):
    """Delete the webhook with its queue and its log."""

    user_id: str
    is_admin: bool = False


class PingWebhook(msgspec.Struct, frozen=True, kw_only=True):
    """Queue a ``ping`` delivery; replies its delivery id (``str``)."""

    user_id: str
    is_admin: bool = False
