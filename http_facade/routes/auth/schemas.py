"""Request and response bodies of ``/api/auth``: msgspec Structs with explicit limits.

Requests forbid unknown fields and bound every string, so that bad input is refused with
400 ``invalid`` before any handler runs; the same limits appear in the OpenAPI document.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from services.accounts.identity_rules import (
    DISPLAY_NAME_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    EMAIL_PATTERN,
    USERNAME_MAX_LENGTH,
    USERNAME_PATTERN,
)
from services.bans import BanNotice
from services.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

Username = Annotated[
    str, Meta(min_length=3, max_length=USERNAME_MAX_LENGTH, pattern=USERNAME_PATTERN)
]
Email = Annotated[str, Meta(min_length=5, max_length=EMAIL_MAX_LENGTH, pattern=EMAIL_PATTERN)]
NewPassword = Annotated[
    str, Meta(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)
]
Password = Annotated[str, Meta(min_length=1, max_length=MAX_PASSWORD_LENGTH)]
LoginIdentifier = Annotated[str, Meta(min_length=1, max_length=EMAIL_MAX_LENGTH)]
SecretToken = Annotated[str, Meta(min_length=1, max_length=256)]
Code = Annotated[str, Meta(min_length=1, max_length=32)]
DisplayName = Annotated[str, Meta(max_length=DISPLAY_NAME_MAX_LENGTH)]
SessionTransport = Literal["cookie", "bearer"]


class Request(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Base of request bodies: unknown fields are refused."""


class RegisterRequest(Request, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A new account."""

    username: Username
    email: Email
    password: NewPassword
    display_name: DisplayName = ""


class EmailRequest(Request, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """An email address to send a link to."""

    email: Email


class TokenRequest(Request, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The token from an emailed link."""

    token: SecretToken


class LoginRequest(Request, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Username or email, and password.

    ``session_transport`` picks how the session token is handed over: ``bearer`` in the
    body, ``cookie`` as an HttpOnly cookie only (browsers).
    """

    login: LoginIdentifier
    password: Password
    session_transport: SessionTransport = "bearer"


class TwoFactorLoginRequest(Request, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The challenge from the password step and a TOTP code or a backup code."""

    challenge: SecretToken
    code: Code
    session_transport: SessionTransport = "bearer"


class ResetPasswordRequest(Request, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The token from a reset link and the new password."""

    token: SecretToken
    new_password: NewPassword


class ChangePasswordRequest(Request, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The current password and the new one."""

    current_password: Password
    new_password: NewPassword


class PasswordRequest(Request, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The current password, to confirm a sensitive change."""

    password: Password


class CodeRequest(Request, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A TOTP code from the authenticator app."""

    code: Code


class DisableTwoFactorRequest(Request, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The current password and a TOTP or backup code."""

    password: Password
    code: Code


class LoginResponse(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Logged in (``authenticated``) or a code is needed (``two_factor_required``).

    ``token`` is present only for ``session_transport: bearer``; ``challenge`` only when
    a second factor is required.
    """

    status: Literal["authenticated", "two_factor_required"]
    user_id: str | None = None
    session_id: str | None = None
    token: str | None = None
    expires_at: int | None = None
    challenge: str | None = None
    challenge_expires_at: int | None = None
    methods: list[Literal["totp", "email_code", "passkey"]] | None = None
    """With a challenge: the second factors that complete it."""


class LoginRefusal(msgspec.Struct, frozen=True, kw_only=True):
    """Why a correct password did not log in (403): the error object of the body.

    ``ban`` is present when the account is banned site-wide: the moderator's ``reason``
    (null when none was kept) and ``expires_at``, when the ban ends in epoch milliseconds (null
    for a permanent ban).  Without ``ban`` the refusal has another cause, told by
    ``message`` (an unconfirmed email address).
    """

    code: Literal["forbidden"]
    message: str
    ban: BanNotice | msgspec.UnsetType = msgspec.UNSET


class LoginRefused(msgspec.Struct, frozen=True, kw_only=True):
    """The 403 body of a login: ``{"error": {"code": "forbidden", "message", "ban"?}}``."""

    error: LoginRefusal


class SessionView(msgspec.Struct, frozen=True, kw_only=True):
    """One login session of mine; ``current`` marks the one making this request."""

    id: str
    created_at: int
    last_seen_at: int
    expires_at: int
    user_agent: str
    ip_address: str
    current: bool


class SessionList(msgspec.Struct, frozen=True, kw_only=True):
    """My live login sessions, newest first; ``next_cursor`` pages on (None at the end)."""

    sessions: list[SessionView]
    next_cursor: str | None


class RevokedSessions(msgspec.Struct, frozen=True, kw_only=True):
    """How many sessions ended."""

    revoked: int


class TwoFactorStatus(msgspec.Struct, frozen=True, kw_only=True):
    """Whether TOTP is on, how many backup codes are left, whether a setup is pending;
    whether emailed codes are on and how many passkeys I have."""

    enabled: bool
    backup_codes_remaining: int
    setup_pending: bool
    email_codes: bool = False
    passkeys: int = 0


class TwoFactorSetup(msgspec.Struct, frozen=True, kw_only=True):
    """The secret for an authenticator app; confirm it with a code to turn TOTP on."""

    secret: str
    provisioning_uri: str


class BackupCodes(msgspec.Struct, frozen=True, kw_only=True):
    """Single-use codes that replace a TOTP code once each. Shown only this once."""

    backup_codes: list[str]
