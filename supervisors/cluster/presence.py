"""Presence in cluster mode: sessions renew their connections, a sweeper prunes the rest.

A user actor may move between nodes (failover, or passivation then activation
elsewhere), and a node may die with connections in another node's book.  So every
session re-reports its presence every :data:`RENEW_SECONDS`, the node's book forgets
connections not renewed within :data:`TTL_SECONDS`, and :func:`sweep_presence` makes the
user actor announce the change (``offline`` once the last connection is gone).
"""

from __future__ import annotations

import logging

import trio

from actors.realtime.presence import PresenceBook
from actors.runtime.errors import ActorError
from actors.runtime.ref import Address
from actors.users.commands import USER, PrunePresence
from supervisors.registry import Registry

logger = logging.getLogger(__name__)

RENEW_SECONDS = 20.0
TTL_SECONDS = 3 * RENEW_SECONDS


async def sweep_presence(
    book: PresenceBook, registry: Registry,
    *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Every half ttl, prune lapsed connections and have their users re-announced."""
    task_status.started()
    while True:
        await trio.sleep((book.ttl or TTL_SECONDS) / 2)
        for user_id in book.prune_expired():
            if not registry.is_active(Address(USER, user_id)):
                book.discard_if_empty(user_id)  # the user's actor and book live elsewhere
                continue
            try:
                registry.ref(USER, user_id).tell_nowait(PrunePresence())
            except ActorError as error:
                logger.info("presence of %s not re-announced: %s", user_id, error)
