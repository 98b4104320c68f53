"""Request and response bodies of ``/api/admin``."""

from __future__ import annotations

import time
from collections import deque
from typing import Annotated

import msgspec
from msgspec import Meta

from http_facade.pagination import CursorText
from http_facade.routes.reports.schemas import MAX_BAN_SECONDS, Reason
from protocol.fields import milliseconds
from services.bans import BANNED_UNTIL, ban_in_force
from storage.records import User

USERNAME_PREFIX_PATTERN = "^[A-Za-z0-9_.-]{0,32}$"
RATE_WINDOW_SECONDS = 300.0


class UserQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Users whose username starts with ``prefix``, optionally admins (or not) only."""

    prefix: Annotated[str, Meta(max_length=32, pattern=USERNAME_PREFIX_PATTERN)] = ""
    is_admin: bool | None = None
    cursor: CursorText | None = None
    limit: Annotated[int, Meta(ge=1, le=100)] = 50


class AdminUserView(msgspec.Struct, frozen=True, kw_only=True):
    """A user as admins see them: with the email, the admin flag and the ban
    (``ban_expires_at`` is None for a permanent ban or none at all)."""

    id: str
    username: str
    email: str
    display_name: str
    is_admin: bool
    banned: bool
    ban_expires_at: int | None
    created_at: int
    is_bot: bool = False
    bot_owner_id: str | None = None

    @classmethod
    def of(cls, user: User) -> AdminUserView:
        """The admin view of ``user`` now."""
        until = user.preferences.get(BANNED_UNTIL)
        return cls(
            id=user.id, username=user.username, email=user.email,
            display_name=user.display_name, is_admin=user.is_admin,
            banned=ban_in_force(user, time.time()),
            ban_expires_at=milliseconds(until) if isinstance(until, float | int) else None,
            created_at=milliseconds(user.created_at),
            is_bot=user.is_bot, bot_owner_id=user.bot_owner_id,
        )


class AdminUserList(msgspec.Struct, frozen=True, kw_only=True):
    """Users, by username; ``next_cursor`` pages on (None on the last page)."""

    users: list[AdminUserView]
    next_cursor: str | None


class GlobalBan(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Ban site-wide for ``seconds`` (absent: for good), and why."""

    reason: Reason
    seconds: Annotated[int, Meta(ge=1, le=MAX_BAN_SECONDS)] | None = None


class GlobalUnban(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Lift a site-wide ban, and why."""

    reason: Reason


class BanOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """The user after the ban or unban, and what it did."""

    user: AdminUserView
    effect: str


class CappedCount(msgspec.Struct, frozen=True, kw_only=True):
    """A count read with a bound: ``capped`` means there are at least ``count``."""

    count: int
    capped: bool


class Stats(msgspec.Struct, frozen=True, kw_only=True):
    """Node figures for admins; counts are bounded reads, never collection scans."""

    users: CappedCount
    active_connections: int
    events_per_minute: float
    reports_by_state: dict[str, CappedCount]


class EventRate:
    """Published hub events per minute over the last few minutes (one per app).

    Each :meth:`sample` records the hub's running total; the rate is taken against the
    oldest sample still inside the window (the first, at app creation, until then).
    """

    def __init__(self) -> None:
        self._samples: deque[tuple[float, int]] = deque([(time.monotonic(), 0)], maxlen=1024)

    def sample(self, published: int) -> float:
        """Record ``published`` (the hub's total) now; returns events per minute."""
        now = time.monotonic()
        while len(self._samples) > 1 and now - self._samples[1][0] > RATE_WINDOW_SECONDS:
            self._samples.popleft()
        first_time, first_total = self._samples[0]
        self._samples.append((now, published))
        elapsed = max(now - first_time, 1.0)
        return round((published - first_total) * 60.0 / elapsed, 2)
