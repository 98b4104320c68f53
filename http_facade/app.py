"""The application factory: one Quart-trio app per node, no module-level app.

:func:`create_app` wires the blueprints, the error shape and the request limits onto a
fresh :class:`quart_trio.QuartTrio` that holds the node's :class:`FacadeContext`.
"""

from __future__ import annotations

from quart_trio import QuartTrio

from http_facade import ops
from http_facade.context import EXTENSION_KEY, FacadeContext
from http_facade.errors import install_error_handlers
from http_facade.openapi import install_openapi
from http_facade.security import install_security

API_VERSION = "1.0.0"


def create_app(context: FacadeContext) -> QuartTrio:
    """Build the facade for one node; ``context`` carries its settings and services."""
    app = QuartTrio("topicsflow")
    app.config["MAX_CONTENT_LENGTH"] = context.settings.max_request_bytes
    app.config["JSON_SORT_KEYS"] = False
    app.extensions[EXTENSION_KEY] = context
    install_error_handlers(app)
    install_security(app, context.settings)
    install_openapi(app, API_VERSION)
    app.register_blueprint(ops.blueprint)
    return app
