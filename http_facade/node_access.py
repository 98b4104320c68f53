"""What every blueprint that reaches the node's actors shares: store, asks, path ids.

Contract:

* Every REST handler that talks to an actor does so through :func:`ask_actor` (or a
  helper built on it, e.g. :func:`http_facade.routes.community.ask_topic`); no handler
  calls ``ActorRef.ask`` or ``tell`` itself.  A domain refusal
  (:class:`~services.errors.DomainError`) passes unchanged; every other failure of the
  runtime becomes an :class:`~http_facade.errors.ActorFailure` by the one mapping,
  :func:`http_facade.errors.actor_failure` (its docstring has the table: no answer in
  time 504 ``timeout``, a crashed handler 500 ``internal``, not delivered 503
  ``unavailable``…), and is logged with its details, which the client never sees.
* Ids in paths that cannot be ids are 404 ``not_found`` before anything is looked up.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from actors.runtime.errors import ActorError
from http_facade.context import current_context
from http_facade.errors import ApiError, actor_failure
from protocol.errors import ErrorCode
from protocol.fields import IDENTIFIER_PATTERN
from protocol.limits import MAX_ID_LENGTH
from services.errors import DomainError
from storage.protocols import Store
from supervisors.registry import Registry

_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
logger = logging.getLogger(__name__)


def store() -> Store:
    """The node's store (503 ``unavailable`` on a bare app)."""
    found = current_context().store
    if found is None:
        raise ApiError(ErrorCode.UNAVAILABLE, "this node does not serve that")
    return found


def registry() -> Registry:
    """The node's actor registry (503 ``unavailable`` on a bare app)."""
    found = current_context().registry
    if found is None:
        raise ApiError(ErrorCode.UNAVAILABLE, "this node does not serve that")
    return found


def checked_id(value: str, kind: str) -> str:
    """``value`` when it can be an id; 404 ``not_found`` naming ``kind`` otherwise."""
    if len(value) > MAX_ID_LENGTH or _IDENTIFIER.search(value) is None:
        raise ApiError(ErrorCode.NOT_FOUND, f"no such {kind}")
    return value


async def ask_actor(kind: str, actor_id: str, message: object) -> Any:
    """Ask actor ``kind/actor_id`` and return its reply (see the module docstring).

    Raises the actor's :class:`~services.errors.DomainError` unchanged, and an
    :class:`~http_facade.errors.ActorFailure` for any other
    :class:`~actors.runtime.errors.ActorError` (unknown kind included); 503
    ``unavailable`` on a bare app without a registry.
    """
    found = registry()
    try:
        return await found.ref(kind, actor_id).ask(message)
    except DomainError:
        raise
    except ActorError as error:
        logger.warning(
            "ask %s of %s/%s failed: %r", type(message).__name__, kind, actor_id, error
        )
        raise actor_failure(error) from None


async def tell_actor(registry: Registry, kind: str, actor_id: str, message: object) -> bool:
    """Tell ``message`` to actor ``kind/actor_id`` from work that outlives a request
    (background jobs of the app); a message that cannot be delivered is logged, never
    raised.  Whether it was enqueued."""
    try:
        await registry.ref(kind, actor_id).tell(message)
    except ActorError as error:
        logger.warning(
            "tell %s to %s/%s failed: %r", type(message).__name__, kind, actor_id, error
        )
        return False
    return True
