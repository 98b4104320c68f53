"""The scopes a personal access token needs per REST route (``http_facade.token_policy``).

Every endpoint the policy names exists (a rename cannot silently drop a check), every
``/api/admin`` route needs ``admin``, every ``/api/auth`` and ``/api/tokens`` route a
login session, and the rest need ``read`` for GET and ``write`` otherwise.
"""

from __future__ import annotations

from http_facade.app import create_app
from http_facade.context import FacadeContext
from http_facade.token_policy import ADMIN_ENDPOINTS, MODERATE_ENDPOINTS, needed_for
from services.scopes import SESSION_ONLY, Scope
from topicsflow.settings import Profile, Settings


def test_every_route_has_the_scope_its_kind_needs() -> None:
    settings = Settings(profile=Profile.TESTING, secret_key="k" * 40)
    app = create_app(FacadeContext(settings=settings))
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")]
    endpoints = {rule.endpoint for rule in rules}
    assert MODERATE_ENDPOINTS.issubset(endpoints) and ADMIN_ENDPOINTS.issubset(endpoints)
    for rule in rules:
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            needed = needed_for(rule.endpoint, method)
            if rule.rule.startswith("/api/admin"):
                assert needed == Scope.ADMIN, rule.rule
            elif rule.rule.startswith(("/api/auth", "/api/tokens", "/api/bots", "/api/exports")):
                assert needed == SESSION_ONLY, rule.rule
            elif rule.endpoint in MODERATE_ENDPOINTS:
                assert needed == Scope.MODERATE, rule.rule
            elif rule.endpoint not in ADMIN_ENDPOINTS:
                expected = Scope.READ if method == "GET" else Scope.WRITE
                assert needed == expected, (rule.rule, method)
