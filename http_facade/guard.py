"""Who is calling: the principal behind ``Authorization: Bearer`` or the session cookie.

Contract:

* :func:`current_caller` resolves the request's credentials once per request (memoised on
  ``quart.g``): the bearer token when an ``Authorization: Bearer`` header is present
  (any other ``Authorization`` scheme means no session), else the session cookie.  An
  unknown, expired or revoked token reads as anonymous.
* A personal access token (``Authorization: Bearer tfp_…``) resolves to its principal
  (:mod:`services.authentication`), and every call of :func:`current_caller` then checks
  the token's scopes against this request (:func:`http_facade.token_policy.needed_for`):
  403 ``forbidden`` when the route needs a scope the token lacks or a login session.
* Resolving slides the session's expiry at most once a minute
  (:class:`services.authentication.SessionAuthenticator`); a cookie session that slid gets
  its cookie renewed on the response.
* :func:`require_user` returns the :class:`~actors.realtime.ports.Principal` or raises 401
  ``unauthorized``.  :func:`login_required` does the same for a whole route, passes the
  principal as the ``principal`` keyword and documents the route as secured in the
  OpenAPI document; :func:`admin_required` also demands the admin flag (403 otherwise).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from quart import after_this_request, g, request
from quart.typing import ResponseTypes
from quart_schema import security_scheme

from http_facade.context import current_context
from http_facade.errors import ApiError
from http_facade.middleware.security import SESSION_COOKIE
from http_facade.session_cookie import set_session_cookie
from http_facade.token_policy import needed_for
from protocol.errors import ErrorCode
from services.authentication import SessionAuthenticator
from services.principal import Principal
from services.scopes import require_scope
from storage.keys import hash_token

SECURITY_REQUIREMENTS: list[dict[str, list[str]]] = [{"bearer": []}, {"session_cookie": []}]
_CALLER_ATTRIBUTE = "topicsflow_caller"
Handler = TypeVar("Handler", bound=Callable[..., Awaitable[Any]])


@dataclasses.dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated request: its principal and the token it presented."""

    principal: Principal
    token: str = dataclasses.field(repr=False)
    via_cookie: bool

    @property
    def token_hash(self) -> str:
        """The stored digest of the presented token."""
        return hash_token(self.token)


def presented_token() -> tuple[str, bool] | None:
    """The token the request carries and whether it came as the cookie, or None."""
    authorization = request.headers.get("Authorization")
    if authorization is not None:
        scheme, _, value = authorization.strip().partition(" ")
        token = value.strip()
        return (token, False) if scheme.lower() == "bearer" and token else None
    cookie = request.cookies.get(SESSION_COOKIE)
    return (cookie, True) if cookie else None


async def current_caller() -> Caller | None:
    """The authenticated caller of this request, or None; see the module docstring."""
    if hasattr(g, _CALLER_ATTRIBUTE):
        caller: Caller | None = getattr(g, _CALLER_ATTRIBUTE)
    else:
        caller = await _resolve()
        setattr(g, _CALLER_ATTRIBUTE, caller)
    if caller is not None and caller.principal.via_token:
        require_scope(caller.principal, needed_for(request.endpoint, request.method))
    return caller


async def _resolve() -> Caller | None:
    context = current_context()
    presented = presented_token()
    if presented is None or context.sessions is None or context.store is None:
        return None
    token, via_cookie = presented
    authenticator = SessionAuthenticator(
        context.sessions, context.store.users, api_tokens=context.store.api_tokens
    )
    found = await authenticator.authenticate_session(token)
    if found is None:
        return None
    if found.touched and via_cookie and found.session is not None:
        expires_at = found.session.expires_at

        @after_this_request
        async def renew_cookie(response: ResponseTypes) -> ResponseTypes:
            return set_session_cookie(response, context.settings, token, expires_at)

    return Caller(principal=found.principal, token=token, via_cookie=via_cookie)


async def require_caller() -> Caller:
    """The authenticated caller; 401 ``unauthorized`` when there is none."""
    caller = await current_caller()
    if caller is None:
        raise ApiError(ErrorCode.UNAUTHORIZED, "log in first: no valid session")
    return caller


async def require_user() -> Principal:
    """The authenticated principal; 401 ``unauthorized`` when there is none."""
    return (await require_caller()).principal


def login_required(handler: Handler) -> Handler:
    """Admit authenticated callers only; the handler gets ``principal=`` (see module)."""

    @functools.wraps(handler)
    async def guarded(*args: Any, **kwargs: Any) -> Any:
        return await handler(*args, principal=await require_user(), **kwargs)

    return security_scheme(SECURITY_REQUIREMENTS)(guarded)  # type: ignore[return-value]


def admin_required(handler: Handler) -> Handler:
    """Admit admins only (401 anonymous, 403 others); the handler gets ``principal=``."""

    @functools.wraps(handler)
    async def guarded(*args: Any, **kwargs: Any) -> Any:
        principal = await require_user()
        if not principal.is_admin:
            raise ApiError(ErrorCode.FORBIDDEN, "admins only")
        return await handler(*args, principal=principal, **kwargs)

    return security_scheme(SECURITY_REQUIREMENTS)(guarded)  # type: ignore[return-value]
