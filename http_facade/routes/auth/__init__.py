"""``/api/auth``: accounts, logins, sessions, passwords and two-factor authentication.

One blueprint for the resource, assembled from a child blueprint per concern; the logic
is in :mod:`services.accounts`.
"""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag_blueprint

from http_facade.routes.auth import (
    routes_account,
    routes_login,
    routes_recovery,
    routes_register,
    routes_two_factor,
)

blueprint = Blueprint("auth", __name__, url_prefix="/api/auth")
for child in (routes_register, routes_login, routes_account, routes_recovery, routes_two_factor):
    tag_blueprint(child.blueprint, ["auth"])
    blueprint.register_blueprint(child.blueprint)
