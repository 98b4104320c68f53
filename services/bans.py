"""Global (site-wide) bans, kept in the user's preferences under ``banned_until``.

Contract:

* ``banned_until`` holds the epoch second the ban ends, or :data:`PERMANENT` for a ban
  without end; no key (or None) means not banned.  ``ban_reason`` holds the moderator's
  reason (a string; absent or None for bans stored before reasons were kept).  Both
  keys are reserved (:data:`RESERVED_KEYS`): users cannot set them themselves (the
  preferences route refuses them).
* :func:`ban_in_force` compares with the caller's clock, so a temporary ban lapses on
  time without any job running.
* A banned user's login is refused after the password (and only then) with
  :class:`AccountBanned`: 403 ``forbidden`` whose error object carries ``ban``
  (:class:`BanNotice`: the reason and the end, null for a permanent ban).  The check is
  made by the login flows only (:mod:`services.accounts.login`), not on every request.
"""

from __future__ import annotations

import msgspec

from protocol.errors import ErrorCode
from protocol.fields import milliseconds
from services.accounts.factors import EMAIL_CODES_KEY
from services.errors import DomainError
from storage.records import Preferences, User

BANNED_UNTIL = "banned_until"
"""The reserved preference key of a global ban."""

BAN_REASON = "ban_reason"
"""The reserved preference key of the global ban's reason (shown to the banned user)."""

RESERVED_KEYS = frozenset({BANNED_UNTIL, BAN_REASON, EMAIL_CODES_KEY})
"""Preference keys users cannot set through the preferences route: the ban (moderators
write it) and the emailed-codes switch (its own route demands a step-up)."""

PERMANENT = "permanent"
"""The ``banned_until`` value of a ban without end."""

BANNED_MESSAGE = "this account is banned"
"""The ``message`` of :class:`AccountBanned` (the details are in ``ban``)."""


def ban_in_force(user: User, now: float) -> bool:
    """True when ``user`` is globally banned at ``now``."""
    value = user.preferences.get(BANNED_UNTIL)
    if value == PERMANENT:
        return True
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return now < value


def ban_value(now: float, seconds: float | None) -> float | str:
    """What to store for a ban starting at ``now`` lasting ``seconds`` (None: for good)."""
    return PERMANENT if seconds is None else now + seconds


def ban_changes(now: float, seconds: float | None, reason: str) -> Preferences:
    """The preference changes that ban from ``now`` for ``seconds`` (None: for good)."""
    return {BANNED_UNTIL: ban_value(now, seconds), BAN_REASON: reason}


def lift_changes() -> Preferences:
    """The preference changes that lift a ban (both reserved keys cleared)."""
    return {BANNED_UNTIL: None, BAN_REASON: None}


class BanNotice(msgspec.Struct, frozen=True, kw_only=True):
    """What a banned user is told when logging in.

    ``reason`` is the moderator's reason (null when none was kept); ``expires_at`` is when
    the ban ends, in integer milliseconds since the epoch, null for a permanent ban.
    """

    reason: str | None
    expires_at: int | None


def ban_notice(user: User, now: float) -> BanNotice | None:
    """The notice of ``user``'s ban in force at ``now``, or None when not banned."""
    if not ban_in_force(user, now):
        return None
    until = user.preferences.get(BANNED_UNTIL)
    reason = user.preferences.get(BAN_REASON)
    return BanNotice(
        reason=reason if isinstance(reason, str) and reason else None,
        expires_at=milliseconds(until) if isinstance(until, int | float) else None,
    )


class AccountBanned(DomainError):
    """A login refused because the account is banned: ``forbidden`` (403) with ``ban``.

    The REST error object is ``{"code": "forbidden", "message": BANNED_MESSAGE,
    "ban": {"reason": ..., "expires_at": ...}}`` (see :class:`BanNotice`).
    """

    def __init__(self, notice: BanNotice) -> None:
        super().__init__(
            ErrorCode.FORBIDDEN, BANNED_MESSAGE, details={"ban": msgspec.to_builtins(notice)}
        )
        self.notice = notice


def refuse_if_banned(user: User, now: float) -> None:
    """Raise :class:`AccountBanned` when ``user`` is globally banned at ``now``.

    Call it only once the caller proved the password: it tells that the account exists
    and is banned.
    """
    notice = ban_notice(user, now)
    if notice is not None:
        raise AccountBanned(notice)
