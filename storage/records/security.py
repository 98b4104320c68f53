"""Records of account security and lifecycle: passkeys, the login audit, account requests."""

from __future__ import annotations

from typing import Literal, TypeAlias

import msgspec

AccountRequestKind: TypeAlias = Literal["export", "deletion"]
AccountRequestState: TypeAlias = Literal[
    "pending", "building", "ready", "downloaded", "failed", "cancelled", "done"
]


class Passkey(msgspec.Struct, frozen=True, kw_only=True):
    """A WebAuthn credential of one user, addressed by its base64url credential id.

    ``public_key`` is the COSE key from the registration; ``sign_count`` the newest
    signature counter seen (0 for authenticators that keep none).
    """

    id: str
    user_id: str
    name: str
    public_key: bytes
    sign_count: int = 0
    transports: tuple[str, ...] = ()
    backed_up: bool = False
    created_at: float
    last_used_at: float | None = None


class SecurityEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One line of a user's login audit: a login, a step-up or a change of credentials.

    ``session_id`` is the public id of the session it opened or was made from ("" when
    none); ``method`` how the user proved it was them (``password``, ``totp``,
    ``backup_code``, ``email_code``, ``passkey``).
    """

    id: str
    user_id: str
    kind: str
    created_at: float
    method: str = ""
    session_id: str = ""
    ip_address: str = ""
    user_agent: str = ""


class AccountRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A data export or an account deletion a user asked for.

    An export goes ``pending → building → ready → downloaded`` (or ``failed``); its
    archive is ``archive_key`` (``size`` bytes) until ``expires_at``.  A deletion is
    ``pending`` until ``due_at`` (the end of the grace period), then ``building`` while
    it is carried out and ``done``, unless ``cancelled`` before.

    Work on a request is **claimed** (:meth:`AccountRequestStore.claim`): ``claimed_by``
    names the claim and ``due_at`` is when it lapses, so a request whose worker died is
    due again once that time passed; ``attempts`` counts the claims.  Unclaimed,
    ``due_at`` is when the request is due (a deletion: the end of its grace period).
    """

    id: str
    user_id: str
    kind: AccountRequestKind
    state: AccountRequestState
    created_at: float
    updated_at: float
    due_at: float
    archive_key: str | None = None
    size: int = 0
    expires_at: float | None = None
    error: str = ""
    claimed_by: str = ""
    attempts: int = 0
