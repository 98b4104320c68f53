"""Rate limits per route class, shared by every node through the realtime rate limiter.

Contract:

* Every request under ``/api/`` spends one hit of its route's :class:`RateClass` before
  its handler runs.  A route names its class with :func:`rate_class`; unmarked routes
  count as ``reads`` (GET, HEAD) or ``writes`` (anything else).
* The key is the authenticated user when the request carries a valid session, else the
  client's address (:func:`http_facade.middleware.security.client_address`: ``X-Forwarded-For`` is
  believed only from ``TOPICSFLOW_TRUSTED_PROXIES``).  So logging in from one address,
  or writing as one user from many addresses, is limited alike.
* A refused request gets 429 ``rate_limited`` with ``Retry-After``; its handler never runs.
* Every answer to a limited request says where its caller stands: ``RateLimit-Limit``
  (the class's count), ``RateLimit-Remaining`` (requests left now) and ``RateLimit-Reset``
  (whole seconds until the allowance is full again; on a 429, until the next request is
  allowed), after the IETF draft "RateLimit header fields for HTTP".
* The limits are :data:`DEFAULT_LIMITS` (GCRA: ``count`` per ``period`` seconds, bursts
  up to ``count``); :func:`install_rate_limits` takes others (tests).
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Callable, Mapping
from typing import TypeVar

from quart import Quart, Response, current_app, g, request

from http_facade.context import current_context
from http_facade.errors import ApiError
from http_facade.guard import current_caller
from http_facade.middleware.security import request_client_address
from protocol.errors import ErrorCode
from storage.realtime.protocols import RateDecision

RATE_CLASS_ATTRIBUTE = "_topicsflow_rate_class"
SAFE_METHODS = frozenset({"GET", "HEAD"})
Handler = TypeVar("Handler", bound=Callable[..., object])


class RateClass(enum.StrEnum):
    """How expensive or sensitive a route is."""

    LOGIN = "login"
    REGISTRATION = "registration"
    CODE = "code"
    WRITES = "writes"
    READS = "reads"


@dataclasses.dataclass(frozen=True, slots=True)
class RateLimit:
    """``count`` requests per ``period`` seconds."""

    count: int
    period: float


DEFAULT_LIMITS: Mapping[RateClass, RateLimit] = {
    RateClass.LOGIN: RateLimit(20, 60.0),
    RateClass.REGISTRATION: RateLimit(10, 3600.0),
    RateClass.CODE: RateLimit(10, 60.0),
    RateClass.WRITES: RateLimit(60, 60.0),
    RateClass.READS: RateLimit(300, 60.0),
}


def rate_class(kind: RateClass) -> Callable[[Handler], Handler]:
    """Put a route in ``kind`` (instead of the method's default)."""

    def mark(handler: Handler) -> Handler:
        setattr(handler, RATE_CLASS_ATTRIBUTE, kind)
        return handler

    return mark


def route_class() -> RateClass:
    """The rate class of the request's route."""
    view = current_app.view_functions.get(request.endpoint or "")
    marked: RateClass | None = getattr(view, RATE_CLASS_ATTRIBUTE, None)
    if marked is not None:
        return marked
    return RateClass.READS if request.method in SAFE_METHODS else RateClass.WRITES


def install_rate_limits(
    app: Quart, limits: Mapping[RateClass, RateLimit] = DEFAULT_LIMITS
) -> None:
    """Check every ``/api/`` request against its class's limit; see the module docstring."""

    async def enforce() -> None:
        context = current_context()
        if context.realtime is None or request.method == "OPTIONS":
            return
        if not request.path.startswith("/api/"):
            return
        kind = route_class()
        limit = limits[kind]
        caller = await current_caller()
        if caller is not None:
            subject = f"user:{caller.principal.user_id}"
        else:
            subject = f"address:{request_client_address()}"
        decision = await context.realtime.rate_limiter.hit(
            f"http:{kind}:{subject}", limit=limit.count, period=limit.period
        )
        g.rate_limit_headers = rate_limit_headers(limit, decision)
        if not decision.allowed:
            raise ApiError(
                ErrorCode.RATE_LIMITED,
                "too many requests; slow down",
                retry_after=decision.retry_after,
            )

    async def tell_the_caller(response: Response) -> Response:
        for name, value in g.get("rate_limit_headers", ()):
            response.headers[name] = value
        return response

    app.before_request(enforce)
    app.after_request(tell_the_caller)


def rate_limit_headers(limit: RateLimit, decision: RateDecision) -> list[tuple[str, str]]:
    """The ``RateLimit-*`` header fields of one decision (see the module docstring)."""
    if decision.allowed:
        reset = (limit.count - decision.remaining) * limit.period / limit.count
    else:
        reset = decision.retry_after
    return [
        ("RateLimit-Limit", str(limit.count)),
        ("RateLimit-Remaining", str(max(0, decision.remaining))),
        ("RateLimit-Reset", str(math.ceil(reset))),
    ]
