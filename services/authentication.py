"""Bearer tokens to principals: how the facade and the WebSocket gateway know who calls.

:class:`SessionAuthenticator` hashes the presented token, looks the login session up
(in Redis when configured, else in the embedded store) and returns a
:class:`~actors.realtime.ports.Principal` with the user's id, the session's public id and the
admin flag.  Unknown, expired and revoked tokens, and the tokens of globally banned
users (:mod:`services.bans`), all read as None, indistinguishably.

Sessions slide: a session used more than ``touch_interval`` seconds after it was last
touched gets ``last_seen_at`` = now and a new expiry ``lifetime`` seconds ahead.  Using a
session more often writes nothing, so a busy client costs one write a minute at most.

Personal access tokens (``tfp_`` + 256 random bits, docs/AUTH.md "Tokens") are looked up
by their digest in the ``api_tokens`` store when one is handed in.  A token works until
its fixed ``expires_at`` (it does not slide); its ``last_used_at`` is written at most once
per ``touch_interval``.  Its principal acts as the token's user with the token's
``scopes``, the admin flag only when the user is an admin and the token has ``admin``,
and a ``session_id`` of its own (:func:`services.tokens.public_session_id` of its
digest), so revoking it closes exactly its WebSockets.  A token of a bot whose owner is
banned or gone is refused like the bot's own ban, and so is a token of an erased account
(its tombstone's address is at :data:`ERASED_EMAIL_DOMAIN`) even before the erasure
deletes it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Collection

from services.bans import ban_in_force
from services.principal import Principal
from services.tokens import public_session_id
from storage.errors import NotFound
from storage.keys import hash_token
from storage.protocols.api_tokens import ApiTokenStore
from storage.protocols.identity import SessionStore, UserStore
from storage.records import Session, User
from storage.records.api_tokens import ApiToken

MAX_TOKEN_LENGTH = 4096
SESSION_LIFETIME_SECONDS = 30 * 24 * 3600.0
TOUCH_INTERVAL_SECONDS = 60.0
API_TOKEN_PREFIX = "tfp_"  # noqa: S105 - a prefix, not a secret
"""How a personal access token starts: it is looked up in the token store, not sessions."""
ERASED_EMAIL_DOMAIN = "deleted.invalid"
"""The domain of an erased account's tombstone address (docs/AUTH.md, "Deletion")."""


@dataclasses.dataclass(frozen=True, slots=True)
class Authenticated:
    """A live session and who it acts for; ``touched`` when this lookup moved its expiry.

    ``session`` is None when a personal access token authenticated (it never slides).
    """

    principal: Principal
    session: Session | None
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
        api_tokens: ApiTokenStore | None = None,
    ) -> None:
        self._sessions = sessions
        self._api_tokens = api_tokens
        self._users = users
        self._lifetime = lifetime
        self._touch_interval = touch_interval
        self._clock = clock

    async def authenticate(self, token: str) -> Principal | None:
        """The principal of the live session ``token`` opens, or None."""
        found = await self.authenticate_session(token)
        return None if found is None else found.principal

    async def alive_among(self, token_hashes: Collection[str]) -> set[str]:
        """Those of ``token_hashes`` whose login session still exists (not revoked, not
        expired, not vanished), read together, and those that are personal access tokens
        still valid (one read each: what is not a live session);
        ``StorageUnavailable`` when that cannot be told now."""
        alive = await self._sessions.live_among(token_hashes)
        if self._api_tokens is None:
            return alive
        now = self._clock()
        for token_hash in token_hashes:
            if token_hash not in alive:
                found = await self._api_tokens.find(token_hash)
                if found is not None and now < found.expires_at:
                    alive.add(token_hash)
        return alive

    async def authenticate_session(self, token: str) -> Authenticated | None:
        """The live session ``token`` opens and its principal (sliding its expiry), or None."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        token_hash = hash_token(token)
        if token.startswith(API_TOKEN_PREFIX):
            return await self._authenticate_api_token(token_hash)
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

    async def _authenticate_api_token(self, token_hash: str) -> Authenticated | None:
        if self._api_tokens is None:
            return None
        found = await self._api_tokens.find(token_hash)
        now = self._clock()
        if found is None or now >= found.expires_at:
            return None
        user = await self._usable_user(found.user_id, now)
        if user is None:
            return None
        if found.owner_id != found.user_id and await self._usable_user(found.owner_id, now) is None:
            return None
        touched = found.last_used_at is None or now - found.last_used_at >= self._touch_interval
        if touched:
            await self._api_tokens.touch(found.id, now)
        return Authenticated(principal=token_principal(found, user), session=None, touched=False)

    async def _usable_user(self, user_id: str, now: float) -> User | None:
        try:
            user = await self._users.get(user_id)
        except NotFound:
            return None
        if ban_in_force(user, now) or user.email.endswith("@" + ERASED_EMAIL_DOMAIN):
            return None
        return user


def token_principal(token: ApiToken, user: User) -> Principal:
    """The principal a personal access token of ``user`` authenticates as."""
    return Principal(
        user_id=user.id,
        session_id=public_session_id(token.token_hash),
        is_admin=user.is_admin and "admin" in token.scopes,
        token_hash=token.token_hash,
        scopes=token.scopes,
    )
