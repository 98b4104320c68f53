"""Records of the identity aggregates: users, one-time tokens and sessions."""

from __future__ import annotations

from typing import TypeAlias

import msgspec

PreferenceValue: TypeAlias = str | int | float | bool | None
Preferences: TypeAlias = dict[str, PreferenceValue]


class User(msgspec.Struct, frozen=True, kw_only=True):
    """A registered account. ``username`` and ``email`` are unique case-insensitively."""

    id: str
    username: str
    email: str
    password_hash: str
    display_name: str = ""
    bio: str = ""
    avatar_file_id: str | None = None
    is_admin: bool = False
    email_verified: bool = False
    totp_secret: str | None = None
    totp_last_step: int | None = None
    """The newest TOTP time step accepted for this user: older and equal steps are replays."""
    pending_totp_secret: str | None = None
    """A TOTP secret handed out for enrolment and not yet confirmed with a code."""
    backup_code_hashes: tuple[str, ...] = ()
    """Digests of the unused two-factor backup codes (never the codes)."""
    preferences: Preferences = msgspec.field(default_factory=dict)
    blocked_user_ids: tuple[str, ...] = ()
    created_at: float = 0.0
    updated_at: float = 0.0
    is_bot: bool = False
    """A bot account (docs/AUTH.md, "Bots"): shown as a bot in every user view."""
    bot_owner_id: str | None = None
    """The user who owns this bot; None for people and for operators' load-test bots."""


class OneTimeToken(msgspec.Struct, frozen=True, kw_only=True):
    """A single-use token (email verification, password reset), stored by its hash."""

    token_hash: str
    user_id: str
    purpose: str
    created_at: float
    expires_at: float


class Session(msgspec.Struct, frozen=True, kw_only=True):
    """A login session addressed by the hash of its opaque bearer token."""

    token_hash: str
    user_id: str
    created_at: float
    last_seen_at: float
    expires_at: float
    user_agent: str = ""
    ip_address: str = ""
