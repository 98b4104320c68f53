"""What every blueprint that reaches the node's actors shares: store, asks, path ids.

:func:`ask_actor` turns the runtime's failures into the error shape (no reply in time
is 504 ``timeout``, a crashed handler 500 ``internal`` — the command may or may not have
taken effect — an undeliverable message 503 ``unavailable``); domain refusals pass
unchanged.  Ids in paths that cannot be ids are 404 ``not_found`` before anything is
looked up.
"""

from __future__ import annotations

import re
from typing import Any

from actors.runtime.errors import ActorCrashed, AskTimeout, DeliveryError
from http_facade.context import current_context
from http_facade.errors import ApiError
from protocol.errors import ErrorCode
from protocol.fields import IDENTIFIER_PATTERN
from protocol.limits import MAX_ID_LENGTH
from storage.protocols import Store
from supervisors.registry import Registry

_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)


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
    """Ask actor ``kind/actor_id``; see the module docstring for the error mapping."""
    try:
        return await registry().ref(kind, actor_id).ask(message)
    except AskTimeout:
        raise ApiError(ErrorCode.TIMEOUT, "no answer in time; retry") from None
    except ActorCrashed:
        raise ApiError(
            ErrorCode.INTERNAL, "the command failed; it may or may not have taken effect"
        ) from None
    except DeliveryError:
        raise ApiError(ErrorCode.UNAVAILABLE, "not available right now; retry") from None
