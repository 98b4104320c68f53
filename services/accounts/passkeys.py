"""Registering and managing passkeys (WebAuthn discoverable credentials).

Contract:

* :func:`registration_options` (logged in; the route demands a recent authentication)
  returns the ``PublicKeyCredentialCreationOptions`` for ``navigator.credentials.create``:
  a resident key with user verification required, the user's id as the user handle,
  the user's existing passkeys excluded.  Its challenge is single use and lives
  :data:`~services.accounts.webauthn_ceremony.CEREMONY_LIFETIME_SECONDS`.
* :func:`register` consumes that challenge (it must be the caller's), checks the
  attestation with py_webauthn (origin, relying party id, user presence and
  verification) and stores the credential's public key, counter and transports.  At
  most :data:`MAX_PASSKEYS` per user.  The owner is told by email.
* :func:`rename` and :func:`remove` act on the caller's own passkeys only (another
  user's id reads as unknown).
"""

from __future__ import annotations

import json
from typing import Any

from webauthn import generate_registration_options, options_to_json
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from protocol.errors import ErrorCode
from services.accounts import webauthn_ceremony
from services.accounts.audit import record_event
from services.accounts.context import AccountServices, ClientInfo
from services.email_templates import security_notice_email
from services.errors import DomainError
from storage.errors import Conflict
from storage.records.security import Passkey

REGISTER_PURPOSE = "passkey_register"
MAX_PASSKEYS = 10
NAME_MAX_LENGTH = 64
TRANSPORTS_MAX = 8


def descriptors(passkeys: list[Passkey]) -> list[PublicKeyCredentialDescriptor]:
    """py_webauthn's descriptors of ``passkeys`` (for allow and exclude lists)."""
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(key.id)) for key in passkeys]


async def registration_options(services: AccountServices, user_id: str) -> dict[str, Any]:
    """Creation options for a new passkey of ``user_id``; see the module docstring."""
    security = services.secured()
    user = await services.users.get(user_id)
    existing = await security.passkeys.list_for_user(user.id)
    if len(existing) >= MAX_PASSKEYS:
        raise DomainError(ErrorCode.CONFLICT, f"at most {MAX_PASSKEYS} passkeys per account")
    challenge = await webauthn_ceremony.begin(services, REGISTER_PURPOSE, user.id)
    options = generate_registration_options(
        rp_id=security.relying_party.rp_id,
        rp_name=security.relying_party.name,
        user_name=user.username,
        user_id=user.id.encode(),
        user_display_name=user.display_name or user.username,
        challenge=challenge,
        timeout=int(webauthn_ceremony.CEREMONY_LIFETIME_SECONDS * 1000),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=descriptors(existing),
    )
    found: dict[str, Any] = json.loads(options_to_json(options))
    return found


async def register(
    services: AccountServices,
    user_id: str,
    *,
    credential: dict[str, Any],
    client_data_json: str,
    transports: list[str],
    name: str,
    client: ClientInfo,
) -> Passkey:
    """Check a ``navigator.credentials.create`` response and keep the passkey."""
    security = services.secured()
    taken = await webauthn_ceremony.take(services, REGISTER_PURPOSE, client_data_json)
    if taken.user_id != user_id:
        raise DomainError(ErrorCode.UNAUTHORIZED, webauthn_ceremony.EXPIRED)
    verified = await webauthn_ceremony.verify_registration(
        security.relying_party, credential, taken.challenge
    )
    if len(await security.passkeys.list_for_user(user_id)) >= MAX_PASSKEYS:
        raise DomainError(ErrorCode.CONFLICT, f"at most {MAX_PASSKEYS} passkeys per account")
    passkey = Passkey(
        id=bytes_to_base64url(verified.credential_id),
        user_id=user_id,
        name=name.strip()[:NAME_MAX_LENGTH] or "passkey",
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=tuple(transports[:TRANSPORTS_MAX]),
        backed_up=verified.credential_backed_up,
        created_at=services.clock(),
    )
    try:
        await security.passkeys.add(passkey)
    except Conflict:
        raise DomainError(ErrorCode.CONFLICT, "this passkey is registered already") from None
    await record_event(services, user_id, "passkey_added", method="passkey", client=client)
    user = await services.users.get(user_id)
    services.send_email(
        security_notice_email(user.email, user.username, f"a passkey ({passkey.name}) was added")
    )
    return passkey


async def list_passkeys(services: AccountServices, user_id: str) -> list[Passkey]:
    """The user's passkeys, oldest first."""
    return await services.secured().passkeys.list_for_user(user_id)


async def rename(services: AccountServices, user_id: str, passkey_id: str, name: str) -> Passkey:
    """Rename one of the user's passkeys (``not_found`` for any other id)."""
    cleaned = name.strip()[:NAME_MAX_LENGTH]
    if not cleaned:
        raise DomainError(ErrorCode.INVALID, "a passkey needs a name")
    return await services.secured().passkeys.rename(user_id, passkey_id, cleaned)


async def remove(
    services: AccountServices, user_id: str, passkey_id: str, client: ClientInfo
) -> None:
    """Remove one of the user's passkeys (``not_found`` for any other id)."""
    if not await services.secured().passkeys.remove(user_id, passkey_id):
        raise DomainError(ErrorCode.NOT_FOUND, "no such passkey")
    await record_event(services, user_id, "passkey_removed", method="passkey", client=client)
    user = await services.users.get(user_id)
    services.send_email(security_notice_email(user.email, user.username, "a passkey was removed"))
