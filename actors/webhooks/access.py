"""Who may do what with webhooks: pure rules used by the actor and the REST handlers."""

from __future__ import annotations

from protocol.errors import ErrorCode
from services.errors import DomainError
from storage.records.webhooks import Webhook


def may_subscribe(scope_owner_id: str, user_id: str, *, is_admin: bool) -> bool:
    """Whether ``user_id`` may add a webhook to a room or topic owned by
    ``scope_owner_id``: its owner, or an admin."""
    return is_admin or scope_owner_id == user_id


def may_manage(webhook: Webhook, user_id: str, *, is_admin: bool) -> bool:
    """Whether ``user_id`` may see and change ``webhook``: who created it, or an admin."""
    return is_admin or webhook.owner_id == user_id


def require_manager(webhook: Webhook | None, user_id: str, *, is_admin: bool) -> Webhook:
    """``webhook`` when ``user_id`` may manage it; ``not_found`` otherwise (others'
    webhooks are not revealed)."""
    if webhook is None or not may_manage(webhook, user_id, is_admin=is_admin):
        raise DomainError(ErrorCode.NOT_FOUND, "no such webhook")
    return webhook
