"""Bodies of the passkey, emailed-code, step-up and account-lifecycle routes.

WebAuthn credentials are the JSON form of a ``PublicKeyCredential`` (what its
``toJSON()`` gives, binary fields base64url); only the fields the server checks are
read (others inside ``response`` are ignored), each bounded.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from http_facade.routes.auth.schemas import Code, Email, Password, Request, SecretToken
from services.accounts.identity_rules import USERNAME_MAX_LENGTH

Base64Url = Annotated[str, Meta(min_length=1, max_length=2048, pattern=r"^[A-Za-z0-9_=-]+$")]
LongBase64Url = Annotated[
    str, Meta(min_length=1, max_length=16384, pattern=r"^[A-Za-z0-9_=-]+$")
]
PasskeyName = Annotated[str, Meta(min_length=1, max_length=64)]
Transport = Annotated[str, Meta(min_length=1, max_length=32)]
ExtensionName = Annotated[str, Meta(max_length=64)]
SessionTransport = Literal["cookie", "bearer"]


class AttestationResponse(msgspec.Struct, frozen=True, kw_only=True):
    """``response`` of a ``navigator.credentials.create()`` credential."""

    clientDataJSON: Base64Url
    attestationObject: LongBase64Url
    transports: Annotated[list[Transport], Meta(max_length=8)] = msgspec.field(
        default_factory=list
    )


class RegistrationCredential(msgspec.Struct, frozen=True, kw_only=True):
    """A new passkey, as ``PublicKeyCredential.toJSON()`` gives it."""

    id: Base64Url
    rawId: Base64Url
    type: Literal["public-key"]
    response: AttestationResponse
    authenticatorAttachment: Literal["platform", "cross-platform"] | None = None
    clientExtensionResults: dict[ExtensionName, Any] = msgspec.field(
        default_factory=dict
    )


class AssertionResponse(msgspec.Struct, frozen=True, kw_only=True):
    """``response`` of a ``navigator.credentials.get()`` credential."""

    clientDataJSON: Base64Url
    authenticatorData: Base64Url
    signature: Base64Url
    userHandle: Annotated[str, Meta(max_length=256)] | None = None


class AssertionCredential(msgspec.Struct, frozen=True, kw_only=True):
    """A passkey's signature, as ``PublicKeyCredential.toJSON()`` gives it."""

    id: Base64Url
    rawId: Base64Url
    type: Literal["public-key"]
    response: AssertionResponse
    authenticatorAttachment: Literal["platform", "cross-platform"] | None = None
    clientExtensionResults: dict[ExtensionName, Any] = msgspec.field(
        default_factory=dict
    )


class CredentialOptions(msgspec.Struct, frozen=True, kw_only=True):
    """WebAuthn options in their JSON form: pass ``public_key`` to
    ``PublicKeyCredential.parseCreationOptionsFromJSON`` (or ``…RequestOptions…``)."""

    public_key: dict[str, Any]


class RegisterPasskeyRequest(Request, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The created credential and a name for it."""

    credential: RegistrationCredential
    name: PasskeyName = "passkey"


class RenamePasskeyRequest(Request, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A new name."""

    name: PasskeyName


class PasskeyView(msgspec.Struct, frozen=True, kw_only=True):
    """One of my passkeys (times in seconds since the epoch)."""

    id: str
    name: str
    created_at: int
    last_used_at: int | None
    backed_up: bool
    transports: list[str]


class PasskeyList(msgspec.Struct, frozen=True, kw_only=True):
    """My passkeys, oldest first; ``next_cursor`` pages on (None at the end)."""

    passkeys: list[PasskeyView]
    next_cursor: str | None


class PasskeyOptionsRequest(Request, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Empty for a passkey-only login; the password step's ``challenge`` for a second factor."""

    challenge: SecretToken | None = None


class PasskeyLoginRequest(Request, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The signed assertion; ``challenge`` only when it completes a password login."""

    credential: AssertionCredential
    challenge: SecretToken | None = None
    session_transport: SessionTransport = "bearer"


class ChallengeRequest(Request, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The challenge of a password login."""

    challenge: SecretToken


class EmailCodeLoginRequest(Request, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The challenge of a password login and the code that was emailed for it."""

    challenge: SecretToken
    code: Code
    session_transport: SessionTransport = "bearer"


class StepUpRequest(Request, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """My password, and a TOTP or backup code when TOTP is on."""

    password: Password
    code: Code | None = None


class PasskeyStepUpRequest(Request, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A user-verified assertion of one of my passkeys."""

    credential: AssertionCredential


class StepUpResponse(msgspec.Struct, frozen=True, kw_only=True):
    """Sensitive actions are allowed from this session until ``expires_at``."""

    expires_at: int


class ChangeEmailRequest(Request, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The new address (a confirmation link goes there)."""

    email: Email


class UsernameQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The name to check."""

    username: Annotated[str, Meta(min_length=1, max_length=USERNAME_MAX_LENGTH)]


class UsernameAvailability(msgspec.Struct, frozen=True, kw_only=True):
    """Whether the name can be taken; ``problem`` says why not when it breaks a rule."""

    username: str
    available: bool
    problem: str | None = None


class ExportView(msgspec.Struct, frozen=True, kw_only=True):
    """One data export: ``state`` is pending, building, ready, downloaded or failed.

    The download link is sent by email (and announced by notification) when ready.
    """

    id: str
    state: str
    created_at: int
    size: int
    expires_at: int | None


class ExportList(msgspec.Struct, frozen=True, kw_only=True):
    """My recent exports, newest first; ``next_cursor`` pages on (None at the end)."""

    exports: list[ExportView]
    next_cursor: str | None


class DeletionStatus(msgspec.Struct, frozen=True, kw_only=True):
    """Whether my account is scheduled for deletion, and when it happens."""

    scheduled: bool
    due_at: int | None = None


class ExportDownloadQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A signed link's parameters (from the export-ready email)."""

    expires: Annotated[int, Meta(ge=0, le=2**53 - 1)]
    signature: Annotated[str, Meta(min_length=64, max_length=64, pattern=r"^[0-9a-f]{64}$")]
