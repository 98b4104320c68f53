"""Helpers for tests that drive the account flows over HTTP (not a test module).

:class:`AuthDriver` wraps an ``httpx.AsyncClient`` pointed at a facade — in process
(:func:`open_app_driver`, an ASGI transport over a bare app with real stores) or a live
node (``httpx.AsyncClient(base_url=node.base_url)``) — and reads the emails the node's
:class:`~services.email.OutboxMailer` kept.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import time
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import unquote

import httpx
import trio

from http_facade.app import create_app
from http_facade.context import FacadeContext
from services.email import EmailMessage, OutboxMailer
from services.passwords import PasswordHasher
from services.totp import STEP_SECONDS, current_code
from storage import open_store
from storage.protocols import Store
from storage.realtime import open_realtime
from topicsflow.settings import Profile, Settings

PASSWORD = "correct horse battery staple"
_LINK_TOKEN = re.compile(r"token=([A-Za-z0-9%_.~-]+)")


def link_token(message: EmailMessage) -> str:
    """The token of the link in ``message``."""
    found = _LINK_TOKEN.search(message.body)
    assert found is not None, message.body
    return unquote(found.group(1))


@dataclasses.dataclass(frozen=True)
class Account:
    """A registered, verified user and the credentials the test knows."""

    username: str
    email: str
    password: str
    user_id: str
    token: str


@dataclasses.dataclass
class RecordedConnections:
    """Stands in for the gateway: records what would be disconnected."""

    revoked_logins: list[str] = dataclasses.field(default_factory=list)
    disconnected_users: list[str] = dataclasses.field(default_factory=list)

    def revoke_login(self, session_id: str) -> int:
        self.revoked_logins.append(session_id)
        return 0

    def disconnect_user(self, user_id: str, reason: object, code: object) -> int:
        self.disconnected_users.append(user_id)
        return 0


class AuthDriver:
    """Runs the account flows through the REST API of one facade."""

    def __init__(self, client: httpx.AsyncClient, outbox: OutboxMailer) -> None:
        self.client = client
        self.outbox = outbox

    async def mail(self, address: str, subject: str, count: int = 1) -> list[EmailMessage]:
        """The ``count`` newest messages to ``address`` whose subject contains ``subject``.

        Waits (up to five seconds) for background delivery.
        """
        with trio.fail_after(5):
            while True:
                found = [m for m in self.outbox.to(address) if subject in m.subject]
                if len(found) >= count:
                    return found[-count:]
                await trio.sleep(0.01)

    async def register(self, username: str, email: str, password: str = PASSWORD) -> httpx.Response:
        return await self.client.post(
            "/api/auth/register",
            json={"username": username, "email": email, "password": password},
        )

    async def login(self, login: str, password: str = PASSWORD, **extra: Any) -> httpx.Response:
        return await self.client.post(
            "/api/auth/login", json={"login": login, "password": password, **extra}
        )

    async def me_status(self, token: str) -> int:
        """The status of ``GET /api/users/me`` with ``token``: 200 while it is live."""
        return (await self.client.get("/api/users/me", headers=bearer(token))).status_code

    async def signup(self, username: str, password: str = PASSWORD) -> Account:
        """Register, confirm the address and log in with a bearer token."""
        email = f"{username}@example.org"
        assert (await self.register(username, email, password)).status_code == 202
        (message,) = await self.mail(email, "Confirm")
        verified = await self.client.post(
            "/api/auth/verify-email", json={"token": link_token(message)}
        )
        assert verified.status_code == 200, verified.text
        logged_in = await self.login(username, password)
        assert logged_in.status_code == 200, logged_in.text
        body = logged_in.json()
        return Account(username, email, password, body["user_id"], body["token"])


def bearer(token: str) -> dict[str, str]:
    """The ``Authorization`` header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


async def fresh_totp_window() -> float:
    """Wait until at least 8 s remain in the current TOTP step; return now.

    A test that uses the codes of the previous, current and next step stays inside the
    ±1 step drift window while it runs.
    """
    remaining = STEP_SECONDS - time.time() % STEP_SECONDS
    if remaining < 8:
        await trio.sleep(remaining + 0.05)
    return time.time()


def totp_code(secret: str, moment: float, steps_ahead: int) -> str:
    """The code ``steps_ahead`` steps after ``moment`` (-1, 0 or 1 are accepted)."""
    return current_code(secret, moment + steps_ahead * STEP_SECONDS)


@dataclasses.dataclass
class AppUnderTest:
    """An in-process facade with real stores: its driver and what a test inspects."""

    driver: AuthDriver
    store: Store
    connections: RecordedConnections
    app: Any


@contextlib.asynccontextmanager
async def open_app_driver(
    *, store_clock: Callable[[], float] = time.time, **overrides: Any
) -> AsyncIterator[AppUnderTest]:
    """A bare app over the in-memory SQLite store and in-process realtime services.

    ``overrides`` are settings; ``store_clock`` is the store's clock (sessions record
    their last use with it).
    """
    settings = Settings(**{"profile": Profile.TESTING, "secret_key": "k" * 40, **overrides})
    outbox = OutboxMailer()
    connections = RecordedConnections()
    async with (
        open_store(None, data_dir=None, clock=store_clock) as store,
        open_realtime(None) as realtime,
    ):
        context = FacadeContext(
            settings=settings,
            store=store,
            realtime=realtime,
            sessions=store.sessions,
            mailer=outbox,
            passwords=PasswordHasher(time_cost=1, memory_kib=8192),
            gateway=connections,  # type: ignore[arg-type]
        )
        app = create_app(context)
        async with app.test_app() as running:
            transport = httpx.ASGITransport(app=running.app, client=("198.51.100.1", 4000))
            async with httpx.AsyncClient(
                transport=transport, base_url="http://testserver.local"
            ) as client:
                yield AppUnderTest(AuthDriver(client, outbox), store, connections, app)


async def account_in_store(facade: AppUnderTest, username: str) -> Account:
    """A verified user with a live session, made straight in the stores (fast)."""
    from services.tokens import new_token
    from storage.keys import hash_token

    email = f"{username}@example.org"
    hasher = PasswordHasher(time_cost=1, memory_kib=8192)
    user = await facade.store.users.create(
        username=username, email=email, password_hash=await hasher.hash(PASSWORD)
    )
    await facade.store.users.set_email_verified(user.id, True)
    token = new_token()
    await facade.store.sessions.create(
        token_hash=hash_token(token), user_id=user.id, expires_at=time.time() + 3600
    )
    return Account(username, email, PASSWORD, user.id, token)
