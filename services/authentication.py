"""Bearer tokens to principals: how the facade and the WebSocket gateway know who calls.

:class:`SessionAuthenticator` hashes the presented token, looks the login session up
(in Redis when configured, else in the embedded store) and returns a
:class:`~actors.realtime.Principal` with the user's id, the session's public id and the
admin flag.  Unknown, expired and revoked tokens all read as None, indistinguishably.
"""

from __future__ import annotations

from actors.realtime import Principal
from services.tokens import public_session_id
from storage.errors import NotFound
from storage.keys import hash_token
from storage.protocols.identity import SessionStore, UserStore

MAX_TOKEN_LENGTH = 4096


class SessionAuthenticator:
    """Looks bearer tokens up in a :class:`SessionStore`."""

    def __init__(self, sessions: SessionStore, users: UserStore) -> None:
        self._sessions = sessions
        self._users = users

    async def authenticate(self, token: str) -> Principal | None:
        """The principal of the live session ``token`` opens, or None."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        token_hash = hash_token(token)
        session = await self._sessions.get(token_hash)
        if session is None:
            return None
        try:
            user = await self._users.get(session.user_id)
        except NotFound:
            return None
        return Principal(
            user_id=user.id, session_id=public_session_id(token_hash), is_admin=user.is_admin
        )
