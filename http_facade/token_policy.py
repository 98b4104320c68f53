"""What a personal access token needs for each REST route (docs/AUTH.md, "Tokens").

Contract: :func:`needed_for` maps a request's endpoint (Quart's ``blueprint.function``
name) and method to a scope of :mod:`services.scopes`, or to
:data:`~services.scopes.SESSION_ONLY`; the guard checks it for every request that
presents a token (:func:`http_facade.guard.current_caller`), so no route can forget it.

* Session only: everything under ``/api/auth`` (credentials, sessions, second factors,
  export, deletion), ``/api/exports``, ``/api/tokens`` and ``/api/bots``.
* ``admin``: the admin and operator blueprints, and setting the admin flag.
* ``moderate``: :data:`MODERATE_ENDPOINTS` — reports' queue and actions, topic bans and
  roles, kicking from rooms.  Whether the user moderates that topic or room is still
  decided by the domain rules.
* Otherwise ``read`` for GET, HEAD and OPTIONS, ``write`` for every other method.

``tests/unit/http_facade/test_token_policy.py`` checks that the named endpoints exist.
"""

from __future__ import annotations

from services.scopes import SESSION_ONLY, Scope

SESSION_ONLY_BLUEPRINTS = ("auth", "exports", "tokens", "bots", "development_pages")
ADMIN_BLUEPRINTS = ("admin", "admin_bots", "admin_content", "admin_trash", "ops",
                    "ops_actions", "ops_dashboard")
ADMIN_ENDPOINTS = frozenset({"users.set_admin"})
MODERATE_ENDPOINTS = frozenset({
    "reports.queue",
    "reports.one_report",
    "reports.act",
    "topic_members.ban_user",
    "topic_members.unban_user",
    "topic_members.list_bans",
    "topic_members.set_role",
    "chat_rooms.kick",
})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def needed_for(endpoint: str | None, method: str) -> str:
    """The scope (or ``SESSION_ONLY``) a token needs for ``endpoint`` called with ``method``."""
    blueprint = (endpoint or "").split(".", 1)[0]
    if blueprint in SESSION_ONLY_BLUEPRINTS:
        return SESSION_ONLY
    if blueprint in ADMIN_BLUEPRINTS or endpoint in ADMIN_ENDPOINTS:
        return Scope.ADMIN
    if endpoint in MODERATE_ENDPOINTS:
        return Scope.MODERATE
    return Scope.READ if method.upper() in READ_METHODS else Scope.WRITE
