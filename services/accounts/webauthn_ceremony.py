"""WebAuthn ceremonies: single-use, short-lived challenges and the checks of py_webauthn.

Contract:

* :func:`begin` draws a 32-byte challenge and keeps only its digest as a one-time token
  of the ceremony's ``purpose`` (bound to a user id, "" for a discoverable login) for
  :data:`CEREMONY_LIFETIME_SECONDS`.
* :func:`take` reads the challenge a response signed (its ``clientDataJSON``) and
  consumes that token: an unknown, expired, already used or other-purpose challenge is
  refused with ``unauthorized`` before any signature is looked at, so a replayed response
  never passes twice.
* :func:`verify_registration` and :func:`verify_assertion` run py_webauthn in a worker
  thread (at most :data:`VERIFY_THREADS` at once) against the relying party's id and
  origins; any refusal of the library becomes ``unauthorized`` with a generic message
  (the library's reason is not shown: it would help forging).
"""

from __future__ import annotations

import binascii
import dataclasses
import json
import secrets
from typing import Any

import trio
from webauthn import verify_authentication_response, verify_registration_response
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.registration.verify_registration_response import VerifiedRegistration

from protocol.errors import ErrorCode
from services.accounts.context import AccountServices, RelyingParty
from services.errors import DomainError
from storage.errors import NotFound
from storage.keys import hash_token

CEREMONY_LIFETIME_SECONDS = 180.0
VERIFY_THREADS = 4
_VERIFY_LIMITER = trio.CapacityLimiter(VERIFY_THREADS)
REFUSED = "the passkey response is not valid"
EXPIRED = "the passkey challenge is unknown, used or expired; start again"


@dataclasses.dataclass(frozen=True, slots=True)
class Taken:
    """A consumed ceremony: its challenge and the user it was issued for ("" if none)."""

    challenge: bytes
    user_id: str


async def begin(services: AccountServices, purpose: str, user_id: str) -> bytes:
    """A fresh challenge kept as a one-time token of ``purpose`` for ``user_id``."""
    challenge = secrets.token_bytes(32)
    await services.tokens.issue(
        user_id=user_id,
        purpose=purpose,
        token_hash=hash_token(f"webauthn:{bytes_to_base64url(challenge)}"),
        expires_at=services.clock() + CEREMONY_LIFETIME_SECONDS,
    )
    return challenge


def signed_challenge(client_data_json: str) -> str:
    """The base64url challenge inside a response's ``clientDataJSON`` (``invalid`` if none)."""
    try:
        client_data = json.loads(base64url_to_bytes(client_data_json))
        challenge = client_data["challenge"]
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise DomainError(ErrorCode.INVALID, "clientDataJSON is not valid") from None
    if not isinstance(challenge, str) or len(challenge) > 128:
        raise DomainError(ErrorCode.INVALID, "clientDataJSON is not valid")
    return challenge


async def take(services: AccountServices, purpose: str, client_data_json: str) -> Taken:
    """Consume the ceremony the response answers; see the module docstring."""
    challenge = signed_challenge(client_data_json)
    try:
        issued = await services.tokens.consume(
            purpose=purpose, token_hash=hash_token(f"webauthn:{challenge}")
        )
        return Taken(challenge=base64url_to_bytes(challenge), user_id=issued.user_id)
    except (NotFound, ValueError, binascii.Error):
        raise DomainError(ErrorCode.UNAUTHORIZED, EXPIRED) from None


async def verify_registration(
    party: RelyingParty, credential: dict[str, Any], challenge: bytes
) -> VerifiedRegistration:
    """The checked attestation (user verification required), or ``unauthorized``."""

    def verify() -> VerifiedRegistration:
        return verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=party.rp_id,
            expected_origin=list(party.origins),
            require_user_verification=True,
        )

    try:
        return await trio.to_thread.run_sync(verify, limiter=_VERIFY_LIMITER)
    except (WebAuthnException, ValueError, KeyError, TypeError):
        raise DomainError(ErrorCode.UNAUTHORIZED, REFUSED) from None


async def verify_assertion(
    party: RelyingParty,
    credential: dict[str, Any],
    challenge: bytes,
    *,
    public_key: bytes,
    sign_count: int,
    require_user_verification: bool,
) -> int:
    """Check an assertion; returns the authenticator's new signature counter.

    py_webauthn refuses a counter that did not grow (when either is non-zero): a cloned
    authenticator or a replay.
    """

    def verify() -> int:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=party.rp_id,
            expected_origin=list(party.origins),
            credential_public_key=public_key,
            credential_current_sign_count=sign_count,
            require_user_verification=require_user_verification,
        )
        return int(verified.new_sign_count)

    try:
        return await trio.to_thread.run_sync(verify, limiter=_VERIFY_LIMITER)
    except (WebAuthnException, ValueError, KeyError, TypeError):
        raise DomainError(ErrorCode.UNAUTHORIZED, REFUSED) from None
