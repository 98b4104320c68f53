"""The reference web app, served by the node at ``TOPICSFLOW_WEBAPP_PATH``.

The development profile serves it at ``/``; other profiles only when the variable names a
path (``/app``…).  The app is plain ES modules, no build step:

* ``GET <path>`` — the page, ``index.html`` with the app's base path filled in;
* ``GET <base>/assets/<file>`` — its modules and style sheet (``static/``), the SDK's
  modules under ``assets/sdk/`` (``static/sdk`` links to ``clients/js/src``).

The page's Content-Security-Policy allows scripts and styles from the node only (no
inline code), images from the node and HTTPS (GIFs), and connections to the node's own
origin (REST and WebSocket).  User text is never HTML: the app builds the DOM with
``textContent``.
"""

from __future__ import annotations

import re
from importlib import resources

from quart import Blueprint, Response, request, send_from_directory
from quart_schema import hide

STATIC = resources.files(__package__) / "static"
HOST = re.compile(r"[A-Za-z0-9.\-]+(?::\d{1,5})?|\[[0-9A-Fa-f:.]+\](?::\d{1,5})?")
CACHE_ASSETS = "no-cache"


def page_policy(host: str) -> str:
    """The CSP of the app's page; ``host`` (when well-formed) for WebSocket connections."""
    sockets = f" ws://{host} wss://{host}" if HOST.fullmatch(host) else ""
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; "
        "img-src 'self' https: data: blob:; media-src 'self' https:; "
        f"connect-src 'self'{sockets}; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; manifest-src 'self'"
    )


def create_blueprint(path: str) -> Blueprint:
    """The app's blueprint, its page at ``path`` (``/`` or ``/segment…``)."""
    base = path.rstrip("/")
    blueprint = Blueprint("webapp", __name__)
    template = (STATIC / "index.html").read_text(encoding="utf-8")
    page_html = template.replace("{{BASE}}", base)

    @blueprint.get(path)
    @hide
    async def page() -> Response:
        """The web app's single page."""
        response = Response(page_html, 200, content_type="text/html; charset=utf-8")
        response.headers["Content-Security-Policy"] = page_policy(request.host)
        response.headers["Cache-Control"] = "no-store"
        return response

    @blueprint.get(f"{base}/assets/<path:name>")
    @hide
    async def asset(name: str) -> Response:
        """A module or style sheet of the app (or of the SDK, under ``sdk/``)."""
        response = await send_from_directory(str(STATIC), name)
        response.headers["Cache-Control"] = CACHE_ASSETS
        return response

    return blueprint
