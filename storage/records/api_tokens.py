"""Records of personal access tokens and of bot accounts' ownership (docs/AUTH.md).

A token is stored by the SHA-256 of its secret (:func:`storage.keys.hash_token`), never the
secret.  ``user_id`` is the account it acts as (its owner, or a bot the owner owns);
``owner_id`` the human who created it and may list and revoke it.
"""

from __future__ import annotations

import msgspec


class ApiToken(msgspec.Struct, frozen=True, kw_only=True):
    """A personal access token: who it acts as, what it may do and until when."""

    id: str
    token_hash: str
    user_id: str
    owner_id: str
    name: str
    scopes: tuple[str, ...]
    created_at: float
    expires_at: float
    last_used_at: float | None = None


class BotOwnership(msgspec.Struct, frozen=True, kw_only=True):
    """A bot account (``bot_id``, a user) and the user who owns it."""

    bot_id: str
    owner_id: str
    created_at: float
