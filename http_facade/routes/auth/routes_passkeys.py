"""``/api/auth/passkeys``: register, list, rename and remove my passkeys.

Every change needs a recent authentication (step-up, docs/AUTH.md); listing does not.
"""

from __future__ import annotations

import msgspec
from quart import Blueprint
from quart_schema import validate_querystring, validate_response

from http_facade.guard import login_required
from http_facade.middleware.rate_limits import RateClass, rate_class
from http_facade.pagination import ListQuery, slice_page
from http_facade.replies import Done
from http_facade.routes.auth.dependencies import account_services, client_info, require_step_up
from http_facade.routes.auth.schemas_security import (
    CredentialOptions,
    PasskeyList,
    PasskeyView,
    RegisterPasskeyRequest,
    RenamePasskeyRequest,
)
from http_facade.validation import validate_body
from protocol.fields import milliseconds
from services.accounts import passkeys
from services.principal import Principal
from storage.records.security import Passkey

blueprint = Blueprint("passkeys", __name__, url_prefix="/passkeys")


def view(passkey: Passkey) -> PasskeyView:
    """The public view of a passkey (never its public key)."""
    return PasskeyView(
        id=passkey.id,
        name=passkey.name,
        created_at=milliseconds(passkey.created_at),
        last_used_at=milliseconds(passkey.last_used_at),
        backed_up=passkey.backed_up,
        transports=list(passkey.transports),
    )


@blueprint.get("")
@login_required
@validate_querystring(ListQuery)
@validate_response(PasskeyList)
async def list_passkeys(principal: Principal, query_args: ListQuery) -> PasskeyList:
    """My passkeys, oldest first."""
    found = await passkeys.list_passkeys(account_services(), principal.user_id)
    page, cursor = slice_page(
        [view(passkey) for passkey in found], query_args.cursor, query_args.limit
    )
    return PasskeyList(passkeys=page, next_cursor=cursor)


@blueprint.post("/registration/options")
@rate_class(RateClass.CODE)
@login_required
@validate_response(CredentialOptions)
async def registration_options(principal: Principal) -> CredentialOptions:
    """Creation options for a new passkey (recent authentication needed); the challenge
    works once, for three minutes."""
    services = await require_step_up(principal)
    options = await passkeys.registration_options(services, principal.user_id)
    return CredentialOptions(public_key=options)


@blueprint.post("")
@rate_class(RateClass.CODE)
@login_required
@validate_body(RegisterPasskeyRequest)
@validate_response(PasskeyView, 201)
async def register_passkey(
    principal: Principal, data: RegisterPasskeyRequest
) -> tuple[PasskeyView, int]:
    """Register the passkey created with the options above (recent authentication
    needed); 401 for a wrong origin, a reused or expired challenge or a bad attestation."""
    services = await require_step_up(principal)
    credential = msgspec.to_builtins(data.credential)
    passkey = await passkeys.register(
        services,
        principal.user_id,
        credential=credential,
        client_data_json=data.credential.response.clientDataJSON,
        transports=list(data.credential.response.transports),
        name=data.name,
        client=client_info(),
    )
    return view(passkey), 201


@blueprint.patch("/<passkey_id>")
@login_required
@validate_body(RenamePasskeyRequest)
@validate_response(PasskeyView)
async def rename_passkey(
    principal: Principal, passkey_id: str, data: RenamePasskeyRequest
) -> PasskeyView:
    """Rename one of my passkeys (recent authentication needed); 404 for any other id."""
    services = await require_step_up(principal)
    return view(await passkeys.rename(services, principal.user_id, passkey_id, data.name))


@blueprint.delete("/<passkey_id>")
@login_required
@validate_response(Done)
async def remove_passkey(principal: Principal, passkey_id: str) -> Done:
    """Remove one of my passkeys (recent authentication needed); 404 for any other id."""
    services = await require_step_up(principal)
    await passkeys.remove(services, principal.user_id, passkey_id, client_info())
    return Done(message="the passkey was removed")
