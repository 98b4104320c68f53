"""Who a request or a connection acts for, once its login session was checked.

:class:`Principal` is what :mod:`services.authentication` produces from a session token and
what every access rule, REST handler and connection session reads.  It lives in
``services`` (below the actors and the facade) so that both can depend on it.
"""

from __future__ import annotations

import msgspec


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """Who a connection acts for: the user and the login session (or personal access
    token, whose ``session_id`` is its own) it authenticated with."""

    user_id: str
    session_id: str
    is_admin: bool = False
    token_hash: str = msgspec.field(default="")
    """The login session's key in the session store ("" when not from a session), for
    re-checking that the session still exists; a hash, never the token."""
    scopes: tuple[str, ...] | None = None
    """What a personal access token may do (:mod:`services.scopes`); None for a login
    session, which may do everything its user may."""

    @property
    def via_token(self) -> bool:
        """Whether this principal authenticated with a personal access token."""
        return self.scopes is not None
