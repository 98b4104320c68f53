"""``/api/auth``: forgotten passwords, reset by an emailed single-use link."""

from __future__ import annotations

from quart import Blueprint
from quart_schema import validate_response

from http_facade.middleware.rate_limits import RateClass, rate_class
from http_facade.replies import Accepted, Done
from http_facade.routes.auth.dependencies import account_services, client_info
from http_facade.routes.auth.schemas import EmailRequest, ResetPasswordRequest
from http_facade.validation import validate_body
from services.accounts import recovery

blueprint = Blueprint("recovery", __name__)

SENT_IF_KNOWN = "If that address has an account, we sent it a link to reset the password."


@blueprint.post("/password-reset")
@rate_class(RateClass.REGISTRATION)
@validate_body(EmailRequest)
@validate_response(Accepted, 202)
async def request_password_reset(data: EmailRequest) -> tuple[Accepted, int]:
    """Mail a password reset link (valid one hour, single use); same answer for any address."""
    await recovery.request_reset(account_services(), data.email)
    return Accepted(message=SENT_IF_KNOWN), 202


@blueprint.post("/password-reset/complete")
@rate_class(RateClass.CODE)
@validate_body(ResetPasswordRequest)
@validate_response(Done)
async def complete_password_reset(data: ResetPasswordRequest) -> Done:
    """Set a new password with the emailed token; every session of the account ends."""
    await recovery.complete_reset(
        account_services(),
        token=data.token,
        new_password=data.new_password,
        client_address=client_info().address,
    )
    return Done(message="the password is changed; log in with the new one")
