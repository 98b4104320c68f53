"""The WebSocket endpoint ``/ws``: handshake, then one :class:`ConnectionSession` per socket.

The endpoint is a plain ASGI handler placed in front of the Quart app (every other path
and every HTTP request goes to Quart).  Skipping Quart's request machinery keeps a held
connection small and lets the handshake answer with real HTTP statuses:

* no supported subprotocol offered → HTTP 400 (browsers would reject a default anyway);
* ``Authorization: Bearer`` with an unknown, expired or revoked token → HTTP 401;
* the session cookie (browsers) is honoured only from an allowed ``Origin`` → else 403;
* otherwise the upgrade is accepted and the client authenticates in its first frame.

:class:`Gateway` keeps the node's live sessions by login session and by user, so that a
revoked session or a banned user is disconnected at once, and drains them on shutdown.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie

import trio

from actors.realtime.session import ConnectionSession, SessionServices
from http_facade.middleware.security import SESSION_COOKIE, origin_allowed
from http_facade.websocket.asgi_transport import AsgiApp, Receive, Scope, Send
from http_facade.websocket.hypercorn_direct import (
    DirectAsgiTransport,
    attach,
    release_handshake,
)
from protocol.close_codes import CloseCode
from protocol.codecs import Codec, negotiate
from protocol.enums import GoodbyeReason
from services.principal import Principal
from storage.errors import StorageUnavailable
from topicsflow.settings import Settings

logger = logging.getLogger(__name__)

SESSION_CHECK_SECONDS = 60.0
"""How often open connections' login sessions are checked to still exist."""
SESSION_CHECK_BATCH = 500
"""Login sessions checked by one store read of a sweep."""
SESSION_CHECK_PAUSE_SECONDS = 0.05
"""The pause between two reads of a sweep, which spreads a large one over seconds."""

WEBSOCKET_PATH = "/ws"


