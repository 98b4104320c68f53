"""``/api/auth/two-factor``: TOTP enrolment, turning it off, backup codes.

Every change needs a recent authentication (step-up, docs/AUTH.md) besides the password.
"""

from __future__ import annotations

from quart import Blueprint
from quart_schema import validate_response

from http_facade.guard import login_required
from http_facade.middleware.rate_limits import RateClass, rate_class
from http_facade.replies import Done
from http_facade.routes.auth.dependencies import account_services, require_step_up
from http_facade.routes.auth.schemas import (
    BackupCodes,
    CodeRequest,
    DisableTwoFactorRequest,
    PasswordRequest,
    TwoFactorSetup,
    TwoFactorStatus,
)
from http_facade.validation import validate_body
from services.accounts import passkeys, two_factor
from services.accounts.factors import email_codes_on
from services.principal import Principal

blueprint = Blueprint("two_factor", __name__, url_prefix="/two-factor")


@blueprint.get("")
@login_required
@validate_response(TwoFactorStatus)
async def two_factor_status(principal: Principal) -> TwoFactorStatus:
    """Whether TOTP is on for me and how many backup codes are left."""
    services = account_services()
    user = await services.users.get(principal.user_id)
    return TwoFactorStatus(
        enabled=user.totp_secret is not None,
        backup_codes_remaining=len(user.backup_code_hashes),
        setup_pending=user.pending_totp_secret is not None,
        email_codes=email_codes_on(user),
        passkeys=len(await passkeys.list_passkeys(services, user.id)),
    )


@blueprint.post("/setup")
@rate_class(RateClass.CODE)
@login_required
@validate_body(PasswordRequest)
@validate_response(TwoFactorSetup)
async def setup_two_factor(principal: Principal, data: PasswordRequest) -> TwoFactorSetup:
    """Start enrolment (password required): a secret for the authenticator app."""
    enrolment = await two_factor.begin_enrolment(
        await require_step_up(principal), principal.user_id, data.password
    )
    return TwoFactorSetup(secret=enrolment.secret, provisioning_uri=enrolment.provisioning_uri)


@blueprint.post("/enable")
@rate_class(RateClass.CODE)
@login_required
@validate_body(CodeRequest)
@validate_response(BackupCodes)
async def enable_two_factor(principal: Principal, data: CodeRequest) -> BackupCodes:
    """Confirm enrolment with a code from the app; TOTP turns on, backup codes are issued."""
    codes = await two_factor.confirm_enrolment(account_services(), principal.user_id, data.code)
    return BackupCodes(backup_codes=codes)


@blueprint.post("/disable")
@rate_class(RateClass.CODE)
@login_required
@validate_body(DisableTwoFactorRequest)
@validate_response(Done)
async def disable_two_factor(principal: Principal, data: DisableTwoFactorRequest) -> Done:
    """Turn TOTP off (password and a TOTP or backup code required)."""
    services = await require_step_up(principal)
    await two_factor.disable(services, principal.user_id, data.password, data.code)
    return Done(message="two-factor authentication is off")


@blueprint.post("/backup-codes")
@rate_class(RateClass.CODE)
@login_required
@validate_body(PasswordRequest)
@validate_response(BackupCodes)
async def regenerate_backup_codes(principal: Principal, data: PasswordRequest) -> BackupCodes:
    """Replace all my backup codes (password required); the old ones stop working."""
    codes = await two_factor.regenerate_backup_codes(
        await require_step_up(principal), principal.user_id, data.password
    )
    return BackupCodes(backup_codes=codes)
