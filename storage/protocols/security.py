"""Protocols of account security: passkeys, the login audit, export and deletion requests."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from storage.records import User
from storage.records.security import (
    AccountRequest,
    AccountRequestKind,
    AccountRequestState,
    Passkey,
    SecurityEvent,
)


class PasskeyStore(Protocol):
    """WebAuthn credentials; every method names the owner, so another user's id is unknown."""

    async def add(self, passkey: Passkey) -> Passkey:
        """Store a new credential; ``Conflict("passkey")`` when its id is registered."""
        ...

    async def get(self, credential_id: str) -> Passkey | None: ...

    async def list_for_user(self, user_id: str) -> list[Passkey]:
        """Oldest first."""
        ...

    async def rename(self, user_id: str, credential_id: str, name: str) -> Passkey:
        """``NotFound`` unless the user owns the credential."""
        ...

    async def remove(self, user_id: str, credential_id: str) -> bool: ...

    async def record_use(
        self, credential_id: str, *, expected_count: int, new_count: int, used_at: float
    ) -> bool:
        """Set the counter to ``new_count`` when it still is ``expected_count``.

        False (nothing changes) otherwise: of two concurrent uses of one assertion
        exactly one is recorded.
        """
        ...


class SecurityEventStore(Protocol):
    """The login audit of each user, newest first."""

    async def append(
        self,
        *,
        user_id: str,
        kind: str,
        method: str = "",
        session_id: str = "",
        ip_address: str = "",
        user_agent: str = "",
    ) -> SecurityEvent: ...

    async def list_for_user(
        self, user_id: str, *, before_id: str | None = None, limit: int = 100
    ) -> list[SecurityEvent]: ...

    async def last_for_session(
        self, user_id: str, session_id: str, kinds: Collection[str]
    ) -> SecurityEvent | None:
        """The newest event of ``kinds`` recorded with the session ``session_id``."""
        ...


class AccountRequestStore(Protocol):
    """Export and deletion requests, and the erasure of a deleted account."""

    async def create(
        self, *, user_id: str, kind: AccountRequestKind, due_at: float
    ) -> AccountRequest:
        """A new ``pending`` request."""
        ...

    async def get(self, request_id: str) -> AccountRequest:
        """``NotFound`` when unknown."""
        ...

    async def list_for_user(
        self, user_id: str, kind: AccountRequestKind, *, limit: int = 20
    ) -> list[AccountRequest]:
        """Newest first."""
        ...

    async def list_due(
        self, kind: AccountRequestKind, *, now: float, limit: int = 20
    ) -> list[AccountRequest]:
        """Requests of ``kind`` to work on at ``now``, oldest first: ``pending`` ones whose
        ``due_at`` is not after ``now`` and ``building`` ones whose claim lapsed."""
        ...

    async def claim(
        self,
        request_id: str,
        *,
        from_states: Collection[str],
        to_state: AccountRequestState,
        claimant: str,
        now: float,
        until: float,
    ) -> AccountRequest | None:
        """Claim the request for ``claimant`` until ``until``, when it is in one of
        ``from_states`` and due (``due_at`` not after ``now``: pending and due, or its
        previous claim lapsed).

        Decided atomically: the request moves to ``to_state`` with ``claimed_by`` =
        ``claimant``, ``due_at`` = ``until`` and ``attempts`` + 1, and is returned; None
        (nothing changes) when it is not claimable or unknown.  Of concurrent claims one
        wins.
        """
        ...

    async def renew(self, request_id: str, *, claimant: str, until: float) -> bool:
        """Extend ``claimant``'s claim to ``until``; False when the claim is no longer
        theirs (it lapsed and was taken, or the request moved on)."""
        ...

    async def transition(
        self,
        request_id: str,
        *,
        from_states: Collection[str],
        to_state: AccountRequestState,
        archive_key: str | None = None,
        size: int | None = None,
        expires_at: float | None = None,
        error: str | None = None,
        claimant: str | None = None,
    ) -> AccountRequest:
        """Move to ``to_state`` (setting the given fields) when in one of ``from_states``
        and, with ``claimant``, when the claim is ``claimant``'s: the move then ends the
        claim (``claimed_by`` empty, ``due_at`` now).

        Decided atomically: ``Conflict("state")`` otherwise, ``NotFound`` when unknown.
        """
        ...

    async def erase_account(self, tombstone: User) -> None:
        """Replace the user ``tombstone.id`` by ``tombstone`` and drop their private data.

        Gone: notifications, one-time tokens, document-store sessions, passkeys, the login
        audit and the user's other account requests (the deletion request itself stays,
        marked by the caller).  Content, memberships and the moderation log stay.
        """
        ...
