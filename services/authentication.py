"""Bearer tokens to principals: how the facade and the WebSocket gateway know who calls.

:class:`SessionAuthenticator` hashes the presented token, looks the login session up
(in Redis when configured, else in the embedded store) and returns a
:class:`~actors.realtime.ports.Principal` with the user's id, the session's public id and the
admin flag.  Unknown, expired and revoked tokens, and the tokens of globally banned
users (:mod:`services.bans`), all read as None, indistinguishably.

Sessions slide: a session used more than ``touch_interval`` seconds after it was last
touched gets ``last_seen_at`` = now and a new expiry ``lifetime`` seconds ahead.  Using a
session more often writes nothing, so a busy client costs one write a minute at most.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from services.bans import ban_in_force
from services.principal import Principal
from services.tokens import public_session_id
from storage.errors import NotFound
from storage.keys import hash_token
from storage.protocols.identity import SessionStore, UserStore
from storage.records import Session

MAX_TOKEN_LENGTH = 4096
SESSION_LIFETIME_SECONDS = 30 * 24 * 3600.0
TOUCH_INTERVAL_SECONDS = 60.0


@dataclasses.dataclass(frozen=True, slots=True)
class Authenticated:
    """A live session and who it acts for; ``touched`` when this lookup moved its expiry."""

    principal: Principal
    session: Session
    touched: bool


class SessionAuthenticator:
    """Looks bearer tokens up in a :class:`SessionStore`; see the module docstring."""

    def __init__(
        self,
        sessions: SessionStore,
        users: UserStore,
        *,
        lifetime: float = SESSION_LIFETIME_SECONDS,
        touch_interval: float = TOUCH_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._sessions = sessions
        self._users = users
        self._lifetime = lifetime
        self._touch_interval = touch_interval
        self._clock = clock

    async def authenticate(self, token: str) -> Principal | None:
        """The principal of the live session ``token`` opens, or None."""
        found = await self.authenticate_session(token)
        return None if found is None else found.principal

    async def session_alive(self, token_hash: str) -> bool:
        """Whether the login session ``token_hash`` still exists (not revoked, not expired,
        not vanished); ``StorageUnavailable`` when that cannot be told now."""
        return await self._sessions.get(token_hash) is not None

    async def authenticate_session(self, token: str) -> Authenticated | None:
        """The live session ``token`` opens and its principal (sliding its expiry), or None."""
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
        now = self._clock()
        if ban_in_force(user, now):
            return None
        touched = False
        if now - session.last_seen_at >= self._touch_interval:
            refreshed = await self._sessions.touch(token_hash, expires_at=now + self._lifetime)
            if refreshed is None:
                return None
            session, touched = refreshed, True
        principal = Principal(
            user_id=user.id, session_id=public_session_id(token_hash), is_admin=user.is_admin,
            token_hash=token_hash,
        )
        return Authenticated(principal=principal, session=session, touched=touched)
