"""The store of personal access tokens and bot ownership (docs/AUTH.md, "Tokens")."""

from __future__ import annotations

from typing import Protocol

from storage.records.api_tokens import ApiToken, BotOwnership


class ApiTokenStore(Protocol):
    """Tokens addressed by their id or the digest of their secret; bots by their owner.

    ``token_hash`` is unique: :meth:`create` raises ``Conflict`` on a repeat.  The store
    assigns ids and creation times (its clock).
    """

    async def create(
        self,
        *,
        token_hash: str,
        user_id: str,
        owner_id: str,
        name: str,
        scopes: tuple[str, ...],
        expires_at: float,
    ) -> ApiToken: ...

    async def find(self, token_hash: str) -> ApiToken | None:
        """The token whose secret digests to ``token_hash`` (expired ones too), or None."""
        ...

    async def list_for_owner(
        self, owner_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[ApiToken]:
        """The tokens ``owner_id`` created, newest first, ids below ``before_id``."""
        ...

    async def count_for_owner(self, owner_id: str) -> int: ...

    async def touch(self, token_id: str, used_at: float) -> None:
        """Record ``used_at`` as the token's last use (no error when it is gone)."""
        ...

    async def remove(self, owner_id: str, token_id: str) -> ApiToken | None:
        """Delete ``owner_id``'s token ``token_id``; the removed token, or None."""
        ...

    async def remove_for_user(self, user_id: str) -> list[ApiToken]:
        """Delete every token acting as or owned by ``user_id`` (account erasure)."""
        ...

    async def add_bot(self, bot_id: str, owner_id: str) -> BotOwnership: ...

    async def bots_of(self, owner_id: str) -> list[BotOwnership]:
        """The bots ``owner_id`` owns, oldest first."""
        ...
