"""The scopes of personal access tokens and the one check every entry point makes.

Contract (docs/AUTH.md, "Tokens"):

* ``read``: GET routes, WebSocket ``subscribe`` (and the history it replays);
* ``write``: sending, editing, deleting, reacting, creating content, every other
  non-GET route and WebSocket frame that is not moderation or administration;
* ``moderate``: the moderation routes (of the topics and rooms the token's user
  moderates: the domain rules still decide that);
* ``admin``: the admin routes, and the admin flag in domain rules — only granted to a
  token of an admin.

A login session's principal has ``scopes`` None and passes every check here.  A token
never passes :data:`SESSION_ONLY` checks: creating tokens or bots, changing
credentials, sessions or second factors, exporting or deleting the account.
"""

from __future__ import annotations

import enum

from protocol.errors import ErrorCode
from services.errors import DomainError
from services.principal import Principal


class Scope(enum.StrEnum):
    """What a personal access token may be allowed to do."""

    READ = "read"
    WRITE = "write"
    MODERATE = "moderate"
    ADMIN = "admin"


SESSION_ONLY = "session"
"""Not a scope: what only a login session may do (see the module docstring)."""

ALL_SCOPES = tuple(scope.value for scope in Scope)


def permits(principal: Principal, needed: str) -> bool:
    """Whether ``principal`` may do what needs ``needed`` (a scope or :data:`SESSION_ONLY`)."""
    if principal.scopes is None:
        return True
    return needed != SESSION_ONLY and needed in principal.scopes


def require_scope(principal: Principal, needed: str) -> None:
    """Refuse with 403 ``forbidden`` unless :func:`permits`."""
    if permits(principal, needed):
        return
    if needed == SESSION_ONLY:
        raise DomainError(ErrorCode.FORBIDDEN, "a personal access token cannot do this: log in")
    raise DomainError(ErrorCode.FORBIDDEN, f"this token lacks the '{needed}' scope")
