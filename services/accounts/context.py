"""What the account flows need, handed in explicitly as one :class:`AccountServices`."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Protocol

from protocol.close_codes import CloseCode
from protocol.enums import GoodbyeReason
from services.accounts.throttle import ThrottlePolicy
from services.email import EmailMessage
from services.passwords import PasswordHasher
from storage.protocols.identity import SessionStore, TokenStore, UserStore
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
class AccountServices:
    """The stores and services every account flow uses.

    ``connections`` is None only where no gateway runs (bare unit-test apps).
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
