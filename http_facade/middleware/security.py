"""The facade's security baseline: client address, headers, CSRF, content types, CORS.

Contract:

* :func:`client_address` is the address rate limits and logs use.  ``X-Forwarded-For`` is
  believed only when the direct peer is one of ``TOPICSFLOW_TRUSTED_PROXIES``; the client
  is then the right-most address that is not itself a trusted proxy.  Anyone else's
  header is ignored, so a client cannot pick its own rate-limit key.
* Every response carries ``nosniff``, a deny-all frame policy, no referrer, and a
  ``no-store`` cache policy for the API; JSON responses also a ``default-src 'none'`` CSP.
  Production adds HSTS.
* A state-changing request (``POST``, ``PUT``, ``PATCH``, ``DELETE``) that carries the
  session cookie and no ``Authorization`` header must come from an allowed origin: its
  ``Origin`` (or, failing that, ``Referer``) must be the node's own origin or one of
  ``TOPICSFLOW_CORS_ORIGINS``.  Otherwise it is refused with 403 ``forbidden``.  Bearer
  clients are not exposed to CSRF and are not checked.
* A declared ``Content-Length`` over ``TOPICSFLOW_MAX_REQUEST_BYTES`` (for endpoints
  marked :func:`accepts_any_body`, uploads: ``TOPICSFLOW_MAX_UPLOAD_BYTES``) is refused
  with 413 before the body is read; a chunked body is cut off at the same size while it
  is read.
* Under ``/api/``, a request with a body must declare ``application/json`` unless its
  endpoint is marked with :func:`accepts_any_body` (file uploads); otherwise 415
  ``unsupported``.
* CORS is applied by quart-cors from the allowlist; the WebSocket endpoint does its own
  origin check and is exempt from quart-cors' blanket one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from typing import TypeVar
from urllib.parse import urlsplit

from quart import Quart, Response, current_app, request
from quart_cors import cors

from http_facade.context import current_context
from http_facade.errors import ApiError
from protocol.errors import ErrorCode
from topicsflow.settings import IpNetwork, Profile, Settings

SESSION_COOKIE = "topicsflow_session"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ANY_BODY_ATTRIBUTE = "_topicsflow_accepts_any_body"
Handler = TypeVar("Handler", bound=Callable[..., object])


def accepts_any_body(handler: Handler) -> Handler:
    """Mark an endpoint that takes a non-JSON body (uploads)."""
    setattr(handler, ANY_BODY_ATTRIBUTE, True)
    return handler


def _parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def client_address(
    peer: str | None, forwarded_for: str | None, trusted: Sequence[IpNetwork]
) -> str:
    """The address of the client behind ``peer``; see the module docstring."""
    peer_address = _parse_address(peer or "")
    if peer_address is None:
        return peer or "unknown"
    if not forwarded_for or not any(peer_address in network for network in trusted):
        return str(peer_address)
    for hop in reversed(forwarded_for.split(",")):
        address = _parse_address(hop)
        if address is None:
            break
        if not any(address in network for network in trusted):
            return str(address)
    return str(peer_address)


def request_client_address() -> str:
    """:func:`client_address` of the request being handled."""
    return client_address(
        request.remote_addr,
        request.headers.get("X-Forwarded-For"),
        current_context().settings.trusted_proxies,
    )


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of ``url``, or None when it has none."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def origin_allowed(origin: str | None, own_origin: str, allowed: Sequence[str]) -> bool:
    """Whether a request from ``origin`` may act with the session cookie."""
    if origin is None:
        return False
    return origin == own_origin or origin in allowed or "*" in allowed


def _security_headers(settings: Settings, response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if response.mimetype == "application/json":
        headers.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
    if request.path.startswith("/api/"):
        headers.setdefault("Cache-Control", "no-store")
    if settings.profile is Profile.PRODUCTION:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


async def _check_request() -> None:
    settings = current_context().settings
    if request.method in UNSAFE_METHODS:
        if request.cookies.get(SESSION_COOKIE) and "Authorization" not in request.headers:
            origin = request.headers.get("Origin") or origin_of(request.headers.get("Referer", ""))
            own_origin = f"{request.scheme}://{request.host}"
            if not origin_allowed(origin, own_origin, settings.cors_origins):
                raise ApiError(ErrorCode.FORBIDDEN, "cross-site request refused")
        view = current_app.view_functions.get(request.endpoint or "")
        uploads = getattr(view, ANY_BODY_ATTRIBUTE, False)
        limit = settings.max_upload_bytes if uploads else settings.max_request_bytes
        if (request.content_length or 0) > limit:
            raise ApiError(ErrorCode.TOO_LARGE, "the request body is too large")
        has_body = bool(request.content_length or request.headers.get("Transfer-Encoding"))
        declares_other = bool(request.mimetype) and request.mimetype != "application/json"
        if (
            request.path.startswith("/api/")
            and (declares_other or (has_body and not request.mimetype))
            and not getattr(view, ANY_BODY_ATTRIBUTE, False)
        ):
            raise ApiError(ErrorCode.UNSUPPORTED, "the request body must be application/json")


def install_security(app: Quart, settings: Settings) -> None:
    """Apply the baseline of the module docstring to ``app``."""
    app.before_request(_check_request)

    async def add_headers(response: Response) -> Response:
        return _security_headers(settings, response)

    app.after_request(add_headers)
    if settings.cors_origins:
        cors(
            app,
            allow_origin=list(settings.cors_origins),
            allow_credentials="*" not in settings.cors_origins,
            allow_headers=["Authorization", "Content-Type", "X-Request-Id"],
            expose_headers=[
                "Retry-After", "X-Request-Id", "RateLimit-Limit", "RateLimit-Remaining",
                "RateLimit-Reset",
            ],
            max_age=600,
        )
