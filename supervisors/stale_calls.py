"""Stale calls: calls the log still shows open long after they started.

A live call's actor ends it itself (ring deadline, lost participants), so a call open in
the log for hours is one whose actor was lost (a crashed or stopped node).  The
retention job never ends such a call behind the actor's back: it asks the call's actor
(:func:`call_actor_closer`), which on activation finds the call unfinished but unknown,
ends it as ``failed`` in the log and publishes the end, and answers whether it is live.
A call that is really live is left alone.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from actors.calls.commands import CALL, IsLive
from actors.runtime.errors import ActorCrashed, AskTimeout, DeliveryError
from storage.protocols import Store
from storage.records import Call
from supervisors.registry import Registry

logger = logging.getLogger(__name__)

StaleCallCloser = Callable[[Call], Awaitable[bool]]
"""Ends a stale call if it is not live; True when it was ended."""


def call_actor_closer(registry: Registry) -> StaleCallCloser:
    """Close stale calls through their actors on ``registry`` (see the module)."""

    async def close(call: Call) -> bool:
        live: bool = await registry.ref(CALL, call.id).ask(IsLive())
        return not live

    return close


async def expire_stale_calls(
    store: Store, close: StaleCallCloser, *, started_before: float, limit: int
) -> int:
    """Ask ``close`` about up to ``limit`` calls open since before ``started_before``;
    returns how many were ended.  An actor that fails to answer is retried next sweep."""
    ended = 0
    for call in await store.calls.list_unfinished(started_before=started_before, limit=limit):
        try:
            ended += await close(call)
        except (AskTimeout, ActorCrashed, DeliveryError) as error:
            logger.warning("stale call %s was not closed: %r", call.id, error)
    return ended
