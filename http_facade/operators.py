"""Who may operate the node: the holder of the ops token, or an admin.

:func:`require_operator_id` admits a request whose bearer token is
``TOPICSFLOW_OPS_TOKEN`` (compared in constant time; never when the setting is unset) or
that carries an admin's session, and names the operator for the audit log: the admin's
user id, or :data:`OPS_TOKEN_ACTOR` for the ops token.  Anyone else gets 401
``unauthorized`` (no valid credentials) or 403 ``forbidden`` (a user who is not an admin).
:func:`operator_required` does the same for a whole route, before anything else runs,
passes the name as the ``operator_id`` keyword and documents the route as secured.
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from quart_schema import security_scheme

from http_facade.context import current_context
from http_facade.errors import ApiError
from http_facade.guard import SECURITY_REQUIREMENTS, current_caller, presented_token
from protocol.errors import ErrorCode

OPS_TOKEN_ACTOR = "ops-token"  # noqa: S105 - a name in the audit log, not a secret
"""The audit log's ``actor_id`` for actions taken with the ops token."""
Handler = TypeVar("Handler", bound=Callable[..., Awaitable[Any]])


def presents_ops_token() -> bool:
    """Whether the request's bearer token is the node's ops token."""
    presented = presented_token()
    ops_token = current_context().settings.ops_token
    if presented is None or ops_token is None:
        return False
    token, _ = presented
    return hmac.compare_digest(token.encode(), ops_token.encode())


async def require_operator_id() -> str:
    """The operator's audit name; 401 or 403 for others (see the module docstring)."""
    if presents_ops_token():
        return OPS_TOKEN_ACTOR
    caller = await current_caller()
    if caller is None:
        raise ApiError(ErrorCode.UNAUTHORIZED, "operator credentials required")
    if not caller.principal.is_admin:
        raise ApiError(ErrorCode.FORBIDDEN, "operators and admins only")
    return caller.principal.user_id


def operator_required(handler: Handler) -> Handler:
    """Admit operators only (see the module docstring); the handler gets ``operator_id=``."""

    @functools.wraps(handler)
    async def guarded(*args: Any, **kwargs: Any) -> Any:
        return await handler(*args, operator_id=await require_operator_id(), **kwargs)

    return security_scheme(SECURITY_REQUIREMENTS)(guarded)  # type: ignore[return-value]
