"""``GET /ops``: the operators' dashboard, a static page that polls the ops API.

The page and its script and stylesheet ship in the package (``routes/ops/static/``; no
build step).  Serving them needs no credentials — they hold no data.  The script asks
the API with the operator's credentials: an admin's session cookie, or the ops token,
which the operator types into the page; it is kept in ``sessionStorage`` for the tab and
sent as ``Authorization: Bearer``, never put in a URL.  Every response of the page
carries a strict Content-Security-Policy: scripts, styles and requests from this origin
only, no inline script or style, no frames, no forms.  The script writes every value with
``textContent`` (never HTML), so nothing a user chose (a room id, a failure message) can
become markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from quart import Blueprint, Response
from quart_schema import hide

from http_facade.errors import ApiError
from protocol.errors import ErrorCode

STATIC: Final = Path(__file__).with_name("static")
FILES: Final = {
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
}
_PAGE: Final = "dashboard.html"
_CONTENT: Final = {name: (STATIC / name).read_bytes() for name in (*FILES, _PAGE)}
"""Read once at import (a few kilobytes): serving them never touches the disk."""
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

blueprint = Blueprint("ops_dashboard", __name__)


def _static(name: str, content_type: str) -> Response:
    response = Response(_CONTENT[name], content_type=content_type)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Cache-Control"] = "no-cache"
    return response


@blueprint.get("/ops")
@hide  # a page, not part of the JSON API
async def dashboard() -> Response:
    """The dashboard page."""
    return _static(_PAGE, "text/html; charset=utf-8")


@blueprint.get("/ops/static/<name>")
@hide
async def dashboard_file(name: str) -> Response:
    """The dashboard's script and stylesheet (only those)."""
    content_type = FILES.get(name)
    if content_type is None:
        raise ApiError(ErrorCode.NOT_FOUND, "no such file")
    return _static(name, content_type)
