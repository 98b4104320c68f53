"""Logging in with a passkey: alone (discoverable), as the second factor, or to step up.

Contract:

* :func:`assertion_options` returns ``PublicKeyCredentialRequestOptions`` with a fresh
  single-use challenge: with no login challenge, for a **discoverable** login (no
  allowed credentials listed; user verification required); with the challenge of a
  password login, for that user's passkeys as the **second factor** (user verification
  preferred); :func:`step_up_options` for the caller's passkeys (verification required).
* :func:`log_in_with_passkey` consumes the WebAuthn challenge first (a replayed or
  expired response is refused before any signature is checked), then finds the
  credential, checks the assertion against the stored public key (origin, relying party
  id, user presence, user verification when required, signature) and records the new
  signature counter atomically: a counter that did not grow is refused, and of two
  concurrent uses of one response only one passes.  As a second factor, the login
  challenge is consumed too (and put back when the passkey is refused).  Then the usual
  ban and address checks, and a session (``method: passkey``).
* Every refusal reads ``unauthorized`` with one generic message.
"""

from __future__ import annotations

import json
from typing import Any

from webauthn import generate_authentication_options, options_to_json
from webauthn.helpers.structs import UserVerificationRequirement

from protocol.errors import ErrorCode
from services.accounts import webauthn_ceremony
from services.accounts.context import AccountServices, ClientInfo
from services.accounts.login import return_challenge, take_challenge
from services.accounts.passkeys import descriptors
from services.accounts.sessions import OpenedSession, open_session
from services.accounts.step_up import confirm_session
from services.bans import refuse_if_banned
from services.errors import DomainError
from storage.records import User
from storage.records.security import Passkey

LOGIN_PURPOSE = "passkey_login"
SECOND_FACTOR_PURPOSE = "passkey_second_factor"
STEP_UP_PURPOSE = "passkey_step_up"


async def _options(
    services: AccountServices, purpose: str, user_id: str, verification: UserVerificationRequirement
) -> dict[str, Any]:
    security = services.secured()
    allowed = await security.passkeys.list_for_user(user_id) if user_id else []
    challenge = await webauthn_ceremony.begin(services, purpose, user_id)
    options = generate_authentication_options(
        rp_id=security.relying_party.rp_id,
        challenge=challenge,
        timeout=int(webauthn_ceremony.CEREMONY_LIFETIME_SECONDS * 1000),
        allow_credentials=descriptors(allowed),
        user_verification=verification,
    )
    found: dict[str, Any] = json.loads(options_to_json(options))
    return found


async def assertion_options(
    services: AccountServices, login_challenge: str | None
) -> dict[str, Any]:
    """Request options for a discoverable login or a second factor; see the module."""
    if login_challenge is None:
        return await _options(services, LOGIN_PURPOSE, "", UserVerificationRequirement.REQUIRED)
    user, expires_at = await take_challenge(services, login_challenge)
    await return_challenge(services, user, login_challenge, expires_at)
    return await _options(
        services, SECOND_FACTOR_PURPOSE, user.id, UserVerificationRequirement.PREFERRED
    )


async def step_up_options(services: AccountServices, user_id: str) -> dict[str, Any]:
    """Request options to confirm the caller's session with one of their passkeys."""
    return await _options(services, STEP_UP_PURPOSE, user_id, UserVerificationRequirement.REQUIRED)


def _refused() -> DomainError:
    return DomainError(ErrorCode.UNAUTHORIZED, webauthn_ceremony.REFUSED)


async def _check_assertion(
    services: AccountServices,
    purpose: str,
    credential: dict[str, Any],
    client_data_json: str,
    *,
    expected_user: str | None,
) -> Passkey:
    """Consume the ceremony, verify the assertion and record the counter; the passkey."""
    security = services.secured()
    taken = await webauthn_ceremony.take(services, purpose, client_data_json)
    credential_id = credential.get("id")
    passkey = await security.passkeys.get(credential_id) if isinstance(credential_id, str) else None
    if passkey is None:
        raise _refused()
    if taken.user_id and taken.user_id != passkey.user_id:
        raise _refused()
    if expected_user is not None and passkey.user_id != expected_user:
        raise _refused()
    new_count = await webauthn_ceremony.verify_assertion(
        security.relying_party,
        credential,
        taken.challenge,
        public_key=passkey.public_key,
        sign_count=passkey.sign_count,
        require_user_verification=purpose != SECOND_FACTOR_PURPOSE,
    )
    recorded = await security.passkeys.record_use(
        passkey.id,
        expected_count=passkey.sign_count,
        new_count=new_count,
        used_at=services.clock(),
    )
    if not recorded:
        raise _refused()
    return passkey


async def log_in_with_passkey(
    services: AccountServices,
    *,
    credential: dict[str, Any],
    client_data_json: str,
    login_challenge: str | None,
    client: ClientInfo,
    previous_token: str | None = None,
) -> OpenedSession:
    """A session for a passkey assertion; see the module docstring."""
    user: User
    if login_challenge is None:
        passkey = await _check_assertion(
            services, LOGIN_PURPOSE, credential, client_data_json, expected_user=None
        )
        user = await services.users.get(passkey.user_id)
    else:
        user, expires_at = await take_challenge(services, login_challenge)
        try:
            await _check_assertion(
                services, SECOND_FACTOR_PURPOSE, credential, client_data_json, expected_user=user.id
            )
        except DomainError:
            await return_challenge(services, user, login_challenge, expires_at)
            raise
    refuse_if_banned(user, services.clock())
    if not user.email_verified:
        raise DomainError(ErrorCode.FORBIDDEN, "confirm your email address before logging in")
    return await open_session(services, user, client, previous_token, method="passkey")


async def step_up_with_passkey(
    services: AccountServices,
    *,
    user_id: str,
    session_id: str,
    credential: dict[str, Any],
    client_data_json: str,
    client: ClientInfo,
) -> float:
    """Confirm the caller's session with a user-verified passkey assertion."""
    await _check_assertion(
        services, STEP_UP_PURPOSE, credential, client_data_json, expected_user=user_id
    )
    return await confirm_session(services, user_id, session_id, "passkey", client)
