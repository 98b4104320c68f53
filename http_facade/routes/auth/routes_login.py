"""``/api/auth``: log in (password, then a second factor when on) and log out.

A successful login rotates the session: a new token every time, and the session of a
token presented with the login (an old cookie) ends.  ``session_transport: cookie``
hands the token over as the HttpOnly session cookie only; ``bearer`` in the body only.

A banned user's correct password (or pending challenge) is refused with 403
``forbidden`` carrying ``error.ban`` (:class:`http_facade.routes.auth.schemas.LoginRefused`,
declared as the 403 response of both login routes); no session is opened and no cookie
is set.
"""

from __future__ import annotations

from quart import Blueprint, after_this_request
from quart.typing import ResponseTypes
from quart_schema import validate_response

from http_facade.context import current_context
from http_facade.guard import presented_token
from http_facade.middleware.rate_limits import RateClass, rate_class
from http_facade.replies import Done
from http_facade.routes.auth.dependencies import account_services, client_info
from http_facade.routes.auth.schemas import (
    LoginRefused,
    LoginRequest,
    LoginResponse,
    SessionTransport,
    TwoFactorLoginRequest,
)
from http_facade.session_cookie import clear_session_cookie, set_session_cookie
from http_facade.validation import validate_body
from protocol.fields import milliseconds
from services.accounts import login as login_flow
from services.accounts.sessions import OpenedSession, revoke_token

blueprint = Blueprint("login", __name__)


def previous_token() -> str | None:
    """The session token this request presents (a login rotates it out), if any."""
    presented = presented_token()
    return presented[0] if presented is not None else None


def authenticated(opened: OpenedSession, transport: SessionTransport) -> LoginResponse:
    """The answer of a login that opened ``opened`` (the cookie set for ``cookie``)."""
    expires_at = opened.session.expires_at
    if transport == "cookie":
        settings = current_context().settings

        @after_this_request
        async def attach_cookie(response: ResponseTypes) -> ResponseTypes:
            return set_session_cookie(response, settings, opened.token, expires_at)

    return LoginResponse(
        status="authenticated",
        user_id=opened.user.id,
        session_id=opened.session_id,
        token=opened.token if transport == "bearer" else None,
        expires_at=milliseconds(expires_at),
    )


@blueprint.post("/login")
@rate_class(RateClass.LOGIN)
@validate_body(LoginRequest)
@validate_response(LoginResponse)
@validate_response(LoginRefused, 403)
async def login(data: LoginRequest) -> LoginResponse:
    """Log in with a username or email and the password.

    Answers ``two_factor_required`` with a challenge and its ``methods`` when TOTP or
    emailed codes are on: send it with a code to ``/api/auth/login/two-factor`` (totp),
    ``/api/auth/login/email-code`` (email_code) or a passkey assertion to
    ``/api/auth/login/passkey`` (passkey). A wrong name and a wrong password read the same
    (401). A right password of a banned account is refused with 403 ``forbidden`` and
    ``error.ban`` (reason, and end or null when permanent); of an unconfirmed address,
    with 403 ``forbidden`` and no ``ban``.
    """
    outcome = await login_flow.log_in(
        account_services(),
        identifier=data.login,
        password=data.password,
        client=client_info(),
        previous_token=previous_token(),
    )
    if outcome.challenge is not None:
        return LoginResponse(
            status="two_factor_required",
            challenge=outcome.challenge.token,
            challenge_expires_at=milliseconds(outcome.challenge.expires_at),
            methods=list(outcome.challenge.methods),
        )
    assert outcome.session is not None
    return authenticated(outcome.session, data.session_transport)


@blueprint.post("/login/two-factor")
@rate_class(RateClass.CODE)
@validate_body(TwoFactorLoginRequest)
@validate_response(LoginResponse)
@validate_response(LoginRefused, 403)
async def login_two_factor(data: TwoFactorLoginRequest) -> LoginResponse:
    """Finish a login with the challenge and a TOTP code or a backup code.

    A user banned since the password step is refused with 403 ``forbidden`` and
    ``error.ban``, whatever the code; the challenge is used up.
    """
    opened = await login_flow.complete_two_factor(
        account_services(),
        challenge=data.challenge,
        code=data.code,
        client=client_info(),
        previous_token=previous_token(),
    )
    return authenticated(opened, data.session_transport)


@blueprint.post("/logout")
@rate_class(RateClass.WRITES)
@validate_response(Done)
async def logout() -> Done:
    """End the session this request presents (if any) and clear the session cookie."""
    token = previous_token()
    if token is not None:
        await revoke_token(account_services(), token)
    settings = current_context().settings

    @after_this_request
    async def forget_cookie(response: ResponseTypes) -> ResponseTypes:
        return clear_session_cookie(response, settings)

    return Done(message="logged out")
