"""``/api/auth/step-up``: confirm it is me, so that sensitive actions are allowed.

The confirmation holds for the session that made it, for ten minutes
(:mod:`services.accounts.step_up`); a fresh login counts as one.
"""

from __future__ import annotations

import msgspec
from quart import Blueprint
from quart_schema import validate_response

from http_facade.guard import login_required
from http_facade.middleware.rate_limits import RateClass, rate_class
from http_facade.routes.auth.dependencies import account_services, client_info
from http_facade.routes.auth.schemas_security import (
    CredentialOptions,
    PasskeyStepUpRequest,
    StepUpRequest,
    StepUpResponse,
)
from http_facade.validation import validate_body
from protocol.fields import milliseconds
from services.accounts import passkey_login, step_up
from services.principal import Principal

blueprint = Blueprint("step_up", __name__, url_prefix="/step-up")


@blueprint.post("")
@rate_class(RateClass.CODE)
@login_required
@validate_body(StepUpRequest)
@validate_response(StepUpResponse)
async def step_up_with_password(principal: Principal, data: StepUpRequest) -> StepUpResponse:
    """Confirm with my password (and a TOTP or backup code when TOTP is on)."""
    expires_at = await step_up.step_up_with_password(
        account_services(),
        user_id=principal.user_id,
        session_id=principal.session_id,
        password=data.password,
        code=data.code,
        client=client_info(),
    )
    return StepUpResponse(expires_at=milliseconds(expires_at))


@blueprint.post("/passkey/options")
@rate_class(RateClass.CODE)
@login_required
@validate_response(CredentialOptions)
async def step_up_options(principal: Principal) -> CredentialOptions:
    """Request options to confirm with one of my passkeys (single-use challenge)."""
    options = await passkey_login.step_up_options(account_services(), principal.user_id)
    return CredentialOptions(public_key=options)


@blueprint.post("/passkey")
@rate_class(RateClass.CODE)
@login_required
@validate_body(PasskeyStepUpRequest)
@validate_response(StepUpResponse)
async def step_up_with_passkey(
    principal: Principal, data: PasskeyStepUpRequest
) -> StepUpResponse:
    """Confirm with a user-verified assertion of one of my passkeys."""
    expires_at = await passkey_login.step_up_with_passkey(
        account_services(),
        user_id=principal.user_id,
        session_id=principal.session_id,
        credential=msgspec.to_builtins(data.credential),
        client_data_json=data.credential.response.clientDataJSON,
        client=client_info(),
    )
    return StepUpResponse(expires_at=milliseconds(expires_at))
