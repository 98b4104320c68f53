"""Request and response bodies of ``/api/tokens`` and ``/api/bots`` (docs/AUTH.md).

Timestamps are integer milliseconds since the epoch; lists page with an opaque
``cursor`` / ``next_cursor``.  No view but :class:`CreatedTokenView` carries a secret.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from http_facade.pagination import CursorText
from protocol.fields import Identifier, TimestampMs, milliseconds
from services.accounts.api_tokens import MAX_LIFETIME_SECONDS, MIN_LIFETIME_SECONDS
from services.accounts.identity_rules import (
    DISPLAY_NAME_MAX_LENGTH,
    USERNAME_MAX_LENGTH,
    USERNAME_PATTERN,
)
from storage.records import User
from storage.records.api_tokens import ApiToken

DEFAULT_LIFETIME_SECONDS = 30 * 24 * 3600
TOKEN_NAME_MAX_LENGTH = 100

ScopeName = Literal["read", "write", "moderate", "admin"]
TokenName = Annotated[str, Meta(min_length=1, max_length=TOKEN_NAME_MAX_LENGTH)]
Username = Annotated[
    str, Meta(min_length=3, max_length=USERNAME_MAX_LENGTH, pattern=USERNAME_PATTERN)
]
DisplayName = Annotated[str, Meta(max_length=DISPLAY_NAME_MAX_LENGTH)]


class TokenCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A new token: its name, scopes, lifetime in seconds and, for a bot, the bot's id."""

    name: TokenName
    scopes: Annotated[list[ScopeName], Meta(min_length=1, max_length=4)]
    expires_in: Annotated[
        int, Meta(ge=MIN_LIFETIME_SECONDS, le=MAX_LIFETIME_SECONDS, description="Seconds.")
    ] = DEFAULT_LIFETIME_SECONDS
    bot_id: Identifier | None = None


class TokenView(msgspec.Struct, frozen=True, kw_only=True):
    """A token as its creator sees it (never the secret)."""

    id: str
    name: str
    user_id: str
    """The account the token acts as: its creator, or one of the creator's bots."""
    scopes: list[ScopeName]
    created_at: TimestampMs
    expires_at: TimestampMs
    last_used_at: TimestampMs | None

    @classmethod
    def of(cls, token: ApiToken) -> TokenView:
        return cls(
            id=token.id,
            name=token.name,
            user_id=token.user_id,
            scopes=list(token.scopes),  # type: ignore[arg-type]  # stored from ScopeName
            created_at=milliseconds(token.created_at),
            expires_at=milliseconds(token.expires_at),
            last_used_at=milliseconds(token.last_used_at),
        )


class CreatedTokenView(TokenView, frozen=True, kw_only=True):
    """A token just created: ``token`` is its secret, shown this once and never again."""

    token: str

    @classmethod
    def created(cls, token: ApiToken, secret: str) -> CreatedTokenView:
        return cls(**msgspec.structs.asdict(TokenView.of(token)), token=secret)


class PageQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A page: the previous page's ``next_cursor`` and how many items."""

    cursor: CursorText | None = None
    limit: Annotated[int, Meta(ge=1, le=100)] = 50


class TokenPage(msgspec.Struct, frozen=True, kw_only=True):
    """My tokens, newest first; ``next_cursor`` is null after the last page."""

    tokens: list[TokenView]
    next_cursor: str | None


class BotCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A new bot account of mine: its username and display name."""

    username: Username
    display_name: DisplayName = ""


class BotView(msgspec.Struct, frozen=True, kw_only=True):
    """A bot account of mine."""

    id: str
    username: str
    display_name: str
    is_bot: bool
    bot_owner_id: str | None
    created_at: TimestampMs

    @classmethod
    def of(cls, user: User) -> BotView:
        return cls(
            id=user.id, username=user.username, display_name=user.display_name,
            is_bot=user.is_bot, bot_owner_id=user.bot_owner_id,
            created_at=milliseconds(user.created_at),
        )


class BotPage(msgspec.Struct, frozen=True, kw_only=True):
    """My bots, oldest first; ``next_cursor`` is null after the last page."""

    bots: list[BotView]
    next_cursor: str | None
