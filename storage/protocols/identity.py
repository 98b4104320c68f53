"""Protocols of the identity aggregates: users, one-time tokens, sessions."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from msgspec import UNSET, UnsetType

from storage.records import OneTimeToken, Preferences, Session, User


class UserStore(Protocol):
    """Accounts. Usernames and emails are unique after :func:`storage.keys.fold`.

    ``create``, ``change_username`` and ``change_email`` raise ``Conflict("username")`` or
    ``Conflict("email")``; every method addressing a user by id raises ``NotFound``.
    """

    async def create(
        self, *, username: str, email: str, password_hash: str, display_name: str = ""
    ) -> User: ...

    async def get(self, user_id: str) -> User: ...

    async def get_many(self, user_ids: Sequence[str]) -> list[User]:
        """The users that exist among ``user_ids``, in the order asked."""
        ...

    async def find_by_username(self, username: str) -> User | None: ...

    async def find_by_email(self, email: str) -> User | None: ...

    async def search(self, prefix: str, *, limit: int = 20) -> list[User]:
        """Users whose folded username starts with the folded ``prefix``, by username."""
        ...

    async def update_profile(
        self,
        user_id: str,
        *,
        display_name: str | UnsetType = UNSET,
        bio: str | UnsetType = UNSET,
        avatar_file_id: str | UnsetType | None = UNSET,
    ) -> User: ...

    async def change_username(self, user_id: str, username: str) -> User: ...

    async def change_email(self, user_id: str, email: str) -> User:
        """Set a new email and clear ``email_verified``."""
        ...

    async def set_password_hash(self, user_id: str, password_hash: str) -> None: ...

    async def set_totp_secret(self, user_id: str, secret: str | None) -> None: ...

    async def begin_totp_enrolment(self, user_id: str, secret: str) -> None:
        """Keep ``secret`` as the pending TOTP secret until :meth:`enable_totp` confirms it."""
        ...

    async def enable_totp(
        self, user_id: str, *, secret: str, step: int, backup_code_hashes: Sequence[str]
    ) -> None:
        """Make ``secret`` the TOTP secret, clear the pending one, record ``step`` as used
        and replace the backup codes with ``backup_code_hashes``."""
        ...

    async def disable_totp(self, user_id: str) -> None:
        """Clear the TOTP secret, the pending secret, the last used step and the backup codes."""
        ...

    async def use_totp_step(self, user_id: str, step: int) -> bool:
        """Record ``step`` as used when it is newer than the last used step.

        False (and nothing changes) when it is not: a replayed code.  Of concurrent callers
        presenting the same step, exactly one gets True.
        """
        ...

    async def replace_backup_codes(self, user_id: str, code_hashes: Sequence[str]) -> None: ...

    async def consume_backup_code(self, user_id: str, code_hash: str) -> bool:
        """Remove ``code_hash`` from the user's backup codes; True when it was there.

        Of concurrent callers presenting the same code, exactly one gets True.
        """
        ...

    async def set_email_verified(self, user_id: str, verified: bool) -> None: ...

    async def set_admin(self, user_id: str, is_admin: bool) -> None: ...

    async def mark_bot(self, user_id: str, owner_id: str | None) -> User:
        """Make the user a bot account owned by ``owner_id`` (None: an operators' bot)."""
        ...

    async def update_preferences(self, user_id: str, changes: Preferences) -> User:
        """Merge ``changes`` into the preferences (other keys are kept)."""
        ...

    async def block(self, user_id: str, blocked_user_id: str) -> None:
        """Add to the block list; blocking twice is a no-op."""
        ...

    async def unblock(self, user_id: str, blocked_user_id: str) -> None: ...


class TokenStore(Protocol):
    """Single-use expiring tokens (email verification, password reset), stored hashed.

    Callers pass :func:`storage.keys.hash_token` of the secret, never the secret.
    """

    async def issue(
        self, *, user_id: str, purpose: str, token_hash: str, expires_at: float
    ) -> OneTimeToken: ...

    async def consume(self, *, purpose: str, token_hash: str) -> OneTimeToken:
        """Atomically remove and return the token.

        Raises ``NotFound`` when it is unknown, of another purpose, already consumed or
        expired; of two concurrent consumers exactly one succeeds.
        """
        ...

    async def revoke_all(self, user_id: str, purpose: str) -> int:
        """Remove the user's tokens of ``purpose``; returns how many."""
        ...

    async def purge_expired(self) -> int:
        """Remove every token expired by the store's clock; returns how many."""
        ...


class SessionStore(Protocol):
    """Login sessions addressed by token hash. Expired sessions read as absent.

    Implemented by the document stores and by Redis (where expiry is a key TTL).
    """

    async def create(
        self,
        *,
        token_hash: str,
        user_id: str,
        expires_at: float,
        user_agent: str = "",
        ip_address: str = "",
    ) -> Session: ...

    async def get(self, token_hash: str) -> Session | None: ...

    async def live_among(self, token_hashes: Collection[str]) -> set[str]:
        """Those of ``token_hashes`` whose sessions exist and have not expired, read
        together (a node's periodic check of its connections' logins)."""
        ...

    async def touch(self, token_hash: str, *, expires_at: float) -> Session | None:
        """Record activity now and move the expiry; None when the session is gone."""
        ...

    async def list_for_user(self, user_id: str) -> list[Session]:
        """The user's live sessions, most recently created first."""
        ...

    async def revoke(self, token_hash: str) -> bool: ...

    async def revoke_all(self, user_id: str, *, except_token_hash: str | None = None) -> int:
        """Revoke every session of the user but ``except_token_hash``; returns how many."""
        ...


class DocumentSessionStore(SessionStore, Protocol):
    """The session store of the document stores, which also purges what expired.

    (Redis expires sessions by key TTL, so its store has no purge.)
    """

    async def purge_expired(self) -> int:
        """Remove every session expired by the store's clock; returns how many."""
        ...
