"""``/api/auth``: accounts, logins, sessions, passwords and two-factor authentication.

One blueprint for the resource, assembled from a child blueprint per concern; the logic
is in :mod:`services.accounts`.  :data:`downloads` serves the export links (outside
``/api/auth``: their answer is a zip, not JSON).
"""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag_blueprint

from http_facade.routes.auth import (
    routes_account,
    routes_lifecycle,
    routes_login,
    routes_passkeys,
    routes_recovery,
    routes_register,
    routes_second_factors,
    routes_step_up,
    routes_two_factor,
)

blueprint = Blueprint("auth", __name__, url_prefix="/api/auth")
for child in (
    routes_register,
    routes_login,
    routes_account,
    routes_recovery,
    routes_two_factor,
    routes_passkeys,
    routes_second_factors,
    routes_step_up,
    routes_lifecycle,
):
    tag_blueprint(child.blueprint, ["auth"])
    blueprint.register_blueprint(child.blueprint)

downloads = routes_lifecycle.downloads
"""``/api/exports``: the signed, single-use download links of data exports."""
tag_blueprint(downloads, ["auth"])
