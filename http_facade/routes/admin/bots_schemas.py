"""Request and response bodies of ``POST /api/admin/bot-accounts``."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from services.accounts.identity_rules import USERNAME_MAX_LENGTH, USERNAME_PATTERN

MAX_BOT_ACCOUNTS = 250
"""Accounts per request: bounds the request's work (four writes per account)."""

Username = Annotated[
    str, Meta(min_length=3, max_length=USERNAME_MAX_LENGTH, pattern=USERNAME_PATTERN)
]


class BotAccountsCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The usernames of the bot accounts to create (distinct, none taken yet)."""

    usernames: Annotated[list[Username], Meta(min_length=1, max_length=MAX_BOT_ACCOUNTS)]


class BotAccount(msgspec.Struct, frozen=True, kw_only=True):
    """A created bot account and its session: ``token`` is shown this once only."""

    user_id: str
    username: str
    token: str
    expires_at: int


class BotAccountList(msgspec.Struct, frozen=True, kw_only=True):
    """The created accounts, in the order asked."""

    accounts: list[BotAccount]
