"""Login sessions: opening (with rotation), listing and revoking them.

A session is an opaque random token (:func:`services.tokens.new_token`); only its
:func:`storage.keys.hash_token` digest is stored, and APIs name it by
:func:`services.tokens.public_session_id`.  Every revocation is also announced to the
node's live connections, so a revoked session's WebSockets close at once (4001).
"""

from __future__ import annotations

import dataclasses

from protocol.close_codes import CloseCode
from protocol.enums import GoodbyeReason
from protocol.errors import ErrorCode
from services.accounts.audit import LOGIN, record_event
from services.accounts.context import AccountServices, ClientInfo
from services.authentication import SESSION_LIFETIME_SECONDS
from services.errors import DomainError
from services.tokens import new_token, public_session_id
from storage.keys import hash_token
from storage.records import Session, User

USER_AGENT_MAX_LENGTH = 200


@dataclasses.dataclass(frozen=True, slots=True)
class OpenedSession:
    """A new login session: the secret ``token`` exists only here and in the response."""

    user: User
    token: str = dataclasses.field(repr=False)
    session: Session

    @property
    def session_id(self) -> str:
        """The public id of the session."""
        return public_session_id(self.session.token_hash)


async def open_session(
    services: AccountServices,
    user: User,
    client: ClientInfo,
    previous_token: str | None,
    *,
    method: str = "password",
) -> OpenedSession:
    """Start a session for ``user``; the session ``previous_token`` named (if any) ends.

    Rotation: each login gets a fresh token, and a login made while presenting an older
    token (a browser's old cookie) revokes that one, whoever it belonged to.  The login
    is recorded in the user's audit with ``method`` (:mod:`services.accounts.audit`).
    """
    if previous_token:
        await revoke_token(services, previous_token)
    token = new_token()
    session = await services.sessions.create(
        token_hash=hash_token(token),
        user_id=user.id,
        expires_at=services.clock() + SESSION_LIFETIME_SECONDS,
        user_agent=client.user_agent[:USER_AGENT_MAX_LENGTH],
        ip_address=client.address,
    )
    opened = OpenedSession(user=user, token=token, session=session)
    await record_event(
        services, user.id, LOGIN, method=method, session_id=opened.session_id, client=client
    )
    return opened


async def revoke_token(services: AccountServices, token: str) -> bool:
    """End the session ``token`` opens (logout); False when there was none."""
    token_hash = hash_token(token)
    revoked = await services.sessions.revoke(token_hash)
    if services.connections is not None:
        services.connections.revoke_login(public_session_id(token_hash))
    return revoked


async def list_sessions(services: AccountServices, user_id: str) -> list[Session]:
    """The user's live sessions, newest first."""
    return await services.sessions.list_for_user(user_id)


async def revoke_session(services: AccountServices, user_id: str, session_id: str) -> None:
    """End the user's session whose public id is ``session_id`` (``not_found`` otherwise).

    Only the user's own sessions are searched, so another user's id reads as unknown.
    """
    for session in await services.sessions.list_for_user(user_id):
        if public_session_id(session.token_hash) == session_id:
            await services.sessions.revoke(session.token_hash)
            if services.connections is not None:
                services.connections.revoke_login(session_id)
            return
    raise DomainError(ErrorCode.NOT_FOUND, "no such session")


async def revoke_other_sessions(
    services: AccountServices, user_id: str, keep_token_hash: str
) -> int:
    """End every session of the user but ``keep_token_hash``; returns how many ended."""
    others = [
        session.token_hash
        for session in await services.sessions.list_for_user(user_id)
        if session.token_hash != keep_token_hash
    ]
    revoked = await services.sessions.revoke_all(user_id, except_token_hash=keep_token_hash)
    if services.connections is not None:
        for token_hash in others:
            services.connections.revoke_login(public_session_id(token_hash))
    return revoked


async def revoke_every_session(services: AccountServices, user_id: str) -> int:
    """End all the user's sessions and close all their WebSockets (password reset)."""
    revoked = await services.sessions.revoke_all(user_id)
    if services.connections is not None:
        services.connections.disconnect_user(
            user_id, GoodbyeReason.SESSION_REVOKED, CloseCode.UNAUTHORIZED
        )
    return revoked
