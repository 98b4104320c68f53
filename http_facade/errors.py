"""One JSON error shape for every REST response that is not a success.

Every error body is ``{"error": {"code": CODE, "message": TEXT}}`` where ``CODE`` is one of
the stable codes shared with the WebSocket protocol.  Handlers raise :class:`ApiError`;
the app factory turns it, and every HTTP error Quart raises itself (404, 405, 413…), into
that shape.  An unexpected exception becomes ``internal`` with status 500 and is logged
with its traceback — its text never reaches the client.
"""

from __future__ import annotations

import logging

from quart import Quart, Response, jsonify
from werkzeug.exceptions import HTTPException

logger = logging.getLogger(__name__)

_CODE_BY_STATUS = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "invalid",
    409: "conflict",
    413: "too_large",
    415: "invalid",
    422: "invalid",
    429: "rate_limited",
    503: "unavailable",
    504: "timeout",
}


class ApiError(Exception):
    """A failure a handler reports to the client with ``status``, ``code`` and ``message``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_response(status: int, code: str, message: str) -> Response:
    """Build the error shape as a response with ``status``."""
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def install_error_handlers(app: Quart) -> None:
    """Route every error raised while handling a request into the one error shape."""

    @app.errorhandler(ApiError)
    async def handle_api_error(error: ApiError) -> Response:
        return error_response(error.status, error.code, error.message)

    @app.errorhandler(HTTPException)
    async def handle_http_exception(error: HTTPException) -> Response:
        status = error.code or 500
        code = _CODE_BY_STATUS.get(status, "internal" if status >= 500 else "invalid")
        return error_response(status, code, error.description or error.name)

    @app.errorhandler(Exception)
    async def handle_unexpected(error: Exception) -> Response:
        logger.exception("unhandled error while serving a request")
        return error_response(500, "internal", "internal server error")
