"""``/api/auth``: register, confirm the email address, ask for a new confirmation link."""

from __future__ import annotations

from quart import Blueprint
from quart_schema import validate_response

from http_facade.middleware.rate_limits import RateClass, rate_class
from http_facade.replies import Accepted, Done
from http_facade.routes.auth.dependencies import account_services, client_info
from http_facade.routes.auth.schemas import EmailRequest, RegisterRequest, TokenRequest
from http_facade.screening import screen_name
from http_facade.validation import validate_body
from services.accounts import registration

blueprint = Blueprint("register", __name__)

REGISTERED = "Check your inbox: we sent a message to finish creating the account."
SENT_IF_PENDING = "If that address has an account waiting for confirmation, we sent a new link."


@blueprint.post("/register")
@rate_class(RateClass.REGISTRATION)
@validate_body(RegisterRequest)
@validate_response(Accepted, 202)
async def register(data: RegisterRequest) -> tuple[Accepted, int]:
    """Create an account; a link to confirm the email address is mailed.

    The answer is the same whether or not the address already has an account (its owner
    is told by email instead). A taken username is 409 ``conflict``.
    """
    await registration.register(
        account_services(),
        username=screen_name(data.username, "username"),
        email=data.email,
        password=data.password,
        display_name=data.display_name,
    )
    return Accepted(message=REGISTERED), 202


@blueprint.post("/verify-email")
@rate_class(RateClass.CODE)
@validate_body(TokenRequest)
@validate_response(Done)
async def verify_email(data: TokenRequest) -> Done:
    """Confirm an email address with the token from the emailed link (single use)."""
    await registration.verify_email(account_services(), data.token, client_info().address)
    return Done(message="the email address is confirmed; you can log in")


@blueprint.post("/verify-email/resend")
@rate_class(RateClass.REGISTRATION)
@validate_body(EmailRequest)
@validate_response(Accepted, 202)
async def resend_verification(data: EmailRequest) -> tuple[Accepted, int]:
    """Mail a new confirmation link; answers the same for any address."""
    await registration.resend_verification(account_services(), data.email)
    return Accepted(message=SENT_IF_PENDING), 202