class Gateway:
    """The node's WebSocket endpoint and its registry of live sessions."""

    def __init__(self, settings: Settings, services: SessionServices) -> None:
        self._settings = settings
        self._services = services
        self._by_login: dict[str, set[ConnectionSession]] = {}
        self._by_user: dict[str, set[ConnectionSession]] = {}
        self._anonymous: set[ConnectionSession] = set()
        self._draining = False
        self._direct_open = 0
        self._open = 0
        self.relay_revoke: Callable[[str], None] | None = None
        """Cluster mode: tells the other nodes about a revocation made here."""
        self.relay_disconnect: Callable[[str, GoodbyeReason, CloseCode], None] | None = None
        """Cluster mode: tells the other nodes about a user disconnection made here."""

    @property
    def services(self) -> SessionServices:
        """What every session of this gateway shares (hub, authenticator, router…)."""
        return self._services

    def wrap(self, app: Callable[..., Awaitable[None]]) -> AsgiApp:
        """An ASGI app serving ``/ws`` here and everything else with ``app``."""

        async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "websocket" and scope["path"] == WEBSOCKET_PATH:
                await self.handle(scope, receive, send)
            else:
                await app(scope, receive, send)

        return asgi

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one WebSocket from the handshake to the close."""
        accepted = await self._accept(scope, receive, send)
        if accepted is not None:
            # The handshake's headers and messages are gone by now: only what the session
            # keeps stays for the connection's lifetime (memory per idle connection).
            release_handshake(scope, send)
            # The session runs in this coroutine (no frame of its own: memory per connection).
            codec, principal = accepted
            transport = attach(receive, send)
            session = ConnectionSession(transport, codec, self._services, principal)
            direct = isinstance(transport, DirectAsgiTransport)
            self._direct_open += direct
            self._open += 1
            if principal is None:
                self._anonymous.add(session)
                session.on_authenticated = lambda: self._register(session)
            else:
                self._register(session)
            try:
                await session.run()
            finally:
                self._direct_open -= direct
                self._open -= 1
                self._anonymous.discard(session)
                if session.principal is not None:
                    _discard(self._by_login, session.principal.session_id, session)
                    _discard(self._by_user, session.principal.user_id, session)

    async def _accept(
        self, scope: Scope, receive: Receive, send: Send
    ) -> tuple[Codec, Principal | None] | None:
        """Complete or refuse the handshake; the codec and principal when accepted."""
        connect = await receive()
        if connect["type"] != "websocket.connect":
            return None
        headers = {name.decode("latin-1").lower(): value.decode("latin-1")
                   for name, value in scope.get("headers", [])}
        codec = negotiate(list(scope.get("subprotocols", [])))
        if self._draining:
            await refuse(scope, send, 503, "unavailable", "the server is shutting down")
            return None
        if codec is None:
            await refuse(scope, send, 400, "invalid", "offer topicsflow.v1.json or .msgpack")
            return None
        principal, refusal = await self._handshake_principal(headers)
        if refusal is not None:
            await refuse(scope, send, *refusal)
            return None
        await send({"type": "websocket.accept", "subprotocol": codec.subprotocol})
        return codec, principal

    async def _handshake_principal(
        self, headers: dict[str, str]
    ) -> tuple[Principal | None, tuple[int, str, str] | None]:
        authorization = headers.get("authorization", "")
        token: str | None = None
        if authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
        elif SESSION_COOKIE in headers.get("cookie", ""):
            cookie = SimpleCookie()
            cookie.load(headers["cookie"])
            morsel = cookie.get(SESSION_COOKIE)
            own_origin = f"http://{headers.get('host', '')}"
            secure_origin = f"https://{headers.get('host', '')}"
            origin = headers.get("origin")
            allowed = self._settings.cors_origins
            if not (origin_allowed(origin, own_origin, allowed)
                    or origin_allowed(origin, secure_origin, allowed)):
                return None, (403, "forbidden", "cross-site WebSocket refused")
            token = morsel.value if morsel is not None else None
        if token is None:
            return None, None
        try:
            principal = await self._services.authenticator.authenticate(token)
        except StorageUnavailable:
            logger.warning("a WebSocket upgrade was refused: the session store is unavailable")
            return None, (503, "unavailable", "sessions are unavailable; retry")
        if principal is None:
            return None, (401, "unauthorized", "invalid or expired token")
        return principal, None

    def _register(self, session: ConnectionSession) -> None:
        """Index an authenticated session by login and user (for revocations, bans)."""
        assert session.principal is not None
        self._anonymous.discard(session)
        self._by_login.setdefault(session.principal.session_id, set()).add(session)
        self._by_user.setdefault(session.principal.user_id, set()).add(session)

    async def check_sessions(
        self,
        interval: float = SESSION_CHECK_SECONDS,
        *,
        task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED,
    ) -> None:
        """Every ``interval`` seconds, close (4001, ``session_revoked``) the connections
        whose login session no longer exists — revoked elsewhere without a relay, expired,
        or lost.  One session-store read per :data:`SESSION_CHECK_BATCH` login sessions
        (not per connection, nor per login: 10,000 logins are 20 reads, not 10,000 in a
        row), with :data:`SESSION_CHECK_PAUSE_SECONDS` between reads.  A sweep that
        cannot reach the session store is skipped: an outage closes nobody."""
        task_status.started()
        while True:
            await trio.sleep(interval)
            logins = self._checkable_logins()
            for start in range(0, len(logins), SESSION_CHECK_BATCH):
                if start:
                    await trio.sleep(SESSION_CHECK_PAUSE_SECONDS)
                batch = logins[start:start + SESSION_CHECK_BATCH]
                try:
                    alive = await self._services.authenticator.alive_among(
                        {token_hash for _, token_hash in batch}
                    )
                except StorageUnavailable:
                    logger.info("session check skipped: the session store is unavailable")
                    break
                for session_id, token_hash in batch:
                    if token_hash not in alive:
                        self.revoke_login(session_id, relay=False)

    def _checkable_logins(self) -> list[tuple[str, str]]:
        """``(session id, token hash)`` of every login with a connection here."""
        logins = []
        for session_id, group in self._by_login.items():
            member = next(iter(group), None)
            if member is not None and member.principal is not None \
                    and member.principal.token_hash:
                logins.append((session_id, member.principal.token_hash))
        return logins

    def revoke_login(self, session_id: str, *, relay: bool = True) -> int:
        """Disconnect every connection of login session ``session_id`` (4001), here and,
        with ``relay``, on the other nodes; returns how many were open on this node."""
        sessions = list(self._by_login.get(session_id, ()))
        for session in sessions:
            session.terminate(CloseCode.UNAUTHORIZED, "session revoked",
                              goodbye=GoodbyeReason.SESSION_REVOKED)
        if relay and self.relay_revoke is not None:
            self.relay_revoke(session_id)
        return len(sessions)

    def disconnect_user(
        self, user_id: str, reason: GoodbyeReason, code: CloseCode, *, relay: bool = True
    ) -> int:
        """Disconnect every connection of ``user_id`` (bans, password changes), here and,
        with ``relay``, on the other nodes; returns how many were open on this node."""
        sessions = list(self._by_user.get(user_id, ()))
        for session in sessions:
            session.terminate(code, str(reason), goodbye=reason)
        if relay and self.relay_disconnect is not None:
            self.relay_disconnect(user_id, reason, code)
        return len(sessions)

    def reset_all(self) -> int:
        """Close every connection with 1011 so clients reconnect and resume from storage
        (cluster mode, after this node may have missed relayed events)."""
        every = {*self._anonymous}
        for group in self._by_login.values():
            every.update(group)
        for session in every:
            session.terminate(CloseCode.INTERNAL_ERROR, "resynchronising",
                              goodbye=GoodbyeReason.INTERNAL_ERROR)
        return len(every)

    def drain(self) -> None:
        """Refuse new connections and say goodbye to every open one (1001)."""
        self._draining = True
        every = {*self._anonymous}
        for group in self._by_login.values():
            every.update(group)
        for session in every:
            session.terminate(CloseCode.GOING_AWAY, "server shutting down",
                              goodbye=GoodbyeReason.SHUTDOWN)

    def sessions(self) -> list[ConnectionSession]:
        """Every open session, authenticated or not (a copy; the ops dashboard lists them)."""
        every = [*self._anonymous]
        for group in self._by_login.values():
            every.extend(group)
        return every

    def evict(self, connection_id: str) -> bool:
        """Close the connection ``connection_id`` with 1001 (an operator's action; the
        client may reconnect and resume); False when no such connection is open here."""
        for session in self.sessions():
            if session.connection_id == connection_id:
                session.terminate(CloseCode.GOING_AWAY, "closed by an operator",
                                  goodbye=GoodbyeReason.SHUTDOWN)
                return True
        return False

    @property
    def draining(self) -> bool:
        """Whether :meth:`drain` was called: new sockets are refused."""
        return self._draining

    def connection_count(self) -> int:
        """Open connections, authenticated or not (a count kept as they open and close:
        operators' status reads it, and a sum over every login would block the event loop
        for milliseconds with tens of thousands of logins)."""
        return self._open

    def direct_connection_count(self) -> int:
        """Open connections whose frames are written straight to the socket."""
        return self._direct_open


def _discard(
    index: dict[str, set[ConnectionSession]], key: str, session: ConnectionSession
) -> None:
    group = index.get(key)
    if group is not None:
        group.discard(session)
        if not group:
            del index[key]


async def refuse(scope: Scope, send: Send, status: int, code: str, message: str) -> None:
    """Refuse the upgrade with an HTTP ``status`` and the error shape when possible; a 503
    says ``Retry-After: 1``."""
    if "websocket.http.response" in scope.get("extensions", {}):
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        headers = [(b"content-type", b"application/json"),
                   (b"content-length", str(len(body)).encode())]
        if status == 503:
            headers.append((b"retry-after", b"1"))
        await send({
            "type": "websocket.http.response.start",
            "status": status,
            "headers": headers,
        })
        await send({"type": "websocket.http.response.body", "body": body})
    else:
        await send({"type": "websocket.close", "code": 1008})
