"""The login session cookie: HttpOnly, SameSite=Lax, Secure in production.

The cookie carries the same opaque token a bearer client sends in ``Authorization``;
its lifetime follows the session's sliding expiry (the guard refreshes it when the
session is touched).
"""

from __future__ import annotations

import time

from quart.typing import ResponseTypes

from http_facade.middleware.security import SESSION_COOKIE
from topicsflow.settings import Profile, Settings


def set_session_cookie(
    response: ResponseTypes, settings: Settings, token: str, expires_at: float
) -> ResponseTypes:
    """Attach the session cookie for ``token``, expiring with the session."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max(0, int(expires_at - time.time())),
        path="/",
        secure=settings.profile is Profile.PRODUCTION,
        httponly=True,
        samesite="Lax",
    )
    return response


def clear_session_cookie(response: ResponseTypes, settings: Settings) -> ResponseTypes:
    """Tell the browser to forget the session cookie."""
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        secure=settings.profile is Profile.PRODUCTION,
        httponly=True,
        samesite="Lax",
    )
    return response
