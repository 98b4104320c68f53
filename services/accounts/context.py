"""What the account flows need, handed in explicitly as one :class:`AccountServices`."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Protocol

from protocol.close_codes import CloseCode
from protocol.enums import GoodbyeReason
from protocol.errors import ErrorCode
from services.accounts.throttle import ThrottlePolicy
from services.email import EmailMessage
from services.errors import DomainError
from services.passwords import PasswordHasher
from storage.protocols.identity import SessionStore, TokenStore, UserStore
from storage.protocols.security import AccountRequestStore, PasskeyStore, SecurityEventStore
from storage.realtime import RateLimiter

EmailSender = Callable[[EmailMessage], None]
"""Schedules a message for delivery and returns at once, so that a response's timing
never tells whether an email was sent (and so whether an address is registered)."""


class LiveConnections(Protocol):
    """The node's open WebSockets, as revocation needs them (the gateway)."""

    def revoke_login(self, session_id: str) -> int: ...

    def disconnect_user(self, user_id: str, reason: GoodbyeReason, code: CloseCode) -> int: ...


@dataclasses.dataclass(frozen=True, slots=True)
class ClientInfo:
    """Who is on the other end of a request: its address and what it says it is."""

    address: str
    user_agent: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class RelyingParty:
    """Who passkeys are made for: the WebAuthn relying party id, its name and origins.

    Derived from ``TOPICSFLOW_PUBLIC_URL`` (:func:`relying_party_for`): the id is its
    host name, the only accepted origin its scheme, host and port.
    """

    rp_id: str
    name: str
    origins: tuple[str, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class SecurityStores:
    """The stores of passkeys, the login audit and account requests."""

    passkeys: PasskeyStore
    events: SecurityEventStore
    requests: AccountRequestStore
    relying_party: RelyingParty


@dataclasses.dataclass(frozen=True, slots=True)
class AccountServices:
    """The stores and services every account flow uses.

    ``connections`` is None only where no gateway runs (bare unit-test apps);
    ``security`` only in unit tests of flows that do not need it.
    """

    users: UserStore
    tokens: TokenStore
    sessions: SessionStore
    passwords: PasswordHasher
    limiter: RateLimiter
    send_email: EmailSender
    public_url: str
    connections: LiveConnections | None = None
    policy: ThrottlePolicy = dataclasses.field(default_factory=ThrottlePolicy)
    clock: Callable[[], float] = time.time
    security: SecurityStores | None = None

    def secured(self) -> SecurityStores:
        """The security stores; ``unavailable`` where none were handed in (bare apps)."""
        if self.security is None:
            raise DomainError(ErrorCode.UNAVAILABLE, "this node does not serve this")
        return self.security
