"""Global (site-wide) bans, kept in the user's preferences under ``banned_until``.

Contract:

* ``banned_until`` holds the epoch second the ban ends, or :data:`PERMANENT` for a ban
  without end; no key (or None) means not banned.
* :func:`ban_in_force` compares with the caller's clock, so a temporary ban lapses on
  time without any job running.  The key is reserved: users cannot set it themselves
  (the preferences route refuses it).
"""

from __future__ import annotations

from storage.records import User

BANNED_UNTIL = "banned_until"
"""The reserved preference key of a global ban."""

PERMANENT = "permanent"
"""The ``banned_until`` value of a ban without end."""


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
