"""Who a support ticket's events notify, and telling them (kind ``ticket``).

* A ticket opened, or a reply by its opener: every admin (at most :data:`MAX_ALERTED`,
  by id), the opener excepted when they are an admin themselves.
* A reply by an admin, or the ticket closed: its opener, unless the opener acted.

Notifications go to each user's feed actor (``user:<id>``: stored, then published
live) with ``tell``: best effort, the ticket is stored whatever happens to them.
"""

from __future__ import annotations

from collections.abc import Iterable

from actors.users.notification_feed import NOTIFICATION_FEED, Notify
from http_facade.node_access import registry, store, tell_actor
from protocol.enums import NotificationKind
from storage.records.support import Ticket

MAX_ALERTED = 50
"""Admins alerted per event at most."""
SNIPPET = 200


def _notice(ticket: Ticket, title: str, body: str, actor_id: str) -> Notify:
    return Notify(
        kind=NotificationKind.TICKET,
        title=title,
        body=body[:SNIPPET],
        actor_id=actor_id,
        object_id=ticket.id,
        link=f"/support/tickets/{ticket.id}",
    )


async def tell_users(user_ids: Iterable[str], notice: Notify) -> None:
    """Tell each of ``user_ids`` (once each) ``notice`` through their feed actors."""
    nodes = registry()
    for user_id in dict.fromkeys(user_ids):
        await tell_actor(nodes, NOTIFICATION_FEED, user_id, notice)


async def notify_staff(ticket: Ticket, title: str, body: str, actor_id: str) -> None:
    """Tell the admins (not ``actor_id``) about ``ticket``."""
    admins = await store().support.admin_ids(limit=MAX_ALERTED)
    await tell_users(
        (admin for admin in admins if admin != actor_id), _notice(ticket, title, body, actor_id)
    )


async def notify_opener(ticket: Ticket, title: str, body: str, actor_id: str) -> None:
    """Tell the ticket's opener (unless they acted) about ``ticket``."""
    if ticket.user_id != actor_id:
        await tell_users([ticket.user_id], _notice(ticket, title, body, actor_id))
