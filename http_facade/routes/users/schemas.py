"""Request and response bodies of ``/api/users``.

Public views never carry an email address or anything of the account's security; only
:class:`MyProfile` (the caller's own) shows the email.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from http_facade.pagination import CursorText
from protocol.fields import milliseconds
from services.accounts.identity_rules import (
    BIO_MAX_LENGTH,
    DISPLAY_NAME_MAX_LENGTH,
    USERNAME_MAX_LENGTH,
    USERNAME_PATTERN,
)
from storage.records import User

MAX_PREFERENCES = 100
MAX_PREFERENCE_CHANGES = 50

Username = Annotated[
    str, Meta(min_length=3, max_length=USERNAME_MAX_LENGTH, pattern=USERNAME_PATTERN)
]
DisplayName = Annotated[str, Meta(min_length=1, max_length=DISPLAY_NAME_MAX_LENGTH)]
Bio = Annotated[str, Meta(max_length=BIO_MAX_LENGTH)]
PreferenceName = Annotated[str, Meta(min_length=1, max_length=64, pattern="^[A-Za-z0-9_-]+$")]
PreferenceValue = (
    Annotated[str, Meta(max_length=256)]
    | Annotated[int, Meta(ge=-(2**53), le=2**53)]
    | Annotated[float, Meta(ge=-1e15, le=1e15)]
    | bool
    | None
)


class ProfileUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The fields to change; absent fields stay as they are."""

    username: Username | UnsetType = UNSET
    display_name: DisplayName | UnsetType = UNSET
    bio: Bio | UnsetType = UNSET


class PreferencesUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Preferences to set (merged into the stored ones; ``null`` is a value too)."""

    preferences: Annotated[
        dict[PreferenceName, PreferenceValue], Meta(max_length=MAX_PREFERENCE_CHANGES)
    ]


class AdminFlagUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Whether the user is a global admin."""

    is_admin: bool


class UserSearchQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A username prefix (case-insensitive) and how many users to return."""

    q: Annotated[str, Meta(min_length=1, max_length=USERNAME_MAX_LENGTH)]
    cursor: CursorText | None = None
    limit: Annotated[int, Meta(ge=1, le=50)] = 20


class PublicProfile(msgspec.Struct, frozen=True, kw_only=True):
    """What anyone may see of a user."""

    id: str
    username: str
    display_name: str
    bio: str
    avatar_file_id: str | None
    created_at: int
    is_bot: bool = False
    """A bot account (docs/AUTH.md, "Bots")."""
    bot_owner_id: str | None = None
    """The bot's owner (None for people and operators' load-test bots)."""
    avatar_url: str | None = None
    """The user's avatar (``GET /api/users/<id>/avatar``, versioned), or null."""

    @classmethod
    def of(cls, user: User) -> PublicProfile:
        """The public view of ``user``."""
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            bio=user.bio,
            avatar_file_id=user.avatar_file_id,
            created_at=milliseconds(user.created_at),
            is_bot=user.is_bot,
            bot_owner_id=user.bot_owner_id,
        )


class MyProfile(msgspec.Struct, frozen=True, kw_only=True):
    """My own account as I see it."""

    id: str
    username: str
    email: str
    email_verified: bool
    display_name: str
    bio: str
    avatar_file_id: str | None
    is_admin: bool
    two_factor_enabled: bool
    created_at: int
    is_bot: bool = False
    bot_owner_id: str | None = None
    avatar_url: str | None = None
    """My avatar (``PUT``/``DELETE /api/users/me/avatar``), or null."""

    @classmethod
    def of(cls, user: User) -> MyProfile:
        """The owner's view of ``user``."""
        return cls(
            id=user.id,
            username=user.username,
            email=user.email,
            email_verified=user.email_verified,
            display_name=user.display_name,
            bio=user.bio,
            avatar_file_id=user.avatar_file_id,
            is_admin=user.is_admin,
            two_factor_enabled=user.totp_secret is not None,
            created_at=milliseconds(user.created_at),
            is_bot=user.is_bot,
            bot_owner_id=user.bot_owner_id,
        )


class UserList(msgspec.Struct, frozen=True, kw_only=True):
    """Users in their public view; ``next_cursor`` pages on (None on the last page)."""

    users: list[PublicProfile]
    next_cursor: str | None


class PreferencesView(msgspec.Struct, frozen=True, kw_only=True):
    """My preferences."""

    preferences: dict[str, str | int | float | bool | None]


class AdminFlag(msgspec.Struct, frozen=True, kw_only=True):
    """A user's admin flag after a change."""

    user_id: str
    is_admin: bool
