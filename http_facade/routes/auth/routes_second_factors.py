"""``/api/auth``: passkey logins, emailed login codes and turning emailed codes on or off.

* ``POST /login/passkey/options`` then ``POST /login/passkey``: a passkey alone
  (discoverable credential, user verification required) or, with the ``challenge`` of a
  password login, as its second factor.
* ``POST /login/email-code/send`` then ``POST /login/email-code``: an emailed
  six-digit code completes a password login's challenge.
* ``POST /two-factor/email/enable`` and ``…/disable`` (logged in, recent authentication).
"""

from __future__ import annotations

import msgspec
from quart import Blueprint
from quart_schema import validate_response

from http_facade.guard import login_required
from http_facade.middleware.rate_limits import RateClass, rate_class
from http_facade.replies import Done
from http_facade.routes.auth.dependencies import account_services, client_info, require_step_up
from http_facade.routes.auth.routes_login import authenticated, previous_token
from http_facade.routes.auth.schemas import LoginRefused, LoginResponse
from http_facade.routes.auth.schemas_security import (
    ChallengeRequest,
    CredentialOptions,
    EmailCodeLoginRequest,
    PasskeyLoginRequest,
    PasskeyOptionsRequest,
)
from http_facade.validation import validate_body
from services.accounts import email_codes, passkey_login
from services.principal import Principal

blueprint = Blueprint("second_factors", __name__)


@blueprint.post("/login/passkey/options")
@rate_class(RateClass.LOGIN)
@validate_body(PasskeyOptionsRequest)
@validate_response(CredentialOptions)
async def passkey_login_options(data: PasskeyOptionsRequest) -> CredentialOptions:
    """Request options for ``navigator.credentials.get``: a single-use challenge valid
    three minutes.  With ``challenge`` (a password login's), only that user's passkeys."""
    options = await passkey_login.assertion_options(account_services(), data.challenge)
    return CredentialOptions(public_key=options)


@blueprint.post("/login/passkey")
@rate_class(RateClass.LOGIN)
@validate_body(PasskeyLoginRequest)
@validate_response(LoginResponse)
@validate_response(LoginRefused, 403)
async def login_with_passkey(data: PasskeyLoginRequest) -> LoginResponse:
    """Log in with a passkey assertion (401 for a replayed, expired, wrong-origin or
    otherwise invalid one; 403 for a banned account or an unconfirmed address)."""
    opened = await passkey_login.log_in_with_passkey(
        account_services(),
        credential=msgspec.to_builtins(data.credential),
        client_data_json=data.credential.response.clientDataJSON,
        login_challenge=data.challenge,
        client=client_info(),
        previous_token=previous_token(),
    )
    return authenticated(opened, data.session_transport)


@blueprint.post("/login/email-code/send")
@rate_class(RateClass.CODE)
@validate_body(ChallengeRequest)
@validate_response(Done)
async def send_email_code(data: ChallengeRequest) -> Done:
    """Email a six-digit code for a password login's challenge (emailed codes on);
    sends are limited per account and per address."""
    await email_codes.send_login_code(account_services(), data.challenge)
    return Done(message="a code was sent to your email address")


@blueprint.post("/login/email-code")
@rate_class(RateClass.CODE)
@validate_body(EmailCodeLoginRequest)
@validate_response(LoginResponse)
@validate_response(LoginRefused, 403)
async def email_code_login(data: EmailCodeLoginRequest) -> LoginResponse:
    """Finish a login with the emailed code.  Attempts are limited per account (from
    any address) and per challenge (docs/AUTH.md)."""
    opened = await email_codes.complete_with_email_code(
        account_services(),
        challenge=data.challenge,
        code=data.code,
        client=client_info(),
        previous_token=previous_token(),
    )
    return authenticated(opened, data.session_transport)


@blueprint.post("/two-factor/email/enable")
@rate_class(RateClass.CODE)
@login_required
@validate_response(Done)
async def enable_email_codes(principal: Principal) -> Done:
    """Turn emailed login codes on (recent authentication needed)."""
    services = await require_step_up(principal)
    await email_codes.set_email_codes(services, principal.user_id, True, client_info())
    return Done(message="emailed login codes are on")


@blueprint.post("/two-factor/email/disable")
@rate_class(RateClass.CODE)
@login_required
@validate_response(Done)
async def disable_email_codes(principal: Principal) -> Done:
    """Turn emailed login codes off (recent authentication needed)."""
    services = await require_step_up(principal)
    await email_codes.set_email_codes(services, principal.user_id, False, client_info())
    return Done(message="emailed login codes are off")
