"""One JSON error shape for every REST response that is not a success.

Every error body is ``{"error": {"code": CODE, "message": TEXT}}`` where ``CODE`` is an
:class:`protocol.errors.ErrorCode`, the same codes the WebSocket protocol uses.  Handlers
raise :class:`ApiError`; the app factory turns it, and every HTTP error Quart raises
itself (404, 405, 413…), into that shape.  An unexpected exception becomes ``internal``
with status 500 and is logged with its traceback — its text never reaches the client.
"""

from __future__ import annotations

import logging

from quart import Quart, Response, jsonify
from werkzeug.exceptions import HTTPException

from protocol.errors import ErrorCode

logger = logging.getLogger(__name__)

_CODE_BY_STATUS = {
    400: ErrorCode.INVALID,
    401: ErrorCode.UNAUTHORIZED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.INVALID,
    409: ErrorCode.CONFLICT,
    413: ErrorCode.TOO_LARGE,
    415: ErrorCode.UNSUPPORTED,
    422: ErrorCode.INVALID,
    429: ErrorCode.RATE_LIMITED,
    503: ErrorCode.UNAVAILABLE,
    504: ErrorCode.TIMEOUT,
}


class ApiError(Exception):
    """A failure a handler reports to the client: ``code``, ``message``, optional status.

    The status defaults to the code's own (:attr:`ErrorCode.http_status`);
    ``retry_after`` (seconds) becomes a ``Retry-After`` header.
    """

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = int(code.http_status) if status is None else status
        self.retry_after = retry_after


def error_response(
    status: int, code: ErrorCode, message: str, retry_after: float | None = None
) -> Response:
    """Build the error shape as a response with ``status``."""
    response = jsonify({"error": {"code": code.value, "message": message}})
    response.status_code = status
    if retry_after is not None:
        response.headers["Retry-After"] = str(max(1, round(retry_after + 0.499)))
    return response


def install_error_handlers(app: Quart) -> None:
    """Route every error raised while handling a request into the one error shape."""

    @app.errorhandler(ApiError)
    async def handle_api_error(error: ApiError) -> Response:
        return error_response(error.status, error.code, error.message, error.retry_after)

    @app.errorhandler(HTTPException)
    async def handle_http_exception(error: HTTPException) -> Response:
        status = error.code or 500
        fallback = ErrorCode.INTERNAL if status >= 500 else ErrorCode.INVALID
        code = _CODE_BY_STATUS.get(status, fallback)
        return error_response(status, code, error.description or error.name)

    @app.errorhandler(Exception)
    async def handle_unexpected(error: Exception) -> Response:
        logger.exception("unhandled error while serving a request")
        return error_response(500, ErrorCode.INTERNAL, "internal server error")
